/**
 * What `GET /usage` answers, computed the same way on every backend (the engine and
 * `stripeBilling`): buckets from per-bucket sums, the linear forecast, where a spend limit
 * stops usage, and the previous period's start. Pure functions, no I/O.
 */
import type { SpendLimit, UsageForecast, UsageReport } from '../../api/types.js'
import { addMonths, monthsIn, overage } from './engine/proration.js'
import { BillingError, type UsageQuery } from './types.js'

export const HOUR = 3_600
export const DAY = 86_400

/** A metric's quota on the customer's plan (for the period) and its overage price. */
export interface MetricQuota {
  metric: string
  unit: string
  /** Null is unlimited. */
  quota: number | null
  /** Minor units per started block of `overage_block`; null is a hard quota. */
  overage_amount: number | null
  overage_block: number | null
}


const invalid = (field: string, message: string) => new BillingError('invalid_request', message, { field })

/**
 * Usage at which a cap refuses more: the quota plus the overage blocks the cap pays for
 * in full (a started block is billed whole). Null when nothing stops: no quota, no overage
 * price, or free overage with a money cap.
 */
export function stopsAt(quota: MetricQuota, maxOverageAmount: number | null): number | null {
  if (quota.quota === null || quota.overage_amount === null || !quota.overage_block) return null
  if (maxOverageAmount === null) return quota.quota
  if (quota.overage_amount <= 0) return null
  return quota.quota + Math.floor(maxOverageAmount / quota.overage_amount) * quota.overage_block
}

/**
 * The forecast: a linear estimate. The rate so far (`total / elapsed`) carried to the period
 * end, never past what the plan lets through (a hard quota, or the customer's cap);
 * `at_limit_on` is when that line reaches the quota. A period that has ended forecasts its total.
 */
export function forecastUsage(input: { total: number; from: number; to: number; now: number; quota: MetricQuota; stopsAt: number | null; currency: string }): UsageForecast {
  const { total, from, to, quota } = input
  const elapsed = Math.max(1, Math.min(input.now, to) - from)
  const length = to - from
  const linear = elapsed >= length ? total : Math.round((total * length) / elapsed)
  const ceiling = quota.quota !== null && quota.overage_amount === null ? quota.quota : (input.stopsAt ?? Infinity)
  const projected = Math.max(total, Math.min(linear, ceiling))
  let atLimit: number | null = null
  if (quota.quota !== null && total > 0) {
    const at = from + Math.ceil((quota.quota * elapsed) / total)
    if (at <= to) atLimit = at
  } else if (quota.quota === 0) atLimit = from
  return { total: projected, at_limit_on: atLimit, overage_amount: overage(projected, quota)?.amount ?? 0, currency: input.currency }
}

/**
 * The answer of `GET /usage` from bucket sums (bucket n = `[base + n·size, …)`, `base` the
 * UTC boundary at or before `from`): every bucket up to now (all of a past period) and any
 * later one holding an event (clock skew), empty ones 0, the first starting at `from`.
 * Shared by the engine and `stripeBilling`.
 */
export function usageReport(input: {
  quota: MetricQuota
  from: number
  to: number
  now: number
  granularity: 'day' | 'hour'
  sums: Map<number, number>
  stopsAt: number | null
  currency: string
  spendLimit: SpendLimit | null
}): UsageReport {
  const { quota, from, to, sums } = input
  const size = bucketSize(input.granularity)
  const base = from - (from % size)
  const last = Math.max(Math.floor((Math.min(Math.max(input.now, from), to - 1) - base) / size), ...sums.keys())
  const buckets = []
  let total = 0
  for (let n = 0; n <= last; n++) {
    const value = sums.get(n) ?? 0
    total += value
    buckets.push({ start: Math.max(from, base + n * size), value })
  }
  return {
    metric: quota.metric,
    unit: quota.unit,
    period: { start: from, end: to },
    granularity: input.granularity,
    buckets,
    total,
    limit: quota.quota,
    forecast: forecastUsage({ total, from, to, now: input.now, quota, stopsAt: input.stopsAt, currency: input.currency }),
    spend_limit: input.spendLimit,
  }
}

/** The start of the period before the one starting at `start`, on the subscription's cycle (or one period back when `start` is its anchor). */
export function previousPeriodStart(anchor: number, period: 'month' | 'year', start: number): number {
  const step = monthsIn(period)
  if (start <= anchor) return addMonths(start, -step)
  let k = Math.ceil((start - anchor) / (28 * DAY * step))
  while (k > 0 && addMonths(anchor, k * step) >= start) k--
  return addMonths(anchor, k * step)
}

/** `getUsage`'s query with its defaults, or `invalid_request` naming the field. */
export function checkUsageQuery(query: UsageQuery): Required<UsageQuery> {
  const { metric, period = 'current', granularity = 'day' } = query ?? ({} as UsageQuery)
  if (typeof metric !== 'string' || metric === '') throw invalid('metric', 'getUsage() needs a metric key such as "api_calls"')
  if (period !== 'current' && period !== 'previous') throw invalid('period', 'period must be "current" or "previous"')
  if (granularity !== 'day' && granularity !== 'hour') throw invalid('granularity', 'granularity must be "day" or "hour"')
  return { metric, period, granularity }
}


export const bucketSize = (granularity: 'day' | 'hour'): number => (granularity === 'hour' ? HOUR : DAY)
