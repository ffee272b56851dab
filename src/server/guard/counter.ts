/**
 * The guard's local usage counter: what this instance has let through per customer and
 * not yet seen come back from the engine, and the batches that carry it there.
 *
 *   used now = base.used (the engine's answer at the last refresh)
 *            + sent     (flushed since that refresh)
 *            + pending  (counted since the last flush)
 *
 * Flushes run one at a time, so the refresh that follows a flush sees exactly what this
 * instance sent; other instances' usage arrives with that refresh (the overshoot bound).
 */
import { randomBytes } from 'node:crypto'
import type { CheckResult, CustomerScope, MeteringBackend, TrackEvent } from '../billing/types.js'

export interface CustomerState {
  scope: CustomerScope
  base: CheckResult
  sent: number
  pending: number
  /** Counted since the last refresh (or fetched then): it is refreshed after the next flush. */
  active: boolean
  /** When `base` was read, milliseconds. */
  fetchedAt: number
}

interface Bucket {
  appId: string
  event: TrackEvent & { id: string; at: number }
  state: CustomerState
}

export interface CounterOptions {
  billing: MeteringBackend
  metric: string
  /** Milliseconds. */
  now: () => number
  /** An idle customer's state older than this (ms) is read again before use. */
  staleMs: number
  onError: (error: unknown) => void
}

const LAST_USED_EVERY_MS = 60_000
const MAX_IDLE_STATES = 10_000

export function createCounter(options: CounterOptions) {
  const { billing, metric, now, onError } = options
  const states = new Map<string, CustomerState>()
  const loading = new Map<string, Promise<CustomerState>>()
  // One event per key per second: the period an event belongs to is never blurred by more than a second.
  let buckets = new Map<string, Bucket>()
  let retry: Bucket[] = []
  let events = 0
  const lastTouched = new Map<string, number>()
  // Event ids are unique per guard instance, so a retried flush is never counted twice.
  const instance = randomBytes(6).toString('hex')
  let seq = 0

  const keyOf = (scope: CustomerScope) => `${scope.appId}\n${scope.customUid}`

  async function fetchState(scope: CustomerScope): Promise<CheckResult> {
    return billing.check(scope, metric, { amount: 0 })
  }

  /** The customer's state, read from the engine on first sight (concurrent first requests share one read). */
  function state(scope: CustomerScope): CustomerState | Promise<CustomerState> {
    const key = keyOf(scope)
    const known = states.get(key)
    const idle = known && !known.active && known.pending === 0 && known.sent === 0
    if (known && !(idle && now() - known.fetchedAt > options.staleMs)) return known
    let load = loading.get(key)
    if (!load) {
      // A copy: callers may pass a larger object (the key's owner), which the state must not keep.
      scope = { appId: scope.appId, customUid: scope.customUid }
      load = fetchState(scope)
        .then((base) => {
          if (states.size >= MAX_IDLE_STATES) dropIdle()
          const fresh: CustomerState = { scope, base, sent: 0, pending: 0, active: true, fetchedAt: now() }
          states.set(key, fresh)
          return fresh
        })
        .finally(() => loading.delete(key))
      loading.set(key, load)
    }
    return load
  }

  function dropIdle(): void {
    for (const [key, s] of states) if (s.pending === 0 && s.sent === 0 && !s.active) states.delete(key)
  }

  /** Counts `amount` for the key's customer; returns the number of events since the last flush. */
  function count(s: CustomerState, apiKeyId: string, amount: number): number {
    s.pending += amount
    s.active = true
    if (amount > 0) {
      const at = Math.floor(now() / 1000)
      const key = `${apiKeyId}\n${at}`
      const bucket = buckets.get(key)
      if (bucket) bucket.event.amount += amount
      else {
        const event: Bucket['event'] = { customUid: s.scope.customUid, metric, amount, id: `guard_${instance}_${seq++}`, at }
        const last = lastTouched.get(apiKeyId)
        if (last === undefined || now() - last >= LAST_USED_EVERY_MS) {
          event.apiKeyId = apiKeyId
          lastTouched.set(apiKeyId, now())
        }
        buckets.set(key, { appId: s.scope.appId, event, state: s })
      }
    }
    return ++events
  }

  const used = (s: CustomerState) => s.base.used + s.sent + s.pending

  let running: Promise<void> = Promise.resolve()
  let queued: Promise<void> | null = null
  /**
   * Sends what was counted (one trackMany per app), then refreshes the customers seen
   * since the last flush. One runs at a time; calls made meanwhile share the next one.
   */
  function flush(): Promise<void> {
    if (queued) return queued
    const next = () => {
      queued = null
      return flushOnce()
    }
    queued = running.then(next, next)
    running = queued
    return queued
  }

  async function flushOnce(): Promise<void> {
    const batch = [...retry, ...buckets.values()]
    buckets = new Map()
    retry = []
    events = 0
    for (const b of batch) {
      b.state.pending -= b.event.amount
      b.state.sent += b.event.amount
    }
    const byApp = new Map<string, Bucket[]>()
    for (const b of batch) byApp.set(b.appId, [...(byApp.get(b.appId) ?? []), b])
    for (const [appId, group] of byApp) {
      for (let i = 0; i < group.length; i += 1_000) {
        const part = group.slice(i, i + 1_000)
        try {
          const result = await billing.trackMany(appId, part.map((b) => b.event))
          // Refused events (a period that rolled over between count and flush) will never count: stop counting them here.
          for (const r of result.rejected) {
            part[r.index].state.sent -= part[r.index].event.amount
            onError(new Error(`guard: usage not counted for "${part[r.index].event.customUid}": ${r.message}`))
          }
        } catch (error) {
          // Kept with the same ids: the next flush retries them and the engine counts each once.
          for (const b of part) {
            b.state.sent -= b.event.amount
            b.state.pending += b.event.amount
          }
          retry.push(...part)
          onError(error)
        }
      }
    }
    await refresh()
  }

  async function refresh(): Promise<void> {
    const due = [...states.values()].filter((s) => s.active)
    await Promise.all(
      due.map(async (s) => {
        const sentBefore = s.sent
        try {
          s.base = await fetchState(s.scope)
          s.fetchedAt = now()
          // What was sent before the read is in `base` now; retried events were moved back to pending.
          s.sent -= sentBefore
          s.active = s.pending > 0
        } catch (error) {
          onError(error)
        }
      }),
    )
  }

  return { state, count, used, flush, get events() { return events } }
}
