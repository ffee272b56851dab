/**
 * A confirmed plan change is priced at the moment its preview priced (Stripe's
 * `proration_date`), so the charge equals the preview however long the customer took to
 * click Confirm, within limits: an old preview would price time already used.
 */
import { BillingError } from './types.js'

/** How old a preview's `proration_date` may be when the change is confirmed, in seconds. */
export const PRORATION_DATE_MAX_AGE = 3600

/**
 * The moment to price a change at: `requested` when it lies in
 * `[max(now - PRORATION_DATE_MAX_AGE, periodStart), now]`, `now` when there is none.
 * `periodStart` is the live subscription's current period start, null without one.
 */
export function prorationMoment(requested: number | undefined, now: number, periodStart: number | null): number {
  if (requested === undefined) return now
  const field = { field: 'proration_date' }
  if (!Number.isSafeInteger(requested) || requested > now) {
    throw new BillingError('invalid_request', '`proration_date` must be Unix seconds, no later than now', field)
  }
  if (requested < now - PRORATION_DATE_MAX_AGE || (periodStart !== null && requested < periodStart)) {
    throw new BillingError('invalid_request', 'This preview is out of date (its `proration_date` is over an hour old or before the current period): preview the change again', field)
  }
  return requested
}
