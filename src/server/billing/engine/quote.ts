/**
 * What a plan change does, as a pure function of the subscription, the prices and the
 * clock. `previewSubscriptionChange` returns its result and `changeSubscription` applies
 * the same result, which is why a preview always equals the charge.
 *
 * Rules (docs/billing-engine.md):
 * - no live subscription: start now, in trial when the plan has trial days and the customer has
 *   not had a trial (one per customer, unless the seller allows repeat trials), else paid in full now;
 * - trialing: switch now, nothing charged, the trial runs on (a free plan ends it);
 * - from a free price to a paid one: a new period starts now, paid in full (the cycle re-anchors, as Stripe does);
 * - month to year: a new period starts now; credit for the unused month, the year paid in full;
 * - same period length and a higher price: now, in the current period; credit for the unused
 *   time of the old price, charge for the remaining time of the new one;
 * - anything else (lower or equal price, year to month, paid to free): at the period end.
 */
import type { Period } from '../../../api/types.js'
import { boundaryAfter, monthsIn, overage, periodEnd, prorate, sum, trialEnd } from './proration.js'

export interface QuotePrice {
  id: string
  plan_id: string
  plan_name: string
  period: Period
  amount: number
  currency: string
  trial_days: number
}

export interface QuoteQuota {
  metric: string
  metric_name: string
  unit: string
  quota: number | null
  overage_amount: number | null
  overage_block: number | null
}

export interface QuoteSubscription {
  status: 'trialing' | 'active' | 'past_due'
  price: QuotePrice
  current_period_start: number
  current_period_end: number
  anchor: number
  trial_end: number | null
}

export interface DraftLine {
  kind: 'subscription' | 'proration' | 'usage' | 'balance'
  description: string
  amount: number
  quantity: number
  period: { start: number; end: number } | null
}

export interface SubscriptionState {
  status: 'trialing' | 'active' | 'past_due'
  price_id: string
  anchor: number
  current_period_start: number
  current_period_end: number
  trial_end: number | null
}

export interface ChangeQuote {
  effective: 'now' | 'period_end'
  effective_at: number
  /** Due now, balance lines included; empty when nothing is invoiced. */
  lines: DraftLine[]
  amount_due_now: number
  balance_after: number
  next_renewal_amount: number
  /** A paid price taking effect outside a trial needs a default card. */
  needs_card: boolean
  /** The subscription after an immediate change; null when it is scheduled. */
  next: SubscriptionState | null
}

export interface QuoteInput {
  now: number
  /** Customer credit, minor units. */
  balance: number
  /** False when the customer already had a trial (and repeat trials are off): a start is paid. */
  trialAvailable: boolean
  /** The live subscription (trialing, active or past due); null when none or canceled. */
  current: QuoteSubscription | null
  currentQuotas: QuoteQuota[]
  target: QuotePrice
  targetQuotas: QuoteQuota[]
  /**
   * Usage per metric around the change, split at its boundaries: `before` in
   * [period start, now), `rest` in [now, period end), `beyond` from the period end (or now,
   * without a subscription) to the end of a period started now on the target price.
   */
  usage: UsageBuckets
}

export type Usage = Record<string, number>
export interface UsageBuckets {
  before: Usage
  rest: Usage
  beyond: Usage
}

export function addUsage(...parts: Usage[]): Usage {
  const out: Usage = {}
  for (const part of parts) for (const [metric, n] of Object.entries(part)) out[metric] = (out[metric] ?? 0) + n
  return out
}

export const periodLabel = (period: Period): string => (period === 'year' ? 'yearly' : 'monthly')
export const priceLabel = (price: QuotePrice): string => `${price.plan_name} (${periodLabel(price.period)})`

export function subscriptionLine(price: QuotePrice, start: number, end: number): DraftLine {
  return { kind: 'subscription', description: `1 × ${priceLabel(price)}`, amount: price.amount, quantity: 1, period: { start, end } }
}

/** One line per metric used beyond its quota in a period, when the plan bills overage. */
/**
 * Quotas are set per month; a yearly price carries twelve months' allowance for the whole
 * year, so a period's limit is the monthly quota times the months in the period.
 */
