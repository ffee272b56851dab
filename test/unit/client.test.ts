import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { createApiClient, isAbortError, newIdempotencyKey, type ApiClientOptions, type MutationRequestOptions, type RequestOptions } from '../../src/api/client.js'
import type { ApiKey, List, PaymentMethod, RevealedApiKey, ReplayedApiKey, Session } from '../../src/api/types.js'
import { createTestPortal, type TestPortal } from '../helpers/portal.js'

let portal: TestPortal
let token: string

// The handler's clock is moved with a faked Date (not the helper's `now`), so tokens,
// expiry and rate-limit windows all follow it.
const advanceClock = (ms: number) => vi.setSystemTime(Date.now() + ms)

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] })
  portal = createTestPortal()
  token = await portal.token('cus_active')
})
afterEach(async () => {
  vi.useRealTimers()
  await portal.close()
})

type Fault = (request: Request, real: () => Promise<Response>) => Promise<Response> | Response

/**
 * The real handler's fetch, wrapped: each call takes the next fault (if any) and the
 * rest go through untouched. Records every request the client made.
 */
function faulty(...faults: Fault[]) {
  const requests: Request[] = []
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    requests.push(request.clone())
    const fault = faults.shift()
    const real = () => portal.fetch(input, init)
    return fault ? fault(request, real) : real()
  })
  return { fetch: fetch as unknown as typeof globalThis.fetch, requests, calls: () => fetch.mock.calls.length }
}

function client(fetch: typeof globalThis.fetch, extra: Partial<ApiClientOptions> = {}) {
  const sleeps: number[] = []
  const portalSignal = new AbortController()
  const transport = createApiClient({
    apiUrl: portal.apiUrl + '/',
    getToken: () => token,
    fetch,
    signal: portalSignal.signal,
    sleep: async (ms) => void sleeps.push(ms),
    ...extra,
  })
  // The transport's one method, by verb (the typed Portal API in src/api/portal-api.ts builds on it the same way).
  const api = {
    get: <T>(path: string, options?: RequestOptions) => transport.request<T>('GET', path, undefined, options),
    post: <T>(path: string, body?: unknown, options?: MutationRequestOptions) => transport.request<T>('POST', path, body, options),
    delete: <T>(path: string, options?: MutationRequestOptions) => transport.request<T>('DELETE', path, undefined, options),
  }
  return { api, sleeps, portalSignal }
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
const html502 = () => new Response('<html><body><h1>502 Bad Gateway</h1></body></html>', { status: 502, headers: { 'content-type': 'text/html' } })
const hang = (request: Request) =>
  new Promise<Response>((_, reject) => request.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))

describe('requests', () => {
  test('sends the Bearer token and Accept, and resolves the JSON', async () => {
    const f = faulty()
    const session = await client(f.fetch).api.get<Session>('/session')
    expect(session.customer.name).toBe('Ada Lovelace')
    expect(f.requests[0].url).toBe(`${portal.apiUrl}/session`)
    expect(f.requests[0].headers.get('authorization')).toBe(`Bearer ${token}`)
    expect(f.requests[0].headers.get('accept')).toBe('application/json')
  })

  test('posts a JSON body with Content-Type', async () => {
    const f = faulty()
    const preview = await client(f.fetch).api.post<{ price_id: string }>('/subscription/preview', { price_id: 'price_scale_month' })
    expect(preview.price_id).toBe('price_scale_month')
    expect(f.requests[0].headers.get('content-type')).toBe('application/json')
    expect(await f.requests[0].json()).toEqual({ price_id: 'price_scale_month' })
  })

  test('reads the token on every attempt, so a renewed token is used by the retry', async () => {
    let current = token
    const f = faulty(() => json(503, { error: { code: 'server', message: 'busy' } }))
    const renewed = await portal.token('cus_active', 1800)
    const { api } = client(f.fetch, { getToken: () => current, sleep: async () => void (current = renewed) })
    await api.get('/session')
    expect(f.requests.map((r) => r.headers.get('authorization'))).toEqual([`Bearer ${token}`, `Bearer ${renewed}`])
  })
})

