/**
 * Money and calendar arithmetic for the engine: pure functions, no I/O.
 *
 * Rounding rule (also in docs/billing-engine.md): amounts are integer minor units of the
 * price's currency (cents for USD, yen for JPY). A prorated amount is
 * `amount × remaining_seconds / period_seconds`, computed exactly with BigInt and rounded
 * half up to the nearest minor unit. The credit for the old price and the charge for
 * the new one are each rounded on their own, then added; so every invoice line is an
 * integer and the invoice total is exactly the sum of its lines.
 */
import type { Period } from '../../../api/types.js'

const DAY = 86_400

/** `amount × numerator / denominator`, rounded half up (for non-negative inputs). */
export function prorate(amount: number, numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(amount) || !Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator)) {
    throw new RangeError('prorate() takes safe integers')
  }
  if (amount < 0 || numerator < 0 || denominator <= 0) throw new RangeError('prorate() takes non-negative amounts and a positive period')
  if (numerator >= denominator) return amount
  const a = BigInt(amount) * BigInt(numerator)
  const d = BigInt(denominator)
  // floor((2a + d) / 2d) is a/d rounded half up.
  return Number((2n * a + d) / (2n * d))
}

/** Adds whole calendar months in UTC, clamping the day (Jan 31 + 1 month = Feb 28/29), keeping the time of day. */
export function addMonths(at: number, months: number): number {
  const d = new Date(at * 1000)
  const y = d.getUTCFullYear()
  const m = d.getUTCMonth() + months
  const targetYear = y + Math.floor(m / 12)
  const targetMonth = ((m % 12) + 12) % 12
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate()
  const day = Math.min(d.getUTCDate(), lastDay)
  return (
    Date.UTC(targetYear, targetMonth, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000
  )
}

export const monthsIn = (period: Period): number => (period === 'year' ? 12 : 1)

/** The end of the period that starts at `start` on a cycle anchored at `start`. */
export function periodEnd(start: number, period: Period): number {
  return addMonths(start, monthsIn(period))
}

/**
 * The first cycle boundary strictly after `after` on a cycle anchored at `anchor`
 * (boundaries are `anchor + k periods`, each counted from the anchor so a 31st stays
 * the 31st where the month has one).
 */
export function boundaryAfter(anchor: number, period: Period, after: number): number {
  const step = monthsIn(period)
  // Estimate k from the mean month length, then correct: the estimate is off by at most one or two steps.
  let k = Math.max(1, Math.floor((after - anchor) / (30.436875 * DAY) / step))
  while (k > 1 && addMonths(anchor, (k - 1) * step) > after) k--
  while (addMonths(anchor, k * step) <= after) k++
  return addMonths(anchor, k * step)
}

export function trialEnd(start: number, trialDays: number): number {
  return start + trialDays * DAY
}

/** Usage beyond the quota, billed per started block. */
export function overage(
  used: number,
  quota: { quota: number | null; overage_amount: number | null; overage_block: number | null },
): { units: number; blocks: number; amount: number } | null {
  if (quota.quota === null || quota.overage_amount === null || !quota.overage_block) return null
  const units = used - quota.quota
  if (units <= 0) return null
  const blocks = Math.ceil(units / quota.overage_block)
  return { units, blocks, amount: blocks * quota.overage_amount }
}

export const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0)