export function scaleQuotas(quotas: QuoteQuota[], period: Period): QuoteQuota[] {
  const months = monthsIn(period)
  return months === 1 ? quotas : quotas.map((q) => ({ ...q, quota: q.quota === null ? null : q.quota * months }))
}

export function overageLines(quotas: QuoteQuota[], usage: Record<string, number>, start: number, end: number): DraftLine[] {
  const lines: DraftLine[] = []
  for (const q of quotas) {
    const over = overage(usage[q.metric] ?? 0, q)
    if (!over) continue
    lines.push({
      kind: 'usage',
      description: `${q.metric_name} beyond quota (${over.units.toLocaleString('en-US')} ${q.unit})`,
      amount: over.amount,
      quantity: over.blocks,
      period: { start, end },
    })
  }
  return lines
}

/**
 * Applies the customer's credit to what is due: a positive subtotal uses credit first; a
 * negative one (credit worth more than the charge) is carried to the balance, so what is
 * due is never negative and the total is still the sum of the lines.
 */
export function settle(lines: DraftLine[], balance: number): { lines: DraftLine[]; total: number; balance_after: number } {
  const subtotal = sum(lines.map((l) => l.amount))
  if (subtotal > 0 && balance > 0) {
    const applied = Math.min(balance, subtotal)
    const line: DraftLine = { kind: 'balance', description: 'Applied credit balance', amount: -applied, quantity: 1, period: null }
    return { lines: [...lines, line], total: subtotal - applied, balance_after: balance - applied }
  }
  if (subtotal < 0) {
    const line: DraftLine = { kind: 'balance', description: 'Unused credit added to your balance', amount: -subtotal, quantity: 1, period: null }
    return { lines: [...lines, line], total: 0, balance_after: balance - subtotal }
  }
  return { lines, total: subtotal, balance_after: balance }
}

/** What the next renewal invoice will ask for: the renewal price, usage over quota so far (not in trial), less credit. */
export function renewalAmount(input: {
  price: { amount: number }
  inTrial: boolean
  quotas: QuoteQuota[]
  usage: Record<string, number>
  balance: number
}): { gross: number; net: number } {
  const usage = input.inTrial ? 0 : sum(overageLines(input.quotas, input.usage, 0, 0).map((l) => l.amount))
  const gross = input.price.amount + usage
  return { gross, net: gross - Math.min(Math.max(0, input.balance), gross) }
}

/** When a change takes effect: the one rule behind the quote and the plans answer's `change_effective`. */
export function classifyChange(current: Pick<QuoteSubscription, 'status'> & { price: Pick<QuotePrice, 'amount' | 'period'> }, target: Pick<QuotePrice, 'amount' | 'period'>): 'now' | 'period_end' {
  if (current.status === 'trialing') return 'now'
  const from = current.price
  if (from.amount === 0 && target.amount > 0) return 'now'
  if (from.period === 'month' && target.period === 'year') return 'now'
  if (from.period === target.period && target.amount > from.amount) return 'now'
  return 'period_end'
}

