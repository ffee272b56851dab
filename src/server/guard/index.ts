/**
 * `createApiKeyGuard({ billing, metric, cost })`: the seller's own API behind its
 * customers' API keys. Who is calling (the key), may they (subscription, quota), and
 * count it: the usage the portal shows. Guarantees and bounds: docs/metering.md.
 *
 *   const guard = createApiKeyGuard({ billing, metric: 'api_calls' })
 *   const verdict = await guard.check(request)          // fetch-standard Request
 *   app.use('/v1', guard.node())                        // Express / node:http; sets req.archetype
 */
import * as crypto from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ApiKeyOwner, CheckResult, MeteringBackend } from '../billing/types.js'
import { createCounter, type CustomerState } from './counter.js'

export interface ApiKeyGuardOptions {
  /** The SQLite engine, or `stripeBilling` with `apiKeys`: anything with verifyApiKey, check and trackMany. */
  billing: MeteringBackend
  /** The metric each request counts against, e.g. `api_calls`. */
  metric: string
  /** Units a request costs: a whole number (default 1), or a function of the request (the fetch Request, or Node's IncomingMessage under `node()`). */
  cost?: number | ((request: Request | IncomingMessage) => number)
  /** How long a verified (or unknown) key is trusted before it is read again, seconds; default 5. A roll or revoke on the same `billing` object applies at once. */
  keyCacheSeconds?: number
  /** Flush counted usage at least this often, milliseconds; default 1,000. */
  flushIntervalMs?: number
  /** Flush as soon as this many requests were counted; default 1,000. */
  flushEvents?: number
  /** Where background failures go (a flush that will be retried, a refused event); default console.error. */
  onError?: (error: unknown) => void
  /** The clock, milliseconds; default Date.now. */
  now?: () => number
}

export type GuardVerdict =
  | { ok: true; customer: ApiKeyOwner; headers: Record<string, string> }
  | { ok: false; response: Response }

export interface ApiKeyGuard {
  check(request: Request): Promise<GuardVerdict>
  /** Express / node:http middleware: `(req, res, next)`; on success sets `req.archetype` and the RateLimit headers, then calls `next()`. */
  node(): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void
  /** Sends what was counted now (it is also sent every second). */
  flush(): Promise<void>
  /** Flushes and stops; later checks throw. */
  close(): Promise<void>
}

type Refusal = { status: number; code: string; message: string; headers?: Record<string, string> }

const MAX_KEYS_CACHED = 10_000

/** SHA-256 as hex: the one-shot `crypto.hash` (Node ≥ 20.12) costs a fifth of a Hash object. */
const sha256 = typeof crypto.hash === 'function' ? (text: string) => crypto.hash('sha256', text) : (text: string) => crypto.createHash('sha256').update(text).digest('hex')

