import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { createErrorReporter } from '../../src/session/errors.js'
import { createSessionMachine, type SessionMachineOptions } from '../../src/session/machine.js'
import { readTokenExpiry } from '../../src/api/token.js'

const T0 = Date.UTC(2030, 0, 1) // ms
const b64url = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
/** An unsigned JWT: the browser only reads `exp`. */
const tokenExpiringIn = (seconds: number, id = 'a') => `${b64url({ alg: 'HS256' })}.${b64url({ sub: id, exp: Math.floor(Date.now() / 1000) + seconds })}.sig`

beforeEach(() => {
  vi.useFakeTimers({ now: T0 })
})
afterEach(() => {
  vi.useRealTimers()
})

function machine(options: Partial<SessionMachineOptions> = {}) {
  const onError = vi.fn()
  const onResume = vi.fn()
  const m = createSessionMachine({ token: tokenExpiringIn(3600), errors: createErrorReporter(onError), onResume, ...options })
  return { m, onError, onResume }
}

describe('readTokenExpiry', () => {
  test('reads exp from a base64url payload', () => {
    expect(readTokenExpiry(tokenExpiringIn(10))).toBe(T0 / 1000 + 10)
    const unicode = `x.${btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify({ name: 'Zoë?>', exp: 5 })))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}.y`
    expect(readTokenExpiry(unicode)).toBe(5)
  })
  test.each(['', 'abc', 'a.b', 'a.!!!.c', `a.${b64url({ sub: 'x' })}.c`, `a.${b64url({ exp: '1' })}.c`, `a.${b64url(null)}.c`])('malformed %j is a TypeError naming token', (bad) => {
    expect(() => readTokenExpiry(bad)).toThrow(TypeError)
    expect(() => readTokenExpiry(bad)).toThrow(/^token /)
  })
})

