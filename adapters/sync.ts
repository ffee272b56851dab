/**
 * What every adapter shares: remember the options the core was last given and hand it
 * only what really changed. Functions reach the core as stable wrappers that call the
 * latest one, so a new inline arrow per render re-binds nothing; only a callback
 * appearing or disappearing is a change.
 */

import type { ErrorCode, PortalHandle } from '../src/types.js'

type Options = Record<string, unknown>

/** Every adapter's error callback, the original docs' `errorHandler` (a `useState` setter works). */
export type ErrorHandler = (code: ErrorCode | '') => void

/**
 * Calls the latest handler with the code of each error the portal reports, and `''` once
 * it recovers: read from the core's one `error` store, so every adapter agrees.
 */
export function forwardErrors(handle: Pick<PortalHandle<unknown>, 'error'>, latest: () => ErrorHandler | undefined): () => void {
  // Subscribed, not listened: a core may report during its own mount (a token already expired).
  let shown = false
  return handle.error.subscribe((error) => {
    if (error || shown) latest()?.(error ? error.code : '')
    shown = error !== null
  })
}

export interface OptionSync<O> {
  /** The options to mount the core with. */
  readonly first: O
  /** Records `next` and returns the keys that changed since the last call, or null. */
  next(next: O): Partial<O> | null
}

export function optionSync<O extends object>(initial: O): OptionSync<O> {
  let latest = initial as Options
  const wrappers: Record<string, (...args: unknown[]) => unknown> = {}
  const toCore = (options: Options): Options => {
    const out: Options = { ...options }
    for (const key in out) {
      if (typeof out[key] === 'function') {
        out[key] = wrappers[key] ??= (...args) => (latest[key] as (...a: unknown[]) => unknown)(...args)
      }
    }
    return out
  }
  let sent = toCore(latest)
  return {
    first: sent as O,
    next(next) {
      latest = next as Options
      const core = toCore(latest)
      const changed: Options = {}
      for (const key in { ...sent, ...core }) if (!same(sent[key], core[key])) changed[key] = core[key]
      sent = core
      return Object.keys(changed).length ? (changed as Partial<O>) : null
    },
  }
}

/** Equal, or plain objects / arrays with equal entries: a new `config={{ ... }}` literal per render is no change. */
function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true
  if (!isPlain(a) || !isPlain(b) || Array.isArray(a) !== Array.isArray(b)) return false
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((k) => Object.is(a[k], b[k]))
}

function isPlain(v: unknown): v is Options {
  return Array.isArray(v) || (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype)
}