export function quoteChange(raw: QuoteInput): ChangeQuote {
  const input: QuoteInput = {
    ...raw,
    currentQuotas: raw.current ? scaleQuotas(raw.currentQuotas, raw.current.price.period) : raw.currentQuotas,
    targetQuotas: scaleQuotas(raw.targetQuotas, raw.target.period),
  }
  const { now, current, target } = input
  if (!current) return startQuote(input)
  const wholePeriod = addUsage(input.usage.before, input.usage.rest)

  const effective = classifyChange(current, target)
  if (effective === 'period_end') {
    const renewal = renewalAmount({ price: target, inTrial: false, quotas: input.currentQuotas, usage: wholePeriod, balance: input.balance })
    return {
      effective,
      effective_at: current.current_period_end,
      lines: [],
      amount_due_now: 0,
      balance_after: input.balance,
      next_renewal_amount: renewal.net,
      needs_card: false,
      next: null,
    }
  }

  if (current.status === 'trialing') {
    // Nothing was paid for the trial, so there is nothing to prorate; a free plan ends the trial.
    const endsTrial = target.amount === 0
    const next: SubscriptionState = {
      status: endsTrial ? 'active' : 'trialing',
      price_id: target.id,
      anchor: current.anchor,
      current_period_start: current.current_period_start,
      current_period_end: current.current_period_end,
      trial_end: endsTrial ? now : current.trial_end,
    }
    const renewal = renewalAmount({ price: target, inTrial: !endsTrial, quotas: input.targetQuotas, usage: wholePeriod, balance: input.balance })
    return { effective, effective_at: now, lines: [], amount_due_now: 0, balance_after: input.balance, next_renewal_amount: renewal.net, needs_card: false, next }
  }

  const from = current.price
  const { current_period_start: start, current_period_end: end } = current
  const remaining = end - now
  const length = end - start
  const credit = from.amount > 0 ? prorate(from.amount, remaining, length) : 0
  const creditLine: DraftLine[] =
    from.amount > 0
      ? [{ kind: 'proration', description: `Unused time on ${priceLabel(from)}`, amount: -credit, quantity: 1, period: { start: now, end } }]
      : []

  const restarts = from.amount === 0 || from.period !== target.period
  if (restarts) {
    // A new period from now: usage so far is billed with the old plan, the new period in full.
    const newEnd = periodEnd(now, target.period)
    const draft = [
      ...creditLine,
      ...overageLines(input.currentQuotas, input.usage.before, start, now),
      subscriptionLine(target, now, newEnd),
    ]
    const next: SubscriptionState = { status: current.status, price_id: target.id, anchor: now, current_period_start: now, current_period_end: newEnd, trial_end: current.trial_end }
    return chargeNow(input, draft, addUsage(input.usage.rest, input.usage.beyond), next)
  }

  const charge = prorate(target.amount, remaining, length)
  const draft: DraftLine[] = [
    ...creditLine,
    { kind: 'proration', description: `Remaining time on ${priceLabel(target)}`, amount: charge, quantity: 1, period: { start: now, end } },
  ]
  return chargeNow(input, draft, wholePeriod, { ...stateOf(current), price_id: target.id })
}

/**
 * A change that applies now: `draft` is invoiced at once (credit balance applied), the next
 * renewal is priced on `renewalUsage` under the new quotas, and `next` is the new state.
 */
function chargeNow(input: QuoteInput, draft: DraftLine[], renewalUsage: Usage, next: SubscriptionState): ChangeQuote {
  const { now, target } = input
  const settled = settle(draft, input.balance)
  const renewal = renewalAmount({ price: target, inTrial: false, quotas: input.targetQuotas, usage: renewalUsage, balance: settled.balance_after })
  return {
    effective: 'now',
    effective_at: now,
    lines: settled.lines,
    amount_due_now: settled.total,
    balance_after: settled.balance_after,
    next_renewal_amount: renewal.net,
    needs_card: target.amount > 0,
    next,
  }
}

function stateOf(s: QuoteSubscription): SubscriptionState {
  return {
    status: s.status,
    price_id: s.price.id,
    anchor: s.anchor,
    current_period_start: s.current_period_start,
    current_period_end: s.current_period_end,
    trial_end: s.trial_end,
  }
}

function startQuote(input: QuoteInput): ChangeQuote {
  const { now, target } = input
  if (target.trial_days > 0 && input.trialAvailable) {
    const end = trialEnd(now, target.trial_days)
    const renewal = renewalAmount({ price: target, inTrial: false, quotas: input.targetQuotas, usage: {}, balance: input.balance })
    return {
      effective: 'now',
      effective_at: now,
      lines: [],
      amount_due_now: 0,
      balance_after: input.balance,
      next_renewal_amount: renewal.net,
      needs_card: false,
      next: { status: 'trialing', price_id: target.id, anchor: end, current_period_start: now, current_period_end: end, trial_end: end },
    }
  }
  const end = periodEnd(now, target.period)
  const draft = target.amount > 0 ? [subscriptionLine(target, now, end)] : []
  return chargeNow(input, draft, input.usage.beyond, { status: 'active', price_id: target.id, anchor: now, current_period_start: now, current_period_end: end, trial_end: null })
}

/** The period after `end` on the subscription's cycle. */
export function nextPeriod(anchor: number, period: Period, end: number): { start: number; end: number } {
  return { start: end, end: boundaryAfter(anchor, period, end) }
}