describe('session machine', () => {
  test('idle until started, then active', () => {
    const { m } = machine()
    expect(m.$state.get()).toEqual({ status: 'idle' })
    m.start()
    expect(m.$state.get()).toEqual({ status: 'active' })
  })

  test('expires at exp with no request made, calling onError once', () => {
    const { m, onError } = machine({ token: tokenExpiringIn(3600) })
    m.start()
    vi.advanceTimersByTime(3600_000 - 1)
    expect(m.$state.get().status).toBe('active')
    vi.advanceTimersByTime(1)
    expect(m.$state.get()).toEqual({ status: 'expired' })
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'session_expired' }))
    vi.advanceTimersByTime(10 * 3600_000)
    m.report({ code: 'session_expired', message: 'again' })
    expect(onError).toHaveBeenCalledTimes(1)
  })

  test('a token already past exp expires on start', () => {
    const { m, onError } = machine({ token: tokenExpiringIn(-5) })
    m.start()
    expect(m.$state.get().status).toBe('expired')
    expect(onError).toHaveBeenCalledTimes(1)
  })

  test('a token valid for longer than setTimeout can wait does not expire early', () => {
    const days = 30
    const { m } = machine({ token: tokenExpiringIn(days * 86400) })
    m.start()
    vi.advanceTimersByTime(2 ** 31 - 1 + 1000) // ~24.9 days: an unclamped timer would have fired at once
    expect(m.$state.get().status).toBe('active')
    vi.advanceTimersByTime(days * 86400_000)
    expect(m.$state.get().status).toBe('expired')
  })

  test('renews 60 s before exp, one renewal in flight, and never expires', async () => {
    let resolveToken!: (token: string) => void
    const getToken = vi.fn(() => new Promise<string>((resolve) => (resolveToken = resolve)))
    const { m, onError, onResume } = machine({ token: tokenExpiringIn(3600), getToken })
    m.start()
    const first = m.token()
    vi.advanceTimersByTime(3540_000 - 1)
    expect(getToken).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(getToken).toHaveBeenCalledTimes(1)
    // A session_expired report while renewing joins the renewal instead of starting another.
    m.report({ code: 'session_expired', message: 'skew' })
    expect(getToken).toHaveBeenCalledTimes(1)
    resolveToken(tokenExpiringIn(3600, 'b'))
    await vi.advanceTimersByTimeAsync(0)
    expect(m.token()).not.toBe(first)
    expect(onResume).toHaveBeenCalledTimes(1) // the reporting view reloads
    vi.advanceTimersByTime(60_000) // the old exp passes
    expect(m.$state.get().status).toBe('active')
    expect(onError).not.toHaveBeenCalled()
    vi.advanceTimersByTime(3480_000) // the next renewal
    expect(getToken).toHaveBeenCalledTimes(2)
  })

  test('a failed renewal retries before exp, then expires at exp with one onError', async () => {
    const getToken = vi.fn(() => Promise.reject(new Error('offline')))
    const { m, onError } = machine({ token: tokenExpiringIn(3600), getToken })
    m.start()
    await vi.advanceTimersByTimeAsync(3540_000)
    expect(getToken).toHaveBeenCalledTimes(1)
    expect(m.$state.get().status).toBe('active')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(m.$state.get().status).toBe('expired')
    expect(onError).toHaveBeenCalledTimes(1)
    const attempts = getToken.mock.calls.length
    expect(attempts).toBeGreaterThan(1)
    expect(attempts).toBeLessThan(25) // halfway steps, not a tight loop
    await vi.advanceTimersByTimeAsync(3600_000)
    expect(getToken).toHaveBeenCalledTimes(attempts)
  })

  test('a renewal that returns a malformed token is a failed renewal', async () => {
    const { m, onError } = machine({ token: tokenExpiringIn(3600), getToken: async () => 'nope' })
    m.start()
    await vi.advanceTimersByTimeAsync(3600_000)
    expect(m.$state.get().status).toBe('expired')
    expect(onError).toHaveBeenCalledTimes(1)
  })

  test('setToken resumes from expired, and the new token expires in its turn', () => {
    const { m, onError, onResume } = machine({ token: tokenExpiringIn(10) })
    m.start()
    vi.advanceTimersByTime(10_000)
    expect(m.$state.get().status).toBe('expired')
    m.setToken(tokenExpiringIn(100, 'b'))
    expect(m.$state.get().status).toBe('active')
    expect(onResume).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(100_000)
    expect(m.$state.get().status).toBe('expired')
    expect(onError).toHaveBeenCalledTimes(2)
  })

  test('setToken with a token already past exp: one transition, one onError', () => {
    const { m, onError, onResume } = machine()
    m.start()
    m.setToken(tokenExpiringIn(-1, 'old'))
    expect(m.$state.get().status).toBe('expired')
    expect(onError).toHaveBeenCalledTimes(1)
    m.setToken(tokenExpiringIn(-1, 'older'))
    expect(m.$state.get().status).toBe('expired')
    expect(onError).toHaveBeenCalledTimes(2)
    expect(onResume).not.toHaveBeenCalled()
  })

  test('setToken with a malformed token throws a TypeError and changes nothing', () => {
    const { m } = machine()
    m.start()
    const before = m.token()
    expect(() => m.setToken('garbage')).toThrow(TypeError)
    expect(m.token()).toBe(before)
  })

  test('setToken while active only reschedules', () => {
    const { m, onResume } = machine({ token: tokenExpiringIn(10) })
    m.start()
    m.setToken(tokenExpiringIn(1000, 'b'))
    vi.advanceTimersByTime(10_000)
    expect(m.$state.get().status).toBe('active')
    expect(onResume).not.toHaveBeenCalled()
  })

  test('report: unauthorized is the error state once; other codes reach onError without a state change', () => {
    const { m, onError, onResume } = machine()
    m.start()
    m.report({ code: 'not_found', message: 'gone', status: 404 })
    expect(m.$state.get().status).toBe('active')
    expect(onError).toHaveBeenLastCalledWith({ code: 'not_found', message: 'gone', status: 404 })
    const unauthorized = { code: 'unauthorized' as const, message: 'no', status: 401 }
    m.report(unauthorized)
    m.report(unauthorized)
    m.report({ code: 'server', message: 'while in error' })
    expect(m.$state.get()).toEqual({ status: 'error', error: unauthorized })
    expect(onError).toHaveBeenCalledTimes(2)
    m.retry()
    expect(m.$state.get().status).toBe('active')
    expect(onResume).toHaveBeenCalledTimes(1)
  })

  test('report session_expired without getToken expires at once', () => {
    const { m, onError } = machine()
    m.start()
    m.report({ code: 'session_expired', message: 'expired', status: 401 })
    expect(m.$state.get().status).toBe('expired')
    expect(onError).toHaveBeenCalledTimes(1)
  })

  test('a second session_expired after a recovery renewal expires instead of looping', async () => {
    let n = 0
    const getToken = vi.fn(async () => tokenExpiringIn(3600, `r${++n}`))
    const { m, onError } = machine({ getToken })
    m.start()
    m.report({ code: 'session_expired', message: 'skew', status: 401 })
    await vi.advanceTimersByTimeAsync(0)
    expect(m.$state.get().status).toBe('active')
    m.report({ code: 'session_expired', message: 'still', status: 401 })
    expect(m.$state.get().status).toBe('expired')
    expect(getToken).toHaveBeenCalledTimes(1)
    expect(onError).toHaveBeenCalledTimes(1)
  })

  test('an onError that throws does not wedge the machine', async () => {
    const onError = vi.fn(() => {
      throw new Error('host bug')
    })
    const thrown = vi.fn()
    const original = globalThis.queueMicrotask
    vi.stubGlobal('queueMicrotask', (fn: () => void) => original(() => { try { fn() } catch (e) { thrown(e) } }))
    const { m } = machine({ errors: createErrorReporter(onError) })
    m.start()
    m.report({ code: 'unauthorized', message: 'x' })
    expect(m.$state.get().status).toBe('error')
    await Promise.resolve()
    expect(thrown).toHaveBeenCalledWith(new Error('host bug'))
    vi.unstubAllGlobals()
  })

  // Issue 13, stumble 5: one source of "the current error" for every adapter's callback.
  test('the reporter holds every reported error, an action\'s too, until the session resumes', () => {
    const errors = createErrorReporter()
    const { m } = machine({ errors })
    m.start()
    m.report({ code: 'not_found', message: 'No such invoice' })
    expect(m.$state.get().status).toBe('active') // a failed action is not a failed session
    expect(errors.$error.get()).toEqual({ code: 'not_found', message: 'No such invoice' })
    m.report({ code: 'unauthorized', message: 'Bad token' })
    expect(errors.$error.get()?.code).toBe('unauthorized')
    m.setToken(tokenExpiringIn(3600, 'fresh'))
    expect(m.$state.get().status).toBe('active')
    expect(errors.$error.get()).toBeNull()
  })

  test('a request that began before the error clears nothing; one begun after it clears it', () => {
    const errors = createErrorReporter()
    const before = errors.begin()
    errors.report({ code: 'network', message: 'The Portal API could not be reached' })
    before() // a request running beside the failed one
    expect(errors.$error.get()?.code).toBe('network')
    const after = errors.begin()
    after()
    expect(errors.$error.get()).toBeNull()
  })

  test('destroy clears every timer and ignores a late renewal', async () => {
    let resolveToken!: (token: string) => void
    const { m, onError } = machine({ token: tokenExpiringIn(3600), getToken: () => new Promise((resolve) => (resolveToken = resolve)) })
    m.start()
    vi.advanceTimersByTime(3540_000)
    m.destroy()
    expect(vi.getTimerCount()).toBe(0)
    const before = m.token()
    resolveToken(tokenExpiringIn(3600, 'late'))
    await vi.advanceTimersByTimeAsync(0)
    expect(m.token()).toBe(before)
    expect(vi.getTimerCount()).toBe(0)
    expect(onError).not.toHaveBeenCalled()
  })

  // The client holds one machine for its life: a visitor's (no token) until it signs in, and again after it signs out.
  test('without a token: active at once, no timers, failures only reported; signing in and out', () => {
    const onError = vi.fn()
    const errors = createErrorReporter(onError)
    const { m } = machine({ token: undefined, errors })
    const seen: string[] = []
    m.$state.listen((state) => seen.push(state.status))
    expect(m.$state.get()).toEqual({ status: 'active' })
    m.start()
    m.report({ code: 'unauthorized', message: 'No token', status: 401 })
    m.report({ code: 'session_expired', message: 'No token', status: 401 })
    expect(onError).toHaveBeenCalledTimes(2)
    expect(m.token()).toBe('')
    expect(vi.getTimerCount()).toBe(0)
    expect(seen).toEqual([]) // still active: no second 'active', no 'error', no 'expired'

    // Signing in once started: active, with the token's expiry.
    m.setToken(tokenExpiringIn(60))
    expect(m.$state.get()).toEqual({ status: 'active' })
    vi.advanceTimersByTime(60_000)
    expect(m.$state.get()).toEqual({ status: 'expired' })
    expect(errors.$error.get()).toMatchObject({ code: 'session_expired' })
    // Signing out: a visitor again, the error gone, no timer left.
    m.setToken(undefined)
    expect(m.$state.get()).toEqual({ status: 'active' })
    expect(errors.$error.get()).toBeNull()
    expect(m.token()).toBe('')
    expect(vi.getTimerCount()).toBe(0)
    expect(seen).toEqual(['expired', 'active'])
  })

  test('a visitor signing in before anything started the session is idle, as a new client is', () => {
    const { m } = machine({ token: undefined })
    m.setToken(tokenExpiringIn(3600))
    expect(m.$state.get()).toEqual({ status: 'idle' })
    expect(vi.getTimerCount()).toBe(0)
    m.start()
    expect(m.$state.get()).toEqual({ status: 'active' })
    expect(vi.getTimerCount()).toBe(1)
  })
})