/** Compares two hex digests of equal length without stopping at the first difference. */
function sameDigest(a: string, b: string): boolean {
  let diff = a.length ^ b.length
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/

const fail = (message: string): never => {
  throw new TypeError(`createApiKeyGuard: ${message}`)
}

function checkOptions(o: ApiKeyGuardOptions) {
  if (!o || typeof o !== 'object') fail('needs options: createApiKeyGuard({ billing, metric })')
  const b = o.billing as Partial<MeteringBackend> | undefined
  if (!b || typeof b.verifyApiKey !== 'function' || typeof b.check !== 'function' || typeof b.trackMany !== 'function') {
    fail('`billing` must have verifyApiKey, check and trackMany: an openSqliteBilling() engine, or stripeBilling({ apiKeys })')
  }
  if (typeof o.metric !== 'string' || o.metric === '') fail('`metric` must be a metric key such as "api_calls"')
  const cost = o.cost ?? 1
  if (typeof cost !== 'function' && (!Number.isSafeInteger(cost) || cost < 0)) fail('`cost` must be a whole number of at least 0, or a function (request) => number')
  const positive = (v: number | undefined, name: string, fallback: number) => {
    if (v === undefined) return fallback
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(`\`${name}\` must be a positive number`)
    return v
  }
  return {
    cost,
    keyTtlMs: positive(o.keyCacheSeconds, 'keyCacheSeconds', 5) * 1000,
    flushMs: positive(o.flushIntervalMs, 'flushIntervalMs', 1_000),
    flushEvents: positive(o.flushEvents, 'flushEvents', 1_000),
    onError: o.onError ?? ((error: unknown) => console.error(error)),
    now: o.now ?? Date.now,
  }
}

export function createApiKeyGuard(options: ApiKeyGuardOptions): ApiKeyGuard {
  const { cost, keyTtlMs, flushMs, flushEvents, onError, now } = checkOptions(options)
  const { billing, metric } = options
  const counter = createCounter({ billing, metric, now, onError, staleMs: keyTtlMs })

  // ---- keys: sha256(secret) -> owner (or null: unknown), trusted for keyTtlMs
  const keys = new Map<string, { hash: string; owner: ApiKeyOwner | null; expires: number }>()
  const verifying = new Map<string, Promise<ApiKeyOwner | null>>()
  const unsubscribe = billing.onApiKeyChange?.((change) => {
    for (const [hex, entry] of keys) if (entry.owner?.apiKeyId === change.apiKeyId) keys.delete(hex)
  })

  /** The key's owner: from the cache when it is fresh (no promise on the hot path), else from the engine. */
  function owner(secret: string, at: number): ApiKeyOwner | null | Promise<ApiKeyOwner | null> {
    const hex = sha256(secret)
    const cached = keys.get(hex)
    // The map finds the entry by hash; the digests are still compared in constant time.
    if (cached && cached.expires > at && sameDigest(cached.hash, hex)) return cached.owner
    let pending = verifying.get(hex)
    if (!pending) {
      pending = billing
        .verifyApiKey(secret, { markUsed: false })
        .then((found) => {
          if (keys.size >= MAX_KEYS_CACHED) keys.clear()
          keys.set(hex, { hash: hex, owner: found, expires: now() + keyTtlMs })
          return found
        })
        .finally(() => verifying.delete(hex))
      verifying.set(hex, pending)
    }
    return pending
  }

  // ---- the answer
  const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000))

  /** IETF draft-ietf-httpapi-ratelimit-headers: the quota, what is left and when it resets. */
  function rateLimitHeaders(base: CheckResult, used: number, at: number): Record<string, string> {
    if (base.limit === null || base.resets_at === null) return {}
    const reset = seconds(base.resets_at * 1000 - at)
    return {
      'RateLimit-Policy': `"${metric}";q=${base.limit}`,
      RateLimit: `"${metric}";r=${Math.max(0, base.limit - used)};t=${reset}`,
    }
  }

  function decide(s: CustomerState, units: number, at: number): Refusal | null {
    const { base } = s
    if (base.reason === 'no_subscription') return { status: 403, code: 'no_subscription', message: 'This API key’s account has no subscription.' }
    if (base.reason === 'subscription_inactive') return { status: 403, code: 'subscription_inactive', message: `This API key’s subscription is ${base.status ?? 'inactive'}: settle the account to continue.` }
    if (base.reason === 'not_in_plan') return { status: 403, code: 'not_in_plan', message: `This API key’s plan does not include ${metric}.` }
    const used = counter.used(s)
    const retryAfter = () => ({ 'Retry-After': String(Math.max(1, seconds((base.resets_at ?? 0) * 1000 - at))) })
    if (base.limit !== null && !base.overage_priced && used + units > base.limit) {
      return { status: 429, code: 'quota_exceeded', message: `The ${metric} quota of ${base.limit} is used up until the period resets.`, headers: retryAfter() }
    }
    // The customer's own spend limit on priced overage: the same answer, its own code.
    if (base.stops_at != null && used + units > base.stops_at) {
      return { status: 429, code: 'spend_limit_reached', message: `The spend limit on ${metric} is reached until the period resets (raise it in the billing portal).`, headers: retryAfter() }
    }
    return null
  }

  const invalidKey: Refusal = { status: 401, code: 'invalid_api_key', message: 'Missing or invalid API key.', headers: { 'WWW-Authenticate': 'Bearer' } }

  type Outcome = { ok: true; customer: ApiKeyOwner; headers: Record<string, string> } | { ok: false; refusal: Refusal }

  let closed = false
  /**
   * The verdict, synchronously when the key and the customer are cached and no full window
   * waits for its flush (the hot path: no promise, no microtask), else a promise of it.
   */
  function run(header: (name: string) => string | null | undefined, request: Request | IncomingMessage): Outcome | Promise<Outcome> {
    if (closed) throw new Error('createApiKeyGuard: the guard is closed')
    const secret = keyFrom(header)
    const found = secret === null ? null : owner(secret, now())
    return found instanceof Promise ? found.then((o) => admit(o, request)) : admit(found, request)
  }

  function admit(found: ApiKeyOwner | null, request: Request | IncomingMessage): Outcome | Promise<Outcome> {
    if (!found) return { ok: false, refusal: invalidKey }
    const units = typeof cost === 'function' ? cost(request) : cost
    if (!Number.isSafeInteger(units) || units < 0) throw new TypeError(`createApiKeyGuard: cost(request) returned ${String(units)}: it must be a whole number of at least 0`)
    // A full window waits for its flush (and the refresh after it): no instance lets more
    // than flushEvents through unseen by the others, which is what bounds the overshoot.
    if (counter.events >= flushEvents) return counter.flush().then(() => counted(found, units))
    return counted(found, units)
  }

  function counted(found: ApiKeyOwner, units: number): Outcome | Promise<Outcome> {
    const known = counter.state(found)
    return known instanceof Promise ? known.then((s) => answer(found, s, units)) : answer(found, known, units)
  }

  function answer(found: ApiKeyOwner, s: CustomerState, units: number): Outcome {
    const at = now()
    const refusal = decide(s, units, at)
    if (refusal) return { ok: false, refusal: { ...refusal, headers: { ...rateLimitHeaders(s.base, counter.used(s), at), ...refusal.headers } } }
    if (counter.count(s, found.apiKeyId, units) >= flushEvents) counter.flush().catch(onError)
    return { ok: true, customer: found, headers: rateLimitHeaders(s.base, counter.used(s), at) }
  }

  const timer = setInterval(() => void counter.flush(), flushMs)
  timer.unref?.()

  const body = (r: Refusal) => JSON.stringify({ error: { code: r.code, message: r.message } })
  const baseHeaders = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }

  return {
    async check(request) {
      if (!(request instanceof Request)) throw new TypeError('guard.check(request): request must be a fetch Request (use guard.node() for node:http and Express)')
      const outcome = await run((name) => request.headers.get(name), request)
      if (outcome.ok) return outcome
      return { ok: false, response: new Response(body(outcome.refusal), { status: outcome.refusal.status, headers: { ...baseHeaders, ...outcome.refusal.headers } }) }
    },
    node() {
      return (req, res, next) => {
        const respond = (outcome: Outcome) => {
          if (outcome.ok) {
            ;(req as IncomingMessage & { archetype?: ApiKeyOwner }).archetype = outcome.customer
            for (const name in outcome.headers) res.setHeader(name, outcome.headers[name])
            next()
            return
          }
          res.writeHead(outcome.refusal.status, { ...baseHeaders, ...outcome.refusal.headers })
          res.end(body(outcome.refusal))
        }
        let outcome: Outcome | Promise<Outcome>
        try {
          outcome = run((name) => {
            const value = req.headers[name]
            return Array.isArray(value) ? value[0] : value
          }, req)
        } catch (error) {
          next(error)
          return
        }
        // The hot path answers in this tick; an error thrown by next() is the app's, not the guard's.
        if (!(outcome instanceof Promise)) respond(outcome)
        else outcome.then(respond, (error: unknown) => next(error))
      }
    },
    flush: () => counter.flush(),
    async close() {
      if (closed) return
      closed = true
      clearInterval(timer)
      unsubscribe?.()
      await counter.flush()
    },
  }
}

/** `Authorization: Bearer <key>` or `X-API-Key: <key>`; anything else is no key. */
function keyFrom(header: (name: string) => string | null | undefined): string | null {
  const authorization = header('authorization')
  const bearer = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined
  const key = bearer ?? header('x-api-key')?.trim()
  return key && KEY_PATTERN.test(key) ? key : null
}
