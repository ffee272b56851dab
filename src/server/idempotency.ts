/**
 * Idempotency-Key support for Portal API mutations.
 *
 * - the same key and the same request replay the first response;
 * - the same key with another request is a 409 `conflict`;
 * - concurrent requests with one key share one in-flight execution, so a double-clicked
 *   "Change plan" charges once;
 * - responses with a 5xx status are not kept, so the client's retry runs again.
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
}

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
      entries.delete(key)
      entries.set(key, { ...record, expiresAt: nowMs() + ttlMs })
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string)
    },
  }
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

/** Runs each keyed mutation at most once per (scoped key, fingerprint). */
export class IdempotencyCoordinator {
  private readonly inFlight = new Map<string, { fingerprint: string; promise: Promise<IdempotentResult> }>()

  constructor(private readonly store: IdempotencyStore) {}

  run(key: string, fingerprint: string, execute: () => Promise<StoredResponse>): Promise<IdempotentResult> {
    const running = this.inFlight.get(key)
    if (running) {
      if (running.fingerprint !== fingerprint) return Promise.reject(conflict())
      return running.promise.then(({ response }) => ({ response, replayed: true }))
    }
    // Registered before the first await, so a request arriving meanwhile joins this one.
    const promise = this.lookupOrExecute(key, fingerprint, execute)
    this.inFlight.set(key, { fingerprint, promise })
    const settle = () => this.inFlight.delete(key)
    promise.then(settle, settle)
    return promise
  }

  private async lookupOrExecute(key: string, fingerprint: string, execute: () => Promise<StoredResponse>): Promise<IdempotentResult> {
    const stored = await this.store.get(key)
    if (stored) {
      if (stored.fingerprint !== fingerprint) throw conflict()
      return { response: stored.response, replayed: true }
    }
    const response = await execute()
    if (response.status < 500) await this.store.set(key, { fingerprint, response })
    return { response, replayed: false }
  }
}