describe('errors are PortalErrors', () => {
  test('the server’s code, message, field and status', async () => {
    const f = faulty()
    await expect(client(f.fetch).api.post('/subscription/preview', { price_id: 'nope' })).rejects.toEqual({
      code: 'invalid_request',
      message: 'No such price',
      field: 'price_id',
      status: 400,
    })
    expect(f.calls()).toBe(1) // a 4xx is not retried
  })

  test('401 session_expired from the real handler once the token has expired', async () => {
    const short = await portal.token('cus_active', 60)
    advanceClock(3600_000)
    const { api } = client(faulty().fetch, { getToken: () => short })
    await expect(api.get('/session')).rejects.toMatchObject({ code: 'session_expired', status: 401 })
  })

  test('401 with another code is unauthorized', async () => {
    const { api } = client(faulty().fetch, { getToken: () => token.slice(0, -2) + 'xx' })
    await expect(api.get('/session')).rejects.toMatchObject({ code: 'unauthorized', status: 401 })
  })

  test('a 200 that is not JSON is bad_response, and not retried', async () => {
    const f = faulty(() => new Response('{"customer": {', { status: 200, headers: { 'content-type': 'application/json' } }))
    await expect(client(f.fetch).api.get('/session')).rejects.toMatchObject({ code: 'bad_response', status: 200 })
    expect(f.calls()).toBe(1)
  })

  // Issue 13, stumble 8: the usual cause of both is an apiUrl that misses the Portal API.
  test('a 404 without an error body (the app server\'s own page) names apiUrl as the likely cause', async () => {
    const f = faulty(() => new Response('<pre>Cannot GET /billing-api/session</pre>', { status: 404, headers: { 'content-type': 'text/html' } }))
    const error = await client(f.fetch, { apiUrl: '/billing-api' }).api.get('/session').catch((e: unknown) => e)
    expect(error).toEqual({
      code: 'bad_response',
      status: 404,
      message: 'The Portal API answered 404 without an error body: is apiUrl (/billing-api) where the Portal API is mounted?',
    })
  })

  test('an HTML page with 200 (a single-page app\'s fallback) names apiUrl as the likely cause', async () => {
    const f = faulty(() => new Response('<!doctype html><title>App</title>', { status: 200, headers: { 'content-type': 'text/html' } }))
    await expect(client(f.fetch, { apiUrl: '/api/portl' }).api.get('/session')).rejects.toMatchObject({
      code: 'bad_response',
      message: expect.stringContaining('is apiUrl (/api/portl) where the Portal API is mounted?'),
    })
  })

  test('a 200 whose JSON is not an object is bad_response', async () => {
    const f = faulty(() => json(200, 'hello'))
    await expect(client(f.fetch).api.get('/session')).rejects.toMatchObject({ code: 'bad_response' })
  })
})

describe('track: how the portal learns it recovered', () => {
  test('the function track returns runs once when the request succeeds, after its retries', async () => {
    const done = vi.fn()
    const track = vi.fn(() => done)
    const f = faulty(() => json(500, { error: { code: 'server', message: 'Internal error' } }))
    await client(f.fetch, { track }).api.get('/session')
    expect(track).toHaveBeenCalledTimes(1)
    expect(done).toHaveBeenCalledTimes(1)
  })

  test('and never when it fails', async () => {
    const done = vi.fn()
    const f = faulty(html502, html502, html502)
    await expect(client(f.fetch, { track: () => done }).api.get('/session')).rejects.toMatchObject({ code: 'bad_response' })
    expect(done).not.toHaveBeenCalled()
  })
})

describe('GET retries', () => {
  test('500 then success: one retry after a backoff step', async () => {
    const f = faulty(() => json(500, { error: { code: 'server', message: 'Internal error' } }))
    const { api, sleeps } = client(f.fetch)
    const methods = await api.get<List<PaymentMethod>>('/payment-methods')
    expect(methods.data).toHaveLength(2)
    expect(f.calls()).toBe(2)
    expect(sleeps).toHaveLength(1)
    expect(sleeps[0]).toBeGreaterThanOrEqual(300)
    expect(sleeps[0]).toBeLessThan(600)
  })

  test('a 502 HTML page every time: two retries with growing backoff, then bad_response', async () => {
    const f = faulty(html502, html502, html502)
    const { api, sleeps } = client(f.fetch, { random: () => 0.5 })
    await expect(api.get('/session')).rejects.toEqual({ code: 'bad_response', message: 'The Portal API answered 502 without an error body', status: 502 })
    expect(f.calls()).toBe(3)
    expect(sleeps).toEqual([450, 750])
  })

  test('a network TypeError is retried, and reported as network when it persists', async () => {
    const offline = () => Promise.reject(new TypeError('Failed to fetch'))
    const flaky = faulty(offline)
    await expect(client(flaky.fetch).api.get<Session>('/session')).resolves.toMatchObject({ customer: { id: 'cus_active' } })
    const down = faulty(offline, offline, offline)
    await expect(client(down.fetch).api.get('/session')).rejects.toEqual({ code: 'network', message: 'The Portal API could not be reached' })
    expect(down.calls()).toBe(3)
  })

  test('a hung attempt times out after 10 s and the retry succeeds', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] })
    const f = faulty(hang)
    const pending = client(f.fetch).api.get<Session>('/session')
    await vi.advanceTimersByTimeAsync(9_999)
    expect(f.calls()).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    await expect(pending).resolves.toMatchObject({ customer: { id: 'cus_active' } })
    expect(f.requests[0].signal.aborted).toBe(true) // the hung attempt was cancelled
    expect(vi.getTimerCount()).toBe(0)
  })

  test('every attempt timing out is a network error', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] })
    const f = faulty(hang, hang, hang)
    const pending = client(f.fetch).api.get('/session')
    const settled = expect(pending).rejects.toMatchObject({ code: 'network', message: expect.stringMatching(/10 s/) })
    await vi.advanceTimersByTimeAsync(30_000)
    await settled
  })
})

