import type { ErrorBody, ErrorCode, PortalError } from './types.js'
import type { ApiClient, MutationRequestOptions, RequestOptions, RequestPolicy } from './transport.js'

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
  /** Per attempt. Default 10 s. */
  timeoutMs?: number
  /** Extra attempts after the first. Default 2. */
  retries?: number
  /** First backoff step; doubles each retry, plus up to one step of jitter. Default 300 ms. */
  backoffMs?: number
  /** A `Retry-After` longer than this is not waited for: the request fails as `rate_limited`. Default 10 s. */
  maxRetryAfterMs?: number
  /** Injectable for tests. Resolves after `ms`, rejects with an abort if `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  random?: () => number
}

export function portalError(code: ErrorCode, message: string, status?: number, field?: string): PortalError {
  const error: PortalError = { code, message }
  if (status !== undefined) error.status = status
  if (field !== undefined) error.field = field
  return error
}

/** The rejection of a request stopped by its own or the portal's signal. Callers drop it. */
export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError'
}

export function newIdempotencyKey(): string {
  return crypto.randomUUID()
}

function abortError(): Error {
  return new DOMException('The request was aborted', 'AbortError')
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError())
    const onAbort = () => {
      clearTimeout(timer)
      reject(abortError())
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** One attempt's outcome: a value, or an error plus whether it may be retried and after how long. */
type Attempt<T> = { ok: true; value: T } | { ok: false; error: PortalError; retry: boolean; retryAfterMs?: number }

export function createApiClient(options: ApiClientOptions): ApiClient {
  const {
    apiUrl,
    getToken,
    signal: portalSignal,
    timeoutMs = 10_000,
    retries = 2,
    backoffMs = 300,
    maxRetryAfterMs = 10_000,
    sleep: wait = sleep,
    random = Math.random,
  } = options
  const doFetch = options.fetch
  const mountedAt = () => (typeof apiUrl === 'function' ? apiUrl() : apiUrl)
  const base = () => mountedAt().replace(/\/+$/, '')
  const apiUrlHint = () => `: is apiUrl (${mountedAt()}) where the Portal API is mounted?`

  async function request<T>(method: string, path: string, body: unknown, opts: RequestPolicy = {}): Promise<T> {
    // A mutation without an Idempotency-Key could be applied twice; it gets one attempt.
    const mayRetry = method === 'GET' || opts.safe === true || opts.idempotencyKey !== undefined
    const stopped = () => portalSignal.aborted || opts.signal?.aborted === true
    const succeeded = options.track?.()
    for (let attempt = 0; ; attempt++) {
      if (stopped()) throw abortError()
      const outcome = await once<T>(method, path, body, opts)
      if (stopped()) throw abortError()
      if (outcome.ok) {
        succeeded?.()
        return outcome.value
      }
      if (!mayRetry || !outcome.retry || attempt >= retries) throw outcome.error
      const delay = outcome.retryAfterMs ?? backoffMs * 2 ** attempt + random() * backoffMs
      if (delay > maxRetryAfterMs) throw outcome.error
      const link = linked(opts.signal)
      await wait(delay, link.controller.signal).finally(link.release)
    }
  }

  /** A controller that aborts with the portal's signal and the request's own; `release` unhooks it. */
  function linked(requestSignal?: AbortSignal): { controller: AbortController; release(): void } {
    const controller = new AbortController()
    const abort = () => controller.abort()
    const sources = [portalSignal, requestSignal].filter((s): s is AbortSignal => s !== undefined)
    for (const source of sources) {
      if (source.aborted) controller.abort()
      else source.addEventListener('abort', abort, { once: true })
    }
    return { controller, release: () => sources.forEach((source) => source.removeEventListener('abort', abort)) }
  }

  async function once<T>(method: string, path: string, body: unknown, opts: MutationRequestOptions): Promise<Attempt<T>> {
    const { controller, release } = linked(opts.signal)
    // setTimeout rather than AbortSignal.timeout: cleared as soon as the attempt settles,
    // so destroy() leaves no timer behind.
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, timeoutMs)
    // A transport that ignores the signal still cannot hold the caller past an abort.
    const stopped = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(abortError())))
    try {
      const headers: Record<string, string> = { Accept: 'application/json' }
      // No token (the pricing portal's visitor): no header, so a public GET needs no CORS preflight.
      const token = getToken()
      if (token) headers.Authorization = `Bearer ${token}`
      if (body !== undefined) headers['Content-Type'] = 'application/json'
      if (opts.idempotencyKey !== undefined) headers['Idempotency-Key'] = opts.idempotencyKey
      const init: RequestInit = { method, headers, signal: controller.signal }
      if (body !== undefined) init.body = JSON.stringify(body)
      const response = await Promise.race([doFetch(base() + path, init), stopped])
      return interpret<T>(response, await Promise.race([response.text(), stopped]))
    } catch (error) {
      if (timedOut) return { ok: false, error: portalError('network', `The Portal API did not answer within ${timeoutMs / 1000} s`), retry: true }
      if (isAbortError(error)) throw abortError()
      return { ok: false, error: portalError('network', 'The Portal API could not be reached'), retry: true }
    } finally {
      clearTimeout(timer)
      release()
    }
  }

  function interpret<T>(response: Response, text: string): Attempt<T> {
    const { status } = response
    let json: unknown
    let parsed = false
    if (text !== '') {
      try {
        json = JSON.parse(text)
        parsed = true
      } catch {
        // leave parsed false: reported below as bad_response
      }
    }
    if (status >= 200 && status < 300) {
      if (status === 204 || text === '') return { ok: true, value: undefined as T }
      if (!parsed || typeof json !== 'object' || json === null) {
        return { ok: false, error: portalError('bad_response', `The Portal API sent a response that is not JSON${apiUrlHint()}`, status), retry: false }
      }
      return { ok: true, value: json as T }
    }
    const retry = status >= 500 || status === 429
    const retryAfterMs = status === 429 ? parseRetryAfter(response.headers.get('Retry-After')) : undefined
    const wire = parsed ? errorBody(json) : undefined
    if (!wire) {
      // A proxy's HTML error page, an empty body, or JSON of another shape. A 4xx like
      // that is most often a request that missed the Portal API: say where it went.
      const hint = status < 500 && status !== 429 ? apiUrlHint() : ''
      return { ok: false, error: portalError(status === 429 ? 'rate_limited' : 'bad_response', `The Portal API answered ${status} without an error body${hint}`, status), retry, retryAfterMs }
    }
    let code = wire.code
    if (status === 401) code = code === 'session_expired' ? 'session_expired' : 'unauthorized'
    else if (status === 429) code = 'rate_limited'
    return { ok: false, error: portalError(code, wire.message, status, wire.field), retry, retryAfterMs }
  }

  /** Seconds, as the Portal API sends it; anything else falls back to the backoff. */
  function parseRetryAfter(header: string | null): number | undefined {
    const seconds = header === null || header.trim() === '' ? NaN : Number(header)
    return seconds >= 0 ? seconds * 1000 : undefined
  }

  return { request }
}

function errorBody(json: unknown): ErrorBody['error'] | undefined {
  const error = (json as Partial<ErrorBody> | null)?.error
  if (typeof error !== 'object' || error === null) return undefined
  if (typeof error.code !== 'string' || typeof error.message !== 'string') return undefined
  return { code: error.code, message: error.message, field: typeof error.field === 'string' ? error.field : undefined }
}
