/**
 * A fixed-window request counter per key, bounded in memory. Off unless `rateLimit` is
 * passed to `createPortalHandler`, which keeps three: per customer (app + token `sub`, so a
 * fresh token does not reset it), and on the public routes per client address and per
 * public key.
 */

export interface RateLimitOptions {
  /** Window length in milliseconds. */
  windowMs: number
  /** Requests allowed per window for one customer, and on the public routes for one client address. */
  max: number
  /** Requests allowed per window on the public routes for one public key, every visitor together. Default `50 * max`. */
  perPublicKey?: number
}

/**
 * Returns null when the request may go on, or the seconds to wait (for `Retry-After`).
 * Asynchronous when its counters live in a database shared by several instances.
 */
export type RateLimiter = (key: string) => number | null | Promise<number | null>

/**
 * Counters kept where several server instances share them (the PostgreSQL engine's
 * `sharedStores()`): counts one request of `key` in the window starting at `windowStart`
 * (ms) and resolves to the requests counted in it so far.
 */
export interface RateLimitCounters {
  hit(key: string, windowStart: number, windowMs: number): Promise<number>
}

const MAX_TRACKED_KEYS = 10_000

function checkOptions({ windowMs, max }: Pick<RateLimitOptions, 'windowMs' | 'max'>): void {
  if (!Number.isInteger(windowMs) || windowMs < 1) throw new TypeError('`rateLimit.windowMs` must be a positive integer')
  if (!Number.isInteger(max) || max < 1) throw new TypeError('`rateLimit.max` must be a positive integer')
}

/**
 * `now` is the clock in Unix seconds (as everywhere on the server). With `counters`, the
 * windows are shared (aligned to multiples of `windowMs`, so every instance agrees on them).
 */
export function createRateLimiter(options: Pick<RateLimitOptions, 'windowMs' | 'max'>, now: () => number = () => Date.now() / 1000, counters?: RateLimitCounters): RateLimiter {
  checkOptions(options)
  const { windowMs, max } = options
  if (counters) {
    return async (key) => {
      const at = now() * 1000
      const start = Math.floor(at / windowMs) * windowMs
      if ((await counters.hit(key, start, windowMs)) <= max) return null
      return Math.max(1, Math.ceil((start + windowMs - at) / 1000))
    }
  }
  const windows = new Map<string, { start: number; count: number }>()
  return (key) => {
    const at = now() * 1000
    let window = windows.get(key)
    if (!window || at - window.start >= windowMs) {
      window = { start: at, count: 0 }
      windows.delete(key)
      windows.set(key, window)
      // The oldest window is the first in the Map; past the bound it is dropped.
      if (windows.size > MAX_TRACKED_KEYS) windows.delete(windows.keys().next().value as string)
    }
    window.count += 1
    if (window.count <= max) return null
    return Math.max(1, Math.ceil((window.start + windowMs - at) / 1000))
  }
}
