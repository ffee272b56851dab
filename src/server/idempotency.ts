/**
 * Idempotency-Key support for Portal API mutations.
 *
 * - the same key and the same request replay the first response;
 * - the same key with another request is a 409 `conflict`;
 * - concurrent requests with one key share one in-flight execution, so a double-clicked
 *   "Change plan" charges once;
 * - only final outcomes are kept (`isFinalStatus`): a 429, a 5xx, a 404 or a thrown error
 *   releases the key, so the client's retry runs again instead of replaying a passing failure;
 * - a response that reveals a secret is kept (and replayed) in the form `redact` gives it,
 *   never in plaintext.
 *
 * Keys are scoped by the caller (app + customer) before they reach the store.
 */
import { BillingError } from './billing/types.js'

export interface StoredResponse {
  status: number
  /** The JSON body as sent. */
  body: string
  headers?: Record<string, string>
}

export interface IdempotencyRecord {
  /** Hash of method, route and canonical body. */
  fingerprint: string
  response: StoredResponse
}

/**
 * Where finished responses are kept. The default is in memory (one process); implement
 * this over Redis or a table to share keys between instances.
 */
export interface IdempotencyStore {
  get(key: string): IdempotencyRecord | undefined | Promise<IdempotencyRecord | undefined>
  set(key: string, record: IdempotencyRecord): void | Promise<void>
  /**
   * Optional, for stores shared by several instances: atomically marks `key` as running
   * (Redis `SET key NX PX ttl`, or an insert on a unique key) and answers true, or false
   * when it is already running or done. Without it, one key sent to two instances at
   * once runs on both. `set` and `release` end the claim.
   */
  claim?(key: string, ttlMs: number): boolean | Promise<boolean>
  /** Drops a claim whose request ended without a response to keep (a 429, a 5xx...). */
  release?(key: string): void | Promise<void>
}

/** How long a claim holds; a crashed instance's claim lapses after it. */
const CLAIM_TTL_MS = 60_000
/** How long a request waits for another instance running its key, and how often it looks. */
const CLAIM_WAIT_MS = 15_000
const CLAIM_POLL_MS = 25

export interface MemoryIdempotencyStoreOptions {
  /** Default 10 000; the least recently used key goes first. */
  maxEntries?: number
  /** Default 24 hours. */
  ttlMs?: number
  /** The clock in Unix seconds; default the system clock. */
  now?: () => number
}

const DAY_MS = 24 * 60 * 60 * 1000

/** A bounded LRU with a TTL: a Map keeps insertion order, and a read re-inserts. */
export function memoryIdempotencyStore(options: MemoryIdempotencyStoreOptions = {}): IdempotencyStore {
  const maxEntries = options.maxEntries ?? 10_000
  const ttlMs = options.ttlMs ?? DAY_MS
  const nowMs = options.now ? () => options.now!() * 1000 : Date.now
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError('`maxEntries` must be a positive integer')
  if (!(ttlMs > 0)) throw new TypeError('`ttlMs` must be a positive number')
  const entries = new Map<string, IdempotencyRecord & { expiresAt: number }>()
  /** Keys running now, with when their claim lapses; shared by every handler given this store. */
  const claims = new Map<string, number>()
  return {
    get(key) {
      const entry = entries.get(key)
      if (!entry) return undefined
      entries.delete(key)
      if (entry.expiresAt <= nowMs()) return undefined
      entries.set(key, entry)
      return { fingerprint: entry.fingerprint, response: entry.response }
    },
    set(key, record) {
      claims.delete(key)
      entries.delete(key)
      entries.set(key, { ...record, expiresAt: nowMs() + ttlMs })
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string)
    },
    claim(key, claimTtlMs) {
      const at = nowMs()
      const entry = entries.get(key)
      if (entry && entry.expiresAt > at) return false
      const held = claims.get(key)
      if (held !== undefined && held > at) return false
      claims.set(key, at + claimTtlMs)
      // Bounded like the entries: lapsed claims go first.
      if (claims.size > maxEntries) for (const [k, until] of claims) if (until <= at || claims.size > maxEntries) claims.delete(k)
      return true
    },
    release(key) {
      claims.delete(key)
    },
  }
}

