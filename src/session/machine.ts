import { atom, type ReadableAtom } from 'nanostores'
import type { PortalError } from '../api/types.js'
import { readTokenExpiry } from '../api/token.js'
import type { SessionState } from '../types.js'
import type { ErrorReporter } from './errors.js'

/** Renew this long before `exp`. */
export const RENEW_BEFORE_MS = 60_000
/** setTimeout's delay is a signed 32-bit int: longer delays fire at once. */
const MAX_DELAY = 2 ** 31 - 1

export interface SessionMachineOptions {
  /** None: a visitor's (a pricing page's), always `active`, with no timers. */
  token?: string
  getToken?: () => Promise<string>
  /** Where transitions into `expired` / `error` and failed requests are reported (then `onError`). */
  errors: ErrorReporter
  /** The session is usable again after `expired` / `error` or a recovering renewal: the current view reloads. */
  onResume?: () => void
}

export interface SessionMachine {
  readonly $state: ReadableAtom<SessionState>
  /** The current token (`''` for a visitor), read by the API client on every attempt. */
  token(): string
  /** Mount: `idle -> active` and the expiry / renewal timers start. */
  start(): void
  /**
   * A new token (from `update({ token })` or a renewal): resumes from `expired` / `error`.
   * Throws a TypeError when malformed. `undefined` signs out: a visitor's again, `active`.
   */
  setToken(token: string | undefined): void
  setGetToken(getToken: (() => Promise<string>) | undefined): void
  /** A failed request from a view (a visitor's is only reported). */
  report(error: PortalError): void
  /** The error panel's Retry: back to `active` with the same token. */
  retry(): void
  destroy(): void
}

/**
 * `idle -> active -> expired | error`, and back to `active` on a new token or Retry.
 * Every transition into `expired` or `error` is reported exactly once; being told
 * again while already there is a no-op, so a failing view can never loop it.
 */
export function createSessionMachine(options: SessionMachineOptions): SessionMachine {
  let token = options.token
  const $state = atom<SessionState>({ status: token ? 'idle' : 'active' })
  /** The token's `exp`, in ms. */
  let expiresAt = token ? readTokenExpiry(token) * 1000 : 0
  let getToken = options.getToken
  const { errors } = options
  let renewal: Promise<boolean> | undefined
  /** The token a `session_expired` report was already recovered into: a second report expires. */
  let recoveredToken: string | undefined
  let started = false
  let destroyed = false
  const expiryTimer = createTimer()
  const renewalTimer = createTimer()
  const stopTimers = () => {
    expiryTimer.clear()
    renewalTimer.clear()
  }
  const active = () => $state.get().status === 'active'

  function schedule() {
    stopTimers()
    if (!started || destroyed || !token) return
    if (Date.now() >= expiresAt) return expire()
    expiryTimer.at(expiresAt, expire)
    if (getToken) scheduleRenewal()
  }

  function scheduleRenewal() {
    const renewAt = expiresAt - RENEW_BEFORE_MS
    const now = Date.now()
    // A token already inside its last minute (or a failed attempt) tries again halfway
    // to expiry: a few attempts, never a tight loop.
    renewalTimer.at(renewAt > now ? renewAt : now + (expiresAt - now) / 2, () => void renew())
  }

  /** Resolves true when a new token is in place. One renewal in flight at a time: callers share it. */
  function renew(): Promise<boolean> {
    if (!getToken || destroyed) return Promise.resolve(false)
    renewal ??= attemptRenewal(getToken).finally(() => (renewal = undefined))
    return renewal
  }

  async function attemptRenewal(fetchToken: () => Promise<string>): Promise<boolean> {
    const tokenBefore = token
    try {
      const next = await fetchToken()
      if (destroyed) return false
      readTokenExpiry(next) // a malformed renewal is a failed renewal
      if (token === tokenBefore) {
        install(next)
        schedule()
      } // else update({ token }) got there first
      return true
    } catch {
      if (!destroyed && active() && Date.now() < expiresAt) scheduleRenewal()
      return false
    }
  }

  function install(next: string) {
    expiresAt = readTokenExpiry(next) * 1000
    token = next
  }

  function expire() {
    if (destroyed || !active()) return
    stopTimers()
    $state.set({ status: 'expired' })
    errors.report({ code: 'session_expired', message: 'The portal session has expired' })
  }

  /** Back to `active` from `expired` / `error` (else only the timers follow the token). */
  function resume() {
    if (destroyed || !started) return
    const { status } = $state.get()
    if (status !== 'expired' && status !== 'error') return schedule()
    $state.set({ status: 'active' })
    errors.clear()
    schedule() // a token that is already past exp expires again: one more transition, one more onError
    if (active()) options.onResume?.()
  }

  return {
    $state,
    token: () => token ?? '',
    start() {
      if (started || destroyed) return
      started = true
      if (!token) return // a visitor's is active already
      $state.set({ status: 'active' })
      schedule()
    },
    setToken(next) {
      if (destroyed) return
      if (next === undefined) {
        token = undefined
        stopTimers()
        $state.set({ status: 'active' })
        return errors.clear()
      }
      const visitor = !token
      install(next)
      // A visitor signing in before anything started the session: idle, as a new client is.
      if (visitor && !started) $state.set({ status: 'idle' })
      resume()
    },
    setGetToken(fn) {
      getToken = fn
      schedule()
    },
    report(error) {
      if (destroyed) return
      if (!token) return errors.report(error)
      // Already expired or in error: reported once, on the way in.
      if (!active()) return
      if (error.code === 'session_expired') {
        // The server's clock may run ahead of ours: a silent renewal first, the panel only if it fails.
        if (!getToken || token === recoveredToken) return expire()
        void renew().then((renewed) => {
          if (!renewed) return expire()
          recoveredToken = token
          options.onResume?.()
        })
      } else {
        if (error.code === 'unauthorized') $state.set({ status: 'error', error })
        errors.report(error)
      }
    },
    retry: resume,
    destroy() {
      destroyed = true
      stopTimers()
    },
  }
}

/** One re-armable timeout at an absolute time, safe for delays past setTimeout's limit. */
function createTimer() {
  let handle: ReturnType<typeof setTimeout> | undefined
  const clear = () => clearTimeout(handle)
  const at = (when: number, fn: () => void) => {
    clear()
    const delay = when - Date.now()
    // A delay past the limit waits the limit, then re-arms for the rest.
    handle = setTimeout(() => (delay > MAX_DELAY ? at(when, fn) : fn()), Math.min(delay, MAX_DELAY))
  }
  return { at, clear }
}
