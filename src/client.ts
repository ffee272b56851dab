/**
 * The client behind `createPortalClient` (./headless.ts): the browser core without a DOM.
 * One per page, shared by every portal and hook on it: one session (renewal, expiry), one API transport, one store per resource,
 * and the flows that change them. Creating it runs nothing (SSR-safe): the session starts
 * with the first subscriber to `state` or the first request.
 */
import { atom, type ReadableAtom } from 'nanostores'
import { createApiClient } from './api/client.js'
import { createPortalApi, type PortalApi } from './api/portal-api.js'
import { readTokenExpiry, readTokenSubject } from './api/token.js'
import type { PortalError } from './api/types.js'
import type { PortalFlows } from './flows/index.js'
import { flowKit } from './flows/kit.js'
import type { FlowOptions } from './flows/machine.js'
import { createErrorReporter } from './session/errors.js'
import { createSessionMachine, type SessionMachine } from './session/machine.js'
import { createStores, type PortalStores, type StoresInternals } from './stores/index.js'
import { onSubscribed } from './stores/resource.js'
import type { SessionState } from './types.js'

export interface PortalClientOptions {
  /**
   * The portal token your backend minted for the customer. Left out, the client is a
   * visitor's: only public routes (the pricing page's plans and checkout) work.
   */
  token?: string
  /** Renews the token silently 60 s before it expires. */
  getToken?: () => Promise<string>
  /** Where the Portal API is mounted. Default `/api/portal`. */
  apiUrl?: string
  /** The transport; default the global `fetch`, looked up per request. */
  fetch?: typeof fetch
  /** Every failure: a transition into `expired` or `error`, and each failed request. */
  onError?: (error: PortalError) => void
}

export interface PortalClient {
  /** `idle` until something subscribes or requests, then `active`; `expired` / `error` until a new token or `retry()`. A visitor is always `active`. */
  readonly state: ReadableAtom<SessionState>
  /** The error last reported (what `onError` got), until the client recovers: null again once the session resumes or a later request succeeds. */
  readonly error: ReadableAtom<PortalError | null>
  /** Whether a token is set (a customer), or not (a pricing page's visitor). */
  readonly signedIn: ReadableAtom<boolean>
  /** One nanostore per resource, loaded lazily and shared. */
  readonly stores: PortalStores
  /** Factories of the flows that change the account (change plan, add a card, cancel...). */
  readonly flows: PortalFlows
  /** The typed Portal API itself: one function per route. */
  readonly api: PortalApi
  /** A new token (a different customer's reloads every store), `getToken`, `apiUrl`, `fetch` or `onError`; `token: undefined` signs out. */
  update(options: Partial<PortalClientOptions>): void
  /** Hands a failure that is not a request's (e.g. Stripe.js not loading) to the session and `onError`. */
  report(error: PortalError): void
  /** The error state's Retry: back to `active` with the same token, and the stores reload. */
  retry(): void
  /** Another listener besides `onError` (each portal sharing the client has one). Returns its remover. */
  onError(listener: (error: PortalError) => void): () => void
  /** Stops timers and aborts every request; the stores keep their last values. */
  destroy(): void
}

/** A TypeError naming the option, what it must be, and what it was (the portals' checks throw it too). */
export function fail(option: string, expected: string, value: unknown): never {
  throw new TypeError(`${option} must be ${expected} (got ${typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : typeof value})`)
}

export function validateClientOptions(options: Partial<PortalClientOptions>): void {
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options)
  if (options.token !== undefined) readTokenExpiry(options.token, 'token')
  for (const key of ['getToken', 'onError', 'fetch', 'apiUrl'] as const) {
    const type = key === 'apiUrl' ? 'string' : 'function'
    if (options[key] !== undefined && typeof options[key] !== type) fail(key, `a ${type}`, options[key])
  }
}

/**
 * What makes the client's flows: `createFlows` for `createPortalClient` (./headless.ts: the
 * flows' code is in its bundle), `lazyFlows` (./flows/lazy.ts) for a portal's own client,
 * whose flows load with the views that run them.
 */
export type FlowsMaker = (api: PortalApi, stores: StoresInternals, options: FlowOptions) => PortalFlows

export function createClientWithFlows(options: PortalClientOptions, makeFlows: FlowsMaker): PortalClient {
  validateClientOptions(options)
  let opts: PortalClientOptions = { ...options }
  const errors = createErrorReporter((error) => opts.onError?.(error))
  const lifetime = new AbortController()
  const $signedIn = atom(!!opts.token)
  let subject = opts.token && readTokenSubject(opts.token)
  // One session for the client's life, a visitor's while it has no token: its state is the client's.
  const machine: SessionMachine = createSessionMachine({
    token: opts.token,
    getToken: opts.getToken,
    errors,
    onResume: () => stores.invalidateAll(),
  })

  const transport = createApiClient({
    apiUrl: () => opts.apiUrl ?? '/api/portal',
    getToken: machine.token,
    // Looked up per call, never at import: SSR-safe, and a host's fetch patch applies.
    fetch: (input, init) => (opts.fetch ?? fetch)(input, init),
    signal: lifetime.signal,
    track: () => (machine.start(), errors.begin()),
  })
  const api = createPortalApi(transport)
  /** A failure: the session decides (an expired token expires it); a visitor's is just reported. */
  const report = machine.report
  const stores = createStores(api, { signal: lifetime.signal, report })
  const flows = makeFlows(api, stores, { signal: lifetime.signal, report, kit: flowKit })
  onSubscribed(machine.$state, machine.start)

  return {
    state: machine.$state,
    error: errors.$error,
    signedIn: $signedIn,
    stores,
    flows,
    api,
    report,
    retry: machine.retry,
    onError: errors.listen,
    update(next) {
      if (lifetime.signal.aborted) return
      validateClientOptions(next)
      const changed = (key: keyof PortalClientOptions) => key in next && next[key] !== opts[key]
      const signIn = changed('token')
      // Another API, or another way to reach it: the data may differ.
      let reload = changed('apiUrl') || changed('fetch')
      opts = { ...opts, ...next }
      if ('getToken' in next) machine.setGetToken(opts.getToken)
      if (signIn) {
        machine.setToken(opts.token)
        // Another customer's token, or none (signed out): other data.
        const was = subject
        subject = opts.token && readTokenSubject(opts.token)
        reload ||= !opts.token || (was !== undefined && subject !== was)
        $signedIn.set(!!opts.token)
      }
      if (reload) stores.invalidateAll()
    },
    destroy() {
      lifetime.abort()
      machine.destroy()
    },
  }
}