describe('429', () => {
  test('a real rate limit: waits Retry-After seconds, then succeeds', async () => {
    await portal.close()
    portal = createTestPortal({ handler: { rateLimit: { windowMs: 60_000, max: 1 } } })
    token = await portal.token('cus_active')
    const f = faulty()
    const slept: number[] = []
    const { api } = client(f.fetch, { sleep: async (ms) => void (slept.push(ms), advanceClock(ms)), maxRetryAfterMs: 60_000 })
    await api.get('/session')
    await api.get('/session')
    expect(f.calls()).toBe(3)
    expect(f.requests.length).toBe(3)
    expect(slept).toEqual([60_000])
  })

  test('Retry-After over the cap is not waited for: rate_limited at once', async () => {
    const f = faulty(() => json(429, { error: { code: 'rate_limited', message: 'Slow down' } }, { 'retry-after': '3600' }))
    const { api, sleeps } = client(f.fetch)
    await expect(api.get('/session')).rejects.toEqual({ code: 'rate_limited', message: 'Slow down', status: 429 })
    expect(sleeps).toEqual([])
    expect(f.calls()).toBe(1)
  })

  test('Retry-After within the cap is honoured in seconds', async () => {
    const f = faulty(() => json(429, { error: { code: 'rate_limited', message: 'Slow down' } }, { 'retry-after': '2' }))
    const { api, sleeps } = client(f.fetch)
    await api.get('/session')
    expect(sleeps).toEqual([2000])
  })
})

describe('mutations', () => {
  const lostResponse: Fault = async (_, real) => {
    await real() // the server applied it; the answer never arrived
    return html502()
  }

  test('without an Idempotency-Key: one attempt only', async () => {
    const f = faulty(lostResponse)
    await expect(client(f.fetch).api.post('/subscription/cancel', { at_period_end: true })).rejects.toMatchObject({ code: 'bad_response', status: 502 })
    expect(f.calls()).toBe(1)
  })

  test('with a key: retried with the same key, and the server applies it once', async () => {
    const { api } = client(faulty().fetch)
    const keys = await api.get<List<ApiKey>>('/api-keys')
    // Rolling is not naturally idempotent: a second roll would mint another secret.
    let lost: RevealedApiKey | undefined
    const f = faulty(async (_, real) => {
      lost = (await (await real()).json()) as RevealedApiKey
      return html502()
    })
    const key = newIdempotencyKey()
    const rolled = await client(f.fetch).api.post<RevealedApiKey | ReplayedApiKey>(`/api-keys/${keys.data[0].id}/roll`, undefined, { idempotencyKey: key })
    expect(f.calls()).toBe(2)
    expect(f.requests.map((r) => r.headers.get('idempotency-key'))).toEqual([key, key])
    expect(lost?.secret).toMatch(/\w/)
    // The replay is the same key, rolled once, without the secret: the server never stores one.
    expect(rolled).toEqual({ ...lost, secret: undefined, secret_already_shown: true })
    expect('secret' in rolled).toBe(false)
  })

  test('DELETE goes through the same path', async () => {
    const f = faulty()
    const { api } = client(f.fetch)
    const methods = await api.get<List<PaymentMethod>>('/payment-methods')
    const other = methods.data.find((m) => !m.is_default)!
    await api.delete(`/payment-methods/${other.id}`, { idempotencyKey: newIdempotencyKey() })
    expect((await api.get<List<PaymentMethod>>('/payment-methods')).data).toHaveLength(1)
    expect(f.requests[1].method).toBe('DELETE')
  })

  test('newIdempotencyKey is a fresh UUID', () => {
    const a = newIdempotencyKey()
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(newIdempotencyKey()).not.toBe(a)
  })
})

describe('abort', () => {
  test('the portal’s signal rejects with a recognisable abort, even if the transport ignores it', async () => {
    let release!: () => void
    const ignoresSignal: Fault = async (_, real) => {
      await new Promise<void>((resolve) => (release = resolve))
      return real()
    }
    const f = faulty(ignoresSignal)
    const { api, portalSignal, sleeps } = client(f.fetch)
    const pending = api.get('/session')
    await vi.waitFor(() => expect(f.calls()).toBe(1))
    portalSignal.abort()
    const error = await pending.catch((e: unknown) => e)
    expect(isAbortError(error)).toBe(true)
    release()
    expect(f.calls()).toBe(1)
    expect(sleeps).toEqual([])
  })

  test('a request’s own signal aborts it, and stops its retries', async () => {
    const request = new AbortController()
    const f = faulty(() => json(503, { error: { code: 'server', message: 'busy' } }))
    const { api } = client(f.fetch, { sleep: async () => request.abort() })
    const error = await api.get('/session', { signal: request.signal }).catch((e: unknown) => e)
    expect(isAbortError(error)).toBe(true)
    expect(f.calls()).toBe(1)
  })

  test('an already aborted portal sends nothing', async () => {
    const f = faulty()
    const { api, portalSignal } = client(f.fetch)
    portalSignal.abort()
    expect(isAbortError(await api.get('/session').catch((e: unknown) => e))).toBe(true)
    expect(f.calls()).toBe(0)
  })
})
