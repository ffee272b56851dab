import type { ErrorBody, PortalError } from './types.js'
import { isAbortError, linked, newIdempotencyKey, type ApiClient, type MutationRequestOptions, type RequestOptions, type RequestPolicy } from './transport.js'

export { isAbortError, newIdempotencyKey }

export type { ApiClient, MutationRequestOptions, RequestOptions, RequestPolicy }

export interface ApiClientOptions {
  /** Where the Portal API is mounted, e.g. `/api/portal` or `https://api.example.com/portal`; a function is read per request. */
  apiUrl: string | (() => string)
  /** Read on every attempt, so a renewed token is used by the next retry. */
  getToken: () => string
  fetch: typeof fetch
  /** The portal's signal: aborted on destroy; every request stops with it. */
  signal: AbortSignal
  /** Called as each request starts; the function it returns is called if that request succeeds. */
  track?: () => () => void
  /** A `Retry-After` longer than this is not waited for: the request fails as `rate_limited`. Default 10 s. */
  maxRetryAfterMs?: number
  /** Injectable for tests. Resolves after `ms`, rejects with an abort if `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  random?: () => number
}

/** Per attempt. */
const TIMEOUT_MS = 10_000
/** Extra attempts after the first. */
const RETRIES = 2
/** The first backoff step; it doubles each retry, plus up to one step of jitter. */
const BACKOFF_MS = 300

function abortError(): Error {
  return new DOMException('The request was aborted', 'AbortError')
}

/** Resolves after `ms`; rejects with an abort if `signal` (a request's own, not aborted yet) aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(abortError())
    })
  })
}

/**
 * One attempt's outcome: a value, or an error and the `Retry-After` it came with. Whether
 * another attempt may help follows from the error: no answer (`network`), a 5xx or a 429.
 */
type Attempt<T> = { value: T } | { error: PortalError; retryAfterMs?: number }

export function createApiClient(options: ApiClientOptions): ApiClient {
  const { apiUrl, getToken, signal: portalSignal, maxRetryAfterMs = 10_000, sleep: wait = sleep, random = Math.random } = options
  const mountedAt = () => (typeof apiUrl === 'function' ? apiUrl() : apiUrl)

  async function request<T>(method: string, path: string, body: unknown, opts: RequestPolicy = {}): Promise<T> {
    // A mutation without an Idempotency-Key could be applied twice; it gets one attempt.
    const mayRetry = method === 'GET' || opts.safe || opts.idempotencyKey !== undefined
    const succeeded = options.track?.()
    // Stops with the portal's signal or the request's own.
    const [controller, release] = linked(portalSignal, opts.signal)
    const { signal } = controller
    try {
      for (let attempt = 0; ; attempt++) {
        if (signal.aborted) throw abortError()
        const outcome = await once<T>(method, path, body, opts.idempotencyKey, signal)
        if (signal.aborted) throw abortError()
        if ('value' in outcome) {
          succeeded?.()
          return outcome.value
        }
        const { error } = outcome
        const status = error.status ?? 500
        const delay = outcome.retryAfterMs ?? BACKOFF_MS * 2 ** attempt + random() * BACKOFF_MS
        if (!mayRetry || (status < 500 && status !== 429) || attempt >= RETRIES || delay > maxRetryAfterMs) throw error
        await wait(delay, signal)
      }
    } finally {
      release()
    }
  }

  async function once<T>(method: string, path: string, body: unknown, idempotencyKey: string | undefined, requestSignal: AbortSignal): Promise<Attempt<T>> {
    const [controller, release] = linked(requestSignal)
    const { signal } = controller
    // setTimeout rather than AbortSignal.timeout: cleared as soon as the attempt settles,
    // so destroy() leaves no timer behind.
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, TIMEOUT_MS)
    // A transport that ignores the signal still cannot hold the caller past an abort.
    const stopped = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(abortError())))
    const race = <R>(pending: Promise<R>) => Promise.race([pending, stopped])
    try {
      const headers: Record<string, string> = { Accept: JSON_TYPE }
      // No token (the pricing portal's visitor): no header, so a public GET needs no CORS preflight.
      const token = getToken()
      if (token) headers.Authorization = `Bearer ${token}`
      if (idempotencyKey !== undefined) headers['Idempotency-Key'] = idempotencyKey
      const init: RequestInit = { method, headers, signal }
      if (body !== undefined) {
        headers['Content-Type'] = JSON_TYPE
        init.body = JSON.stringify(body)
      }
      const response = await race(options.fetch(mountedAt().replace(/\/+$/, '') + path, init))
      return interpret<T>(response, await race(response.text()))
    } catch (error) {
      if (!timedOut && isAbortError(error)) throw abortError()
      return { error: { code: 'network', message: timedOut ? `The Portal API did not answer within ${TIMEOUT_MS / 1000} s` : 'The Portal API could not be reached' } }
    } finally {
      clearTimeout(timer)
      release()
    }
  }

  function interpret<T>(response: Response, text: string): Attempt<T> {
    const { status } = response
    let json: { error?: Partial<ErrorBody['error']> } | null | undefined
    try {
      json = JSON.parse(text)
    } catch {
      // an empty body, or not JSON: json stays undefined
    }
    const ok = status >= 200 && status < 300
    // A 204, or another answer with nothing to say.
    if (ok && !text) return { value: undefined as T }
    if (ok && typeof json === 'object' && json !== null) return { value: json as T }
    const rateLimited = status === 429
    // Seconds, as the Portal API sends it; anything else falls back to the backoff.
    const seconds = rateLimited ? Number(response.headers.get('Retry-After')?.trim() || NaN) : NaN
    const retryAfterMs = seconds >= 0 ? seconds * 1000 : undefined
    const wire = ok ? undefined : json?.error
    const known = typeof wire?.code === 'string' && typeof wire.message === 'string'
    // A proxy's HTML error page, an empty body, or JSON of another shape. A 2xx or 4xx like
    // that is most often a request that missed the Portal API: say where it went.
    const hint = status >= 500 || rateLimited ? '' : `: is apiUrl (${mountedAt()}) where the Portal API is mounted?`
    const error: PortalError = {
      code: rateLimited ? 'rate_limited' : !known ? 'bad_response' : status !== 401 || wire.code === 'session_expired' ? wire.code! : 'unauthorized',
      message: known ? wire.message! : `The Portal API ${ok ? 'sent a response that is not JSON' : `answered ${status} without an error body`}${hint}`,
      status,
    }
    if (known && typeof wire.field === 'string') error.field = wire.field
    return { error, retryAfterMs }
  }

  return { request }
}

const JSON_TYPE = 'application/json'
