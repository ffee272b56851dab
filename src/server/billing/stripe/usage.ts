/**
 * `GET /usage` on `stripeBilling`: buckets from the Stripe Meter's event summaries.
 *
 * Stripe groups a summary list by `value_grouping_window` (`hour`, or `day` in UTC) when
 * its bounds sit on that window's boundaries, and sums any minute-aligned range without
 * one. A period starts on any second, so its whole windows come from one grouped list and
 * its partial edges from ungrouped summaries: the total matches the meter the dashboard
 * shows. Summaries are eventually consistent (Stripe aggregates asynchronously).
 */
import type { Session, UsageReport } from '../../../api/types.js'
import { BillingError, type CustomerScope, type UsageQuery } from '../types.js'
import { bucketSize, checkUsageQuery, previousPeriodStart, usageReport } from '../usage-report.js'
import type { StripeMeter } from './backend.js'
import type { StripeClient } from './client.js'

const MINUTE = 60

export interface StripeUsageDeps {
  stripe: StripeClient
  meters: StripeMeter[]
  customerId(scope: CustomerScope): Promise<string>
  session(scope: CustomerScope): Promise<Session>
  /** Unix seconds. */
  now(): number
}

export function stripeUsage(deps: StripeUsageDeps) {
  const { stripe } = deps

  /** Every summary of `[start, end)`, page by page; grouped by `window` when given. */
  async function summaries(meterId: string, customer: string, start: number, end: number, window?: 'hour' | 'day') {
    const all: { start_time: number; aggregated_value: number }[] = []
    let starting_after: string | undefined
    for (;;) {
      const page = await stripe.billing.meters.listEventSummaries(meterId, { customer, start_time: start, end_time: end, limit: 100, starting_after, ...(window ? { value_grouping_window: window } : {}) })
      all.push(...page.data)
      if (!page.has_more || page.data.length === 0) return all
      starting_after = page.data[page.data.length - 1].id
    }
  }

  async function getUsage(scope: CustomerScope, query: UsageQuery): Promise<UsageReport> {
    const { metric, period, granularity } = checkUsageQuery(query)
    const session = await deps.session(scope)
    const sub = session.subscription
    if (!sub || sub.status === 'canceled') throw new BillingError('not_found', 'No subscription: usage is shown for the metrics of the current plan')
    const meter = deps.meters.find((m) => m.metric === metric)
    const row = session.usage.find((u) => u.metric === metric)
    if (!meter || !row) throw new BillingError('not_found', `The plan has no metric "${metric}"`, { field: 'metric' })
    const periodLength = session.price?.period ?? 'month'
    const from = period === 'current' ? sub.current_period_start : previousPeriodStart(sub.current_period_start, periodLength, sub.current_period_start)
    const to = period === 'current' ? sub.current_period_end : sub.current_period_start
    const now = deps.now()
    const size = bucketSize(granularity)

    // Minute-aligned bounds (as the session's meter reads them), up to now; whole windows inside.
    const lo = Math.floor(from / MINUTE) * MINUTE
    const hi = Math.max(lo + MINUTE, Math.ceil(Math.min(now + 1, to) / MINUTE) * MINUTE)
    const first = Math.ceil(lo / size) * size
    const last = Math.floor(hi / size) * size
    const customer = await deps.customerId(scope)
    const base = from - (from % size)
    const sums = new Map<number, number>()
    const add = (at: number, value: number) => {
      const n = Math.max(0, Math.floor((at - base) / size))
      sums.set(n, (sums.get(n) ?? 0) + value)
    }
    const ranges: [number, number, 'hour' | 'day' | undefined][] =
      first < last ? [[first, last, granularity], [lo, first, undefined], [last, hi, undefined]] : [[lo, hi, undefined]]
    await Promise.all(
      ranges
        .filter(([start, end]) => end > start)
        .map(async ([start, end, window]) => {
          for (const s of await summaries(meter.id, customer, start, end, window)) add(window ? s.start_time : start, s.aggregated_value)
        }),
    )
    const quota = { metric, unit: row.unit, quota: row.limit, overage_amount: null, overage_block: null }
    return usageReport({ quota, from, to, now, granularity, sums, stopsAt: null, currency: session.price?.currency ?? '', spendLimit: null })
  }

  return { getUsage }
}
