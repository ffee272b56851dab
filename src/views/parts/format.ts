import type { Plan, Price, Subscription, SubscriptionStatus } from '../../api/types.js'
import { h } from '../../dom/h.js'
import type { ViewContext } from '../context.js'

/** Formatting: prices, subscription dates and status badges, in the portal's locale. */

export type Tone = 'success' | 'info' | 'warning' | 'danger' | 'neutral'

const STATUS_TONE: Record<SubscriptionStatus, Tone> = { trialing: 'info', active: 'success', past_due: 'danger', canceled: 'neutral' }

/** One badge per subscription status, and one for a scheduled cancellation (its date is `subscriptionDate`'s). */
export function statusBadge(ctx: ViewContext, sub: Subscription): HTMLElement {
  if (sub.cancel_at_period_end && sub.status !== 'canceled') return badge(ctx.t('dashboard.status.canceling'), 'warning')
  return badge(ctx.t(`dashboard.status.${sub.status}`), STATUS_TONE[sub.status] ?? 'neutral')
}

/**
 * Renewal, trial end, scheduled end or when it ended: the one date that matters for this
 * subscription. A canceled one ended at `ended_at` (a cancellation at once may come long
 * before the period end); a backend that leaves it out gets no date rather than a wrong one.
 */
export function subscriptionDate(ctx: ViewContext, sub: Subscription): string | null {
  const { t, format } = ctx
  if (sub.status === 'canceled') {
    const ended = sub.ended_at ?? sub.canceled_at
    return ended ? t('dashboard.canceledOn', { date: format.date(ended) }) : null
  }
  if (sub.cancel_at_period_end) return t('dashboard.endsOn', { date: format.date(sub.current_period_end) })
  if (sub.status === 'trialing' && sub.trial_end !== null) return t('dashboard.trialEnds', { date: format.date(sub.trial_end) })
  return t('dashboard.renews', { date: format.date(sub.current_period_end) })
}

export function badge(text: string, tone: Tone): HTMLElement {
  return h('span', { class: `ap-badge ap-badge--${tone}` }, text)
}

/** "$49.00 / month" */
export function priceText(ctx: ViewContext, price: Price): string {
  const amount = ctx.format.money(price.amount, price.currency)
  return ctx.t(price.period === 'year' ? 'dashboard.price.year' : 'dashboard.price.month', { amount })
}

/**
 * A quota metric's display name: the backend's (`plan.metrics`), else derived from its id
 * (`api_calls` -> `API calls`) for a backend that sends none.
 */
export function metricName(metric: string, plan?: Plan | null): string {
  const named = plan?.metrics?.[metric]?.name
  if (named) return named
  const words = metric.split(/[_\s-]+/).filter(Boolean)
  return words
    .map((word, i) => (/^(api|sms|gb|mb|tb|kb|url|ai|cpu|gpu)$/i.test(word) ? word.toUpperCase() : i === 0 ? word[0].toUpperCase() + word.slice(1) : word))
    .join(' ')
}
