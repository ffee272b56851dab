/**
 * The embedded billing engine on a SQLite file: `openSqliteBilling({ filename })`.
 *
 * better-sqlite3 is an optional peer dependency, loaded here on first use, so importing
 * `@archetypeapi/portals/server` never needs the native module unless the engine is
 * opened. The engine itself (./sqlite/engine.ts) speaks portable SQL through Kysely; this
 * file only opens the file, runs migrations and the seed, and adapts the driver.
 */
import { createRequire } from 'node:module'
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely'
import { createEngine, type BillingEngine } from './sqlite/engine.js'
import { migrateSync } from './sqlite/migrations.js'
import type { BillingDatabase } from './sqlite/schema.js'
import { seedDemo } from './sqlite/seed.js'
import { StatementCache, syncExecutor, type RawDatabase, type SyncExecutor } from './sqlite/sync.js'

export type { BillingEngine, App, EngineOptions } from './sqlite/engine.js'
export type { AppInput, CustomerInput, MetricInput, PlanInput, PriceInput, QuotaInput } from './sqlite/validate.js'

export interface SqliteBillingOptions {
  /** The database file (created when missing); `':memory:'` for a throwaway engine. */
  filename: string
  /** `'demo'` seeds the demo app and customers, once per file. */
  seed?: 'demo'
  /** The clock, in Unix seconds; default the system clock. Tests inject one to move time. */
  now?: () => number
  /**
   * Base URL of invoice documents (`{baseUrl}/invoices/{id}.pdf`) and checkout pages
   * (`{baseUrl}/checkout?...`). Default `''` (paths on the current origin); null gives
   * invoices no links.
   */
  baseUrl?: string | null
  /** Migrate only up to this version (tests build old-version files with it). */
  migrateTo?: number
}

export type SqliteBilling = BillingEngine

type DatabaseConstructor = new (filename: string, options?: { timeout?: number }) => RawDatabase

function loadDriver(): DatabaseConstructor {
  try {
    return createRequire(import.meta.url)('better-sqlite3') as DatabaseConstructor
  } catch (cause) {
    throw new Error('openSqliteBilling() needs the optional peer dependency better-sqlite3: npm install better-sqlite3', { cause })
  }
}

/**
 * SQLite's plain `begin` takes the write lock only at the first write, and a reader that
 * then writes fails with SQLITE_BUSY when another process wrote in between. Every engine
 * transaction writes, so it takes the lock up front and waits (busy timeout) instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: RawDatabase & { prepare: StatementCache['prepare'] }
  constructor(database: RawDatabase & { prepare: StatementCache['prepare'] }) {
    super({ database })
    this.#database = database
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database })
  }
}

/** Opens (creating and migrating as needed) a billing engine on a SQLite file. Synchronous: the engine is ready on return. */
export function openSqliteBilling(options: SqliteBillingOptions): SqliteBilling {
  if (typeof options?.filename !== 'string' || options.filename === '') throw new TypeError('openSqliteBilling: filename must be a path or ":memory:"')
  if (options.seed !== undefined && options.seed !== 'demo') throw new TypeError(`openSqliteBilling: seed must be "demo", not ${JSON.stringify(options.seed)}`)
  if (options.now !== undefined && typeof options.now !== 'function') throw new TypeError('openSqliteBilling: now must be a function returning Unix seconds')
  const clock = options.now ?? (() => Date.now() / 1000)
  const Database = loadDriver()
  const raw = new Database(options.filename, { timeout: 5_000 })
  try {
    raw.pragma('journal_mode = WAL')
    raw.pragma('foreign_keys = ON')
    raw.pragma('busy_timeout = 5000')
    raw.pragma('synchronous = NORMAL')
    const statements = new StatementCache(raw)
    // Kysely asks the database for a statement per query; hand it cached ones.
    const cached = Object.assign(Object.create(null) as object, {
      prepare: (sql: string) => statements.prepare(sql),
      close: () => {
        statements.clear()
        raw.close()
      },
    }) as RawDatabase & { prepare: StatementCache['prepare'] }
    const db = new Kysely<BillingDatabase>({ dialect: new ImmediateSqliteDialect(cached) })
    const exec: SyncExecutor = syncExecutor(raw, statements)
    migrateSync(exec, db, { to: options.migrateTo })
    if (options.seed === 'demo') seedDemo(exec, db, Math.floor(clock()))
    return createEngine(db, {
      now: clock,
      baseUrl: options.baseUrl === undefined ? '' : options.baseUrl,
      // Kysely's destroy() closes the handle once it was used; a never-queried engine closes it here.
      onClose: () => {
        if (raw.open) raw.close()
      },
    })
  } catch (error) {
    raw.close()
    throw error
  }
}
