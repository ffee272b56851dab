/**
 * The embedded billing engine on a SQLite file: `openSqliteBilling({ filename })`.
 *
 * better-sqlite3 is an optional peer dependency, loaded here on first use, so importing
 * `@archetypeapi/portals/server` never needs the native module unless the engine is
 * opened. The engine itself (./engine/engine.ts) speaks portable SQL through Kysely; this
 * file only opens the file, runs migrations and the seed, and adapts the driver.
 */
import { createRequire } from 'node:module'
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely'
import { createEngine, type BillingEngine } from './engine/engine.js'
import { migrate } from './engine/migrations.js'
import { runSync } from './engine/script.js'
import type { BillingDatabase } from './engine/schema.js'
import { seedDemo } from './engine/seed.js'
import { StatementCache, syncExecutor, type RawDatabase, type SyncExecutor } from './engine/sync.js'
import { checkUsageAlertOptions } from './engine/usage-options.js'
import type { UsageAlertOptions } from './engine/usage-controls.js'

export type { BillingEngine, App, EngineOptions, SellerPlan } from './engine/engine.js'
export type { CatalogueChanges, CatalogueDiff, CatalogueInput, CataloguePlan, FieldChange, UpdatedObject } from './engine/catalogue.js'
export type { AppInput, CustomerInput, MetricInput, PlanInput, PriceInput, QuotaInput } from './engine/validate.js'

export interface SqliteBillingOptions extends UsageAlertOptions {
  /** The database file (created when missing, with its directory); `':memory:'` for a throwaway engine. */
  filename: string
  /** `'demo'` seeds the demo app and customers, once per file. */
  seed?: 'demo'
  /** The clock, in Unix seconds; default the system clock. Tests inject one to move time. */
  now?: () => number
  /**
   * Where the seller serves invoice documents and checkout pages: invoices link to
   * `{baseUrl}/invoices/{id}.pdf` and `{baseUrl}/invoices/{id}`, checkouts to
   * `{baseUrl}/checkout?...`. Default null: the engine renders no documents itself, so
   * invoices carry no links (never links that go nowhere) and checkout paths are relative.
   */
  baseUrl?: string | null
  /**
   * Default false: one free trial per customer per app. A customer who had one (any of their
   * subscriptions, canceled ones too, has a `trial_end`) starts the next trial plan paid.
   * True gives every new subscription on a trial plan its trial.
   */
  allowRepeatTrials?: boolean
  /** The most live API keys one customer may hold; default 10. Creating one more answers 409 naming it. */
  maxApiKeysPerCustomer?: number
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
 * Engines opened on the same file in one process share a lock. better-sqlite3 waits for
 * a busy file synchronously, blocking the thread, so one engine waiting on another in
 * the same thread would stall until the busy timeout; the lock makes them take turns.
 */
const fileLocks = new Map<string, { tail: Promise<void>; users: number }>()

function fileLock(filename: string) {
  const key = filename === ':memory:' || filename === '' ? null : resolve(filename)
  if (key === null) return { acquire: async () => () => {}, dispose: () => {} }
  const entry = fileLocks.get(key) ?? { tail: Promise.resolve(), users: 0 }
  entry.users++
  fileLocks.set(key, entry)
  return {
    async acquire(): Promise<() => void> {
      let release!: () => void
      const held = new Promise<void>((r) => (release = r))
      const previous = entry.tail
      entry.tail = previous.then(() => held)
      await previous
      return release
    },
    dispose() {
      if (--entry.users === 0) fileLocks.delete(key)
    },
  }
}

/**
 * SQLite's plain `begin` takes the write lock only at the first write, and a reader that
 * then writes fails with SQLITE_BUSY when another process wrote in between. Every engine
 * transaction writes, so it takes the lock up front and waits (busy timeout) instead.
 */
class EngineSqliteDriver extends SqliteDriver {
  readonly #lock: ReturnType<typeof fileLock>
  #release: (() => void) | undefined
  constructor(config: SqliteDialectConfig, lock: ReturnType<typeof fileLock>) {
    super(config)
    this.#lock = lock
  }
  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection()
    this.#release = await this.#lock.acquire()
    return connection
  }
  override async releaseConnection(): Promise<void> {
    const release = this.#release
    this.#release = undefined
    release?.()
    await super.releaseConnection()
  }
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}

class EngineSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig
  readonly #lock: ReturnType<typeof fileLock>
  constructor(config: SqliteDialectConfig, lock: ReturnType<typeof fileLock>) {
    super(config)
    this.#config = config
    this.#lock = lock
  }
  override createDriver(): Driver {
    return new EngineSqliteDriver(this.#config, this.#lock)
  }
}

/** `.data/billing.sqlite` works on a fresh checkout: SQLite creates the file but not its directory. */
function createParentDirectory(filename: string): void {
  if (filename === ':memory:' || filename.startsWith('file:')) return
  const dir = dirname(resolve(filename))
  try {
    mkdirSync(dir, { recursive: true })
  } catch (cause) {
    throw new Error(`openSqliteBilling: cannot create the directory ${dir} for ${filename}: ${(cause as Error).message}`, { cause })
  }
}

/** Opens (creating and migrating as needed) a billing engine on a SQLite file. Synchronous: the engine is ready on return. */
export function openSqliteBilling(options: SqliteBillingOptions): SqliteBilling {
  if (typeof options?.filename !== 'string' || options.filename === '') throw new TypeError('openSqliteBilling: filename must be a path or ":memory:"')
  if (options.seed !== undefined && options.seed !== 'demo') throw new TypeError(`openSqliteBilling: seed must be "demo", not ${JSON.stringify(options.seed)}`)
  if (options.now !== undefined && typeof options.now !== 'function') throw new TypeError('openSqliteBilling: now must be a function returning Unix seconds')
  if (options.baseUrl != null && typeof options.baseUrl !== 'string') throw new TypeError('openSqliteBilling: baseUrl must be a URL string (where invoice documents are served) or null')
  if (options.allowRepeatTrials !== undefined && typeof options.allowRepeatTrials !== 'boolean') throw new TypeError('openSqliteBilling: allowRepeatTrials must be a boolean')
  const maxKeys = options.maxApiKeysPerCustomer
  if (maxKeys !== undefined && (!Number.isSafeInteger(maxKeys) || maxKeys < 1)) throw new TypeError('openSqliteBilling: maxApiKeysPerCustomer must be a whole number of at least 1')
  checkUsageAlertOptions(options, 'openSqliteBilling')
  const clock = options.now ?? (() => Date.now() / 1000)
  const Database = loadDriver()
  createParentDirectory(options.filename)
  const raw = new Database(options.filename, { timeout: 5_000 })
  const lock = fileLock(options.filename)
  try {
    raw.pragma('journal_mode = WAL')
    raw.pragma('foreign_keys = ON')
    raw.pragma('busy_timeout = 5000')
    raw.pragma('synchronous = NORMAL')
    // A multi-row write inside a transaction keeps a statement journal (to undo just that
    // statement); on disk it is a temp file created, written page by page and deleted per
    // transaction, which was most of trackMany's system time. In memory it is freed at commit.
    raw.pragma('temp_store = MEMORY')
    const statements = new StatementCache(raw)
    // Kysely asks the database for a statement per query; hand it cached ones.
    const cached = Object.assign(Object.create(null) as object, {
      prepare: (sql: string) => statements.prepare(sql),
      close: () => {
        statements.clear()
        raw.close()
      },
    }) as RawDatabase & { prepare: StatementCache['prepare'] }
    const db = new Kysely<BillingDatabase>({ dialect: new EngineSqliteDialect({ database: cached }, lock) })
    const exec: SyncExecutor = syncExecutor(raw, statements)
    runSync(migrate(db, { to: options.migrateTo }), exec)
    if (options.seed === 'demo') runSync(seedDemo(db, Math.floor(clock())), exec)
    return createEngine(db, {
      now: clock,
      baseUrl: options.baseUrl == null ? null : options.baseUrl.replace(/\/+$/, ''),
      allowRepeatTrials: options.allowRepeatTrials,
      maxApiKeysPerCustomer: maxKeys,
      onUsageAlert: options.onUsageAlert,
      usageAlertWebhook: options.usageAlertWebhook,
      onError: options.onError,
      // Kysely's destroy() closes the handle once it was used; a never-queried engine closes it here.
      onClose: () => {
        lock.dispose()
        if (raw.open) raw.close()
      },
    })
  } catch (error) {
    lock.dispose()
    raw.close()
    throw error
  }
}
