/**
 * State that several server instances on one database share: Idempotency-Key responses
 * and claims (an `IdempotencyStore`), and rate-limit windows. Tables of migration 7,
 * written with portable upserts; expired rows are swept on write, a bounded batch now
 * and then, so no cron of the seller's is needed.
 */
import type { Kysely } from 'kysely'
import type { IdempotencyStore, StoredResponse } from '../../idempotency.js'
import type { RateLimitCounters } from '../../rate-limit.js'
import type { SharedStores } from '../types.js'
import type { BillingDatabase } from '../engine/schema.js'

const DAY_MS = 24 * 60 * 60 * 1000
/** One write in this many sweeps up to SWEEP_BATCH expired rows. */
const SWEEP_EVERY = 50
const SWEEP_BATCH = 500

export interface SharedStoreOptions {
  /** How long a finished response is replayed; default 24 hours. */
  ttlMs?: number
  /** The clock in Unix seconds; default the system clock. */
  now?: () => number
}

export function sharedStores(db: Kysely<BillingDatabase>, options: SharedStoreOptions = {}): SharedStores {
  const ttlMs = options.ttlMs ?? DAY_MS
  if (!(ttlMs > 0)) throw new TypeError('`ttlMs` must be a positive number')
  const nowMs = options.now ? () => Math.floor(options.now!() * 1000) : Date.now
  let writes = 0

  /** Now and then, deletes a bounded batch of rows past their time from both tables (portable: no DELETE … LIMIT). */
  async function sweep(at: number): Promise<void> {
    if (++writes % SWEEP_EVERY !== 0) return
    for (const table of ['billing_idempotency', 'billing_rate_limits'] as const) {
      await db
        .deleteFrom(table)
        .where('key', 'in', (eb) => eb.selectFrom(table).select('key').where('expires_at', '<=', at).limit(SWEEP_BATCH))
        .execute()
    }
  }

  const idempotency: IdempotencyStore = {
    async get(key) {
      const row = await db
        .selectFrom('billing_idempotency')
        .select(['fingerprint', 'response'])
        .where('key', '=', key)
        .where('response', 'is not', null)
        .where('expires_at', '>', nowMs())
        .executeTakeFirst()
      if (!row || row.fingerprint === null || row.response === null) return undefined
      return { fingerprint: row.fingerprint, response: JSON.parse(row.response) as StoredResponse }
    },
    async set(key, record) {
      const at = nowMs()
      const values = { fingerprint: record.fingerprint, response: JSON.stringify(record.response), expires_at: at + ttlMs }
      await db
        .insertInto('billing_idempotency')
        .values({ key, ...values })
        .onConflict((oc) => oc.column('key').doUpdateSet(values))
        .execute()
      await sweep(at)
    },
    // One atomic upsert: a new key, or one whose response or claim lapsed, is taken; a
    // key running or done elsewhere is left alone and nothing is returned.
    async claim(key, claimTtlMs) {
      const at = nowMs()
      const values = { fingerprint: null, response: null, expires_at: at + claimTtlMs }
      const taken = await db
        .insertInto('billing_idempotency')
        .values({ key, ...values })
        .onConflict((oc) => oc.column('key').doUpdateSet(values).where('billing_idempotency.expires_at', '<=', at))
        .returning('key')
        .executeTakeFirst()
      return taken !== undefined
    },
    async release(key) {
      await db.deleteFrom('billing_idempotency').where('key', '=', key).where('response', 'is', null).execute()
    },
  }

  const rateLimit: RateLimitCounters = {
    async hit(key, windowStart, windowMs) {
      const expires = windowStart + windowMs
      const row = await db
        .insertInto('billing_rate_limits')
        .values({ key, window_start: windowStart, hits: 1, expires_at: expires })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => ({
            // Same window: one more; a later one starts again at 1.
            hits: eb.case().when('billing_rate_limits.window_start', '=', windowStart).then(eb('billing_rate_limits.hits', '+', 1)).else(eb.lit(1)).end(),
            window_start: windowStart,
            expires_at: expires,
          })),
        )
        .returning('hits')
        .executeTakeFirstOrThrow()
      await sweep(nowMs())
      return Number(row.hits)
    },
  }

  return { idempotency, rateLimit }
}
