/**
 * The billing engine on PostgreSQL: `await openPostgresBilling({ connectionString })`.
 *
 * The same engine as SQLite's (./engine/engine.ts, portable SQL through Kysely), on
 * Kysely's PostgreSQL dialect and the `pg` driver, an optional peer dependency loaded on
 * first call. Many server instances may share one database: migrations and the seed run
 * once under an advisory lock, every mutation of a customer takes that customer's row
 * lock, and Idempotency-Keys and rate-limit counters live in tables all instances see.
 */
import { Kysely, PostgresDialect, sql } from 'kysely'
import { createEngine, type BillingEngine } from './engine/engine.js'
import { migrate } from './engine/migrations.js'
import type { BillingDatabase } from './engine/schema.js'
import { runAsync, type AsyncScriptExecutor } from './engine/script.js'
import { seedDemo } from './engine/seed.js'
import { engineTypes, loadPg, typedPool, type PgPool } from './postgres/driver.js'
import { sharedStores } from './postgres/shared-stores.js'
import type { UsageAlertOptions } from './engine/usage-controls.js'
import { checkUsageAlertOptions } from './engine/usage-options.js'
import type { SharedStores } from './types.js'

export type { PgPool } from './postgres/driver.js'

interface CommonOptions extends UsageAlertOptions {
  /** `'demo'` seeds the demo app and customers, once per database. */
  seed?: 'demo'
  /** The clock, in Unix seconds; default the system clock. */
  now?: () => number
  /** Where invoice documents and checkouts are served (as for `openSqliteBilling`); default null. */
  baseUrl?: string | null
  /** Migrate only up to this version (tests). */
  migrateTo?: number
}

export type PostgresBillingOptions = CommonOptions &
  (
    | {
        /** `postgres://user:password@host:5432/database`; the engine makes (and `close()` ends) its pool. */
        connectionString: string
        /** Connections in the engine's pool; default 10 (docs/billing-engine.md: pool sizing). */
        max?: number
        pool?: never
      }
    | {
        /** A `pg.Pool` of yours; `close()` leaves it open. */
        pool: PgPool
        connectionString?: never
        max?: never
      }
  )

export interface PostgresBilling extends BillingEngine {
  sharedStores(options?: { now?: () => number }): SharedStores
}

/** Any fixed number, the same in every instance: it names the lock migrations take. */
const MIGRATION_LOCK = 0x4170_5f6d_6967 // "Ap_mig"

/**
 * Run the transaction again on: a serialization failure, a deadlock, and a unique
 * violation (another instance committed the same row first, e.g. two instances applying
 * one catalogue on start: run again, this one sees that row and the existing-row path
 * answers, a no-op diff or a `conflict`).
 */
const TRANSIENT = new Set(['40001', '40P01', '23505'])

function checkOptions(options: PostgresBillingOptions): void {
  const o = options as unknown as Partial<Record<string, unknown>> | undefined
  if (!o || typeof o !== 'object') throw new TypeError('openPostgresBilling needs { connectionString } or { pool }')
  const hasUrl = typeof o.connectionString === 'string' && o.connectionString !== ''
  const hasPool = o.pool != null && typeof (o.pool as PgPool).connect === 'function'
  if (hasUrl === hasPool) throw new TypeError('openPostgresBilling: pass either connectionString (a postgres:// URL) or pool (a pg.Pool), not both and not neither')
  if (o.max !== undefined && !(Number.isInteger(o.max) && (o.max as number) >= 1)) throw new TypeError('openPostgresBilling: max must be a positive integer (connections in the pool)')
  if (o.seed !== undefined && o.seed !== 'demo') throw new TypeError(`openPostgresBilling: seed must be "demo", not ${JSON.stringify(o.seed)}`)
  if (o.now !== undefined && typeof o.now !== 'function') throw new TypeError('openPostgresBilling: now must be a function returning Unix seconds')
  if (o.baseUrl != null && typeof o.baseUrl !== 'string') throw new TypeError('openPostgresBilling: baseUrl must be a URL string (where invoice documents are served) or null')
  checkUsageAlertOptions(options, 'openPostgresBilling')
}

/** Opens the engine on a PostgreSQL database, migrating (and seeding) it first; resolves when it is ready. */
export async function openPostgresBilling(options: PostgresBillingOptions): Promise<PostgresBilling> {
  checkOptions(options)
  const clock = options.now ?? (() => Date.now() / 1000)
  const pg = loadPg()
  const owned = options.pool === undefined
  const pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString as string, max: options.max ?? 10 })
  const db = new Kysely<BillingDatabase>({ dialect: new PostgresDialect({ pool: typedPool(pool, engineTypes(pg), owned) }) })
  try {
    // One transaction under one advisory lock: instances starting together wait for the
    // first, then find its versions (and seed) committed and apply nothing.
    await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK)})`.execute(trx)
      const exec: AsyncScriptExecutor = { query: async (q) => (await trx.executeQuery(q)).rows, transaction: (fn) => fn() }
      await runAsync(migrate(trx, { to: options.migrateTo }), exec)
      if (options.seed === 'demo') await runAsync(seedDemo(trx, Math.floor(clock())), exec)
    })
  } catch (error) {
    await db.destroy()
    throw error
  }
  const engine = createEngine(db, {
    now: clock,
    baseUrl: options.baseUrl == null ? null : options.baseUrl.replace(/\/+$/, ''),
    onUsageAlert: options.onUsageAlert,
    usageAlertWebhook: options.usageAlertWebhook,
    onError: options.onError,
    traits: { rowLocks: true, isTransient: (error) => TRANSIENT.has((error as { code?: string } | null)?.code ?? '') },
  })
  return { ...engine, sharedStores: (o) => sharedStores(db, o) }
}

/** The engine's Idempotency-Key store on its database, for a handler you configure yourself. */
export function postgresIdempotencyStore(billing: PostgresBilling, options?: { now?: () => number }) {
  return billing.sharedStores(options).idempotency
}