/**
 * Outcomes a retry with the same request would get again: 2xx, and the 4xx that describe
 * the request or the account (400 invalid, 402 declined, 409 conflict, 422). Not final: 429
 * and 5xx (passing), 404 (the resource may appear), 401/403 (a new token may pass).
 */
export function isFinalStatus(status: number): boolean {
  return (status >= 200 && status < 300) || status === 400 || status === 402 || status === 409 || status === 422
}

/** The form in which a response is kept and replayed (a revealed secret masked). */
export type Redact = (response: StoredResponse) => StoredResponse

/**
 * The `Redact` of a route declared `reveals: 'secret'`: a success is kept without its
 * `secret`, flagged `secret_already_shown`, so a replay shows the key masked.
 */
export const withoutSecret: Redact = (response) => {
  if (response.status < 200 || response.status >= 300) return response
  const { secret: _secret, ...rest } = JSON.parse(response.body) as Record<string, unknown>
  return { ...response, body: JSON.stringify({ ...rest, secret_already_shown: true }) }
}

export interface IdempotentResult {
  response: StoredResponse
  /** True when this request did not run the mutation itself. */
  replayed: boolean
}

const conflict = () =>
  new BillingError('conflict', 'This Idempotency-Key was already used with a different request', {
    field: 'Idempotency-Key',
  })
const stillRunning = () =>
  new BillingError('conflict', 'A request with this Idempotency-Key is still being processed; retry shortly', {
    field: 'Idempotency-Key',
    retryAfter: 1,
  })

/** Runs each keyed mutation at most once per (scoped key, fingerprint). */
export class IdempotencyCoordinator {
  private readonly inFlight = new Map<string, { fingerprint: string; promise: Promise<IdempotentResult> }>()

  constructor(private readonly store: IdempotencyStore) {}

  /**
   * `redact` gives the form kept and replayed (default the response itself): only the
   * request that ran the mutation sees the response as it was.
   */
  run(key: string, fingerprint: string, execute: () => Promise<StoredResponse>, redact: Redact = (response) => response): Promise<IdempotentResult> {
    const running = this.inFlight.get(key)
    if (running) {
      if (running.fingerprint !== fingerprint) return Promise.reject(conflict())
      return running.promise.then(({ response, replayed }) => ({ response: replayed ? response : redact(response), replayed: true }))
    }
    // Registered before the first await, so a request arriving meanwhile joins this one.
    const promise = this.lookupOrExecute(key, fingerprint, execute, redact)
    this.inFlight.set(key, { fingerprint, promise })
    const settle = () => this.inFlight.delete(key)
    promise.then(settle, settle)
    return promise
  }

  private async lookupOrExecute(key: string, fingerprint: string, execute: () => Promise<StoredResponse>, redact: Redact): Promise<IdempotentResult> {
    const deadline = Date.now() + CLAIM_WAIT_MS
    for (;;) {
      const stored = await this.store.get(key)
      if (stored) {
        if (stored.fingerprint !== fingerprint) throw conflict()
        return { response: stored.response, replayed: true }
      }
      // Another instance sharing the store runs this key: wait for its response, as the
      // in-flight map does within one instance, rather than run the mutation twice.
      if (!this.store.claim || (await this.store.claim(key, CLAIM_TTL_MS))) break
      if (Date.now() >= deadline) throw stillRunning()
      await new Promise((resolve) => setTimeout(resolve, CLAIM_POLL_MS))
    }
    let response: StoredResponse
    try {
      response = await execute()
    } catch (error) {
      await this.store.release?.(key)
      throw error
    }
    if (isFinalStatus(response.status)) await this.store.set(key, { fingerprint, response: redact(response) })
    else await this.store.release?.(key)
    return { response, replayed: false }
  }
}
