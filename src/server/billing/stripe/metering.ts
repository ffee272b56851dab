/**
 * Metering with `stripeBilling`: keys and their usage ledger live in the `apiKeys` engine
 * (which dedupes event ids and moves `last_used`); usage is forwarded to the Stripe Meter
 * as meter events, the event id as Stripe's `identifier`, so a resent batch is counted
 * once there too. `check` reads the meter summary (reused for `summaryTtlSeconds`) and
 * adds what this instance tracked since that read.
 */
import { randomBytes } from 'node:crypto'
import type { Session } from '../../../api/types.js'
import type { CheckResult, CustomerScope, Entitlements, MeteringBackend, TrackEvent, TrackManyResult } from '../types.js'
import { BillingError } from '../types.js'
import type { StripeMeter } from './backend.js'
import type { StripeClient } from './client.js'
import { isStripeError } from './errors.js'

/** Meter events sent at once: Stripe's meter event endpoint takes one event per request. */
const CONCURRENCY = 8

export interface StripeMeteringDeps {
  stripe: StripeClient
  meters: StripeMeter[]
  keys: Partial<MeteringBackend> | undefined
  customerId(scope: CustomerScope): Promise<string>
  session(scope: CustomerScope): Promise<Session>
  /** Unix seconds. */
  now(): number
  summaryTtlSeconds: number
}

interface Summary {
  session: Session
  readAt: number
  /** Tracked by this instance since `readAt`, per metric. */
  since: Map<string, number>
}

export function stripeMetering(deps: StripeMeteringDeps): MeteringBackend & { entitlements(scope: CustomerScope): Promise<Entitlements> } {
  const { stripe, meters, keys, now } = deps
  const summaries = new Map<string, Summary>()
  const keyOf = (scope: CustomerScope) => `${scope.appId}\n${scope.customUid}`

  async function summary(scope: CustomerScope): Promise<Summary> {
    const known = summaries.get(keyOf(scope))
    if (known && now() - known.readAt < deps.summaryTtlSeconds) return known
    const fresh: Summary = { session: await deps.session(scope), readAt: now(), since: new Map() }
    if (summaries.size >= 10_000) summaries.clear()
    summaries.set(keyOf(scope), fresh)
    return fresh
  }

  async function check(scope: CustomerScope, metricOrFlag: string, options: { amount?: number } = {}): Promise<CheckResult> {
    const amount = options.amount ?? 1
    if (!Number.isSafeInteger(amount) || amount < 0) throw new BillingError('invalid_request', 'amount must be a whole number of at least 0', { field: 'amount' })
    const s = await summary(scope)
    const sub = s.session.subscription
    const live = sub !== null && sub.status !== 'canceled'
    const base = { used: 0, limit: null, remaining: null, overage: false, overage_priced: false, resets_at: live ? sub.current_period_end : null, status: sub?.status ?? null }
    if (!live) return { ...base, allowed: false, reason: 'no_subscription' }
    if (sub.status !== 'active' && sub.status !== 'trialing') return { ...base, allowed: false, reason: 'subscription_inactive' }
    const meter = s.session.usage.find((u) => u.metric === metricOrFlag)
    if (!meter) return { ...base, allowed: false, reason: 'not_in_plan' }
    const used = meter.used + (s.since.get(metricOrFlag) ?? 0)
    if (meter.limit === null) return { ...base, used, allowed: true }
    const remaining = Math.max(0, meter.limit - used)
    // Stripe plans' quotas are hard here: overage is billed by Stripe prices the guard cannot see.
    if (used + amount > meter.limit) return { ...base, used, limit: meter.limit, remaining, allowed: false, reason: 'quota_exceeded' }
    return { ...base, used, limit: meter.limit, remaining, allowed: true }
  }

  async function entitlements(scope: CustomerScope): Promise<Entitlements> {
    const s = await summary(scope)
    const sub = s.session.subscription
    return {
      plan_id: s.session.plan?.id ?? null,
      status: sub?.status ?? null,
      resets_at: sub && sub.status !== 'canceled' ? sub.current_period_end : null,
      metrics: s.session.usage.map((u) => {
        const used = u.used + (s.since.get(u.metric) ?? 0)
        return { metric: u.metric, name: u.name, unit: u.unit, used, limit: u.limit, remaining: u.limit === null ? null : Math.max(0, u.limit - used), overage_priced: false }
      }),
      flags: s.session.plan?.flags ?? [],
    }
  }

  async function trackMany(appId: string, events: TrackEvent[]): Promise<TrackManyResult> {
    if (!Array.isArray(events)) throw new BillingError('invalid_request', 'trackMany(appId, events) takes an array', { field: 'events' })
    // Every event gets an id before anything is sent: Stripe's identifier, the same on a retry.
    const withIds = events.map((e) => ({ ...e, id: e.id ?? `evt_${randomBytes(12).toString('hex')}` }))
    const result: TrackManyResult = { accepted: 0, duplicates: 0, rejected: [] }
    if (keys?.trackMany) result.rejected = (await keys.trackMany(appId, withIds)).rejected
    const refused = new Set(result.rejected.map((r) => r.index))
    const failures: unknown[] = []
    const queue = withIds.map((event, index) => ({ event, index })).filter(({ index }) => !refused.has(index))
    async function send({ event, index }: { event: (typeof withIds)[number]; index: number }): Promise<void> {
      const meter = meters.find((m) => m.metric === event.metric)
      if (!meter?.eventName) {
        result.rejected.push({ index, id: event.id, field: 'metric', message: `No Stripe meter with an eventName for "${event.metric}": set stripeBilling({ meter: { id, metric, eventName } })` })
        return
      }
      const scope = { appId, customUid: event.customUid }
      try {
        await stripe.billing.meterEvents.create({
          event_name: meter.eventName,
          payload: { stripe_customer_id: await deps.customerId(scope), value: String(event.amount) },
          identifier: event.id,
          ...(event.at === undefined ? {} : { timestamp: event.at }),
        })
        result.accepted++
        const s = summaries.get(keyOf(scope))
        if (s) s.since.set(event.metric, (s.since.get(event.metric) ?? 0) + event.amount)
      } catch (error) {
        if (isStripeError(error) && error.code === 'resource_already_exists') result.duplicates++
        else failures.push(error)
      }
    }
    const workers = Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await send(next)
    })
    await Promise.all(workers)
    // The caller (the guard) retries the batch with the same ids: what did arrive is not counted twice.
    if (failures.length > 0) throw failures[0]
    return result
  }

  const noKeys = () => new BillingError('not_found', 'stripeBilling needs `apiKeys` (an openSqliteBilling() engine) to verify API keys')
  return {
    check,
    entitlements,
    trackMany,
    async verifyApiKey(apiKeySecret, options) {
      if (!keys?.verifyApiKey) throw noKeys()
      return keys.verifyApiKey(apiKeySecret, options)
    },
    onApiKeyChange: (listener) => keys?.onApiKeyChange?.(listener) ?? (() => undefined),
  }
}
