/**
 * Stripe subscriptions as the Portal API's, and which kind of change a price switch is.
 */
import type { Price, Subscription, SubscriptionStatus } from '../../../api/types.js'
import { idOf, type StripeSubscription, type StripeSubscriptionItem, type StripeSubscriptionSchedule } from './client.js'

/** Statuses that still bill or may bill: everything but the two terminal ones. */
export function isLive(sub: StripeSubscription): boolean {
  return sub.status !== 'canceled' && sub.status !== 'incomplete_expired'
}

/**
 * Stripe has eight statuses, the portal four: a subscription waiting on a payment
 * (`past_due`, `unpaid`, `incomplete`, or `paused` after a trial ended without a card)
 * needs the customer's attention, which is what `past_due` shows.
 */
export function toStatus(status: string): SubscriptionStatus {
  switch (status) {
    case 'trialing':
    case 'active':
    case 'past_due':
      return status
    case 'canceled':
    case 'incomplete_expired':
      return 'canceled'
    default:
      return 'past_due'
  }
}

/** The item that carries the plan: the first licensed one, as the portal only ever writes one. */
export function planItem(sub: StripeSubscription): StripeSubscriptionItem {
  const item = sub.items.data.find((i) => (i.price.recurring?.usage_type ?? 'licensed') === 'licensed') ?? sub.items.data[0]
  if (!item) throw new Error(`Stripe subscription ${sub.id} has no items`)
  return item
}

export function currentPeriod(sub: StripeSubscription): { start: number; end: number } {
  const item = planItem(sub)
  const start = item.current_period_start ?? sub.current_period_start
  const end = item.current_period_end ?? sub.current_period_end
  if (start === undefined || end === undefined) throw new Error(`Stripe subscription ${sub.id} has no current period`)
  return { start, end }
}

/** A cancellation is scheduled: `cancel_at_period_end`, or a `cancel_at` date (newer API versions set both). */
export const isCanceling = (sub: StripeSubscription): boolean => isLive(sub) && (sub.cancel_at_period_end || (sub.cancel_at ?? null) !== null)

/** The price a subscription schedule moves to after the current phase, if it changes the price. */
export function scheduledChange(sub: StripeSubscription, schedule: StripeSubscriptionSchedule | null): Subscription['scheduled_change'] {
  if (!schedule || (schedule.status !== 'active' && schedule.status !== 'not_started')) return null
  const current = planItem(sub).price.id
  const { end } = currentPeriod(sub)
  const next = schedule.phases.find((phase) => phase.start_date >= end)
  const price = next?.items[0]?.price
  if (!next || !price || idOf(price) === current) return null
  return { price_id: idOf(price), at: next.start_date }
}

export function toSubscription(sub: StripeSubscription, schedule: StripeSubscriptionSchedule | null): Subscription {
  const item = planItem(sub)
  const { start, end } = currentPeriod(sub)
  return {
    id: sub.id,
    status: toStatus(sub.status),
    plan_id: idOf(item.price.product),
    price_id: item.price.id,
    current_period_start: start,
    current_period_end: end,
    cancel_at_period_end: isCanceling(sub),
    trial_end: sub.trial_end,
    scheduled_change: isLive(sub) ? scheduledChange(sub, schedule) : null,
    canceled_at: sub.canceled_at ?? null,
    ended_at: sub.ended_at ?? null,
  }
}

export type ChangeKind =
  /** No live subscription: one starts now (in trial when the plan has trial days). */
  | 'start'
  /** In a trial: the price switches now, nothing is charged, the trial runs on. */
  | 'switch_trial'
  /** Now, prorated and invoiced at once (Stripe starts a new period when the interval changes). */
  | 'upgrade'
  /** At the period end, through a subscription schedule. */
  | 'downgrade'

/**
 * The engine's rules (docs/stripe.md): a higher price in the same interval, or monthly
 * to yearly, is an upgrade; a lower or equal price, or yearly to monthly, waits for the
 * period end.
 */
export function classifyChange(sub: StripeSubscription | null, current: Price | null, target: Price): ChangeKind {
  if (!sub || !isLive(sub) || !current) return 'start'
  if (sub.status === 'trialing') return 'switch_trial'
  if (current.period === 'month' && target.period === 'year') return 'upgrade'
  if (current.period === target.period && target.amount > current.amount) return 'upgrade'
  return 'downgrade'
}
