/**
 * The pricing page's logic as plain functions of the plans: which cards show and in
 * what order, which periods exist, what a year saves, where a call to action leads.
 * The view only renders what these return.
 */
import type { Period, Plan, Price } from '../../api/types.js'

/** `ids` filters and orders; ids that name no plan are skipped (a seller's typo must not break the page). */
export function selectPlans(plans: readonly Plan[], ids?: readonly string[]): Plan[] {
  if (!ids) return [...plans]
  const byId = new Map(plans.map((plan) => [plan.id, plan]))
  return ids.flatMap((id) => byId.get(id) ?? [])
}

/** Periods offered by at least one plan, month first. */
export function periodsOf(plans: readonly Plan[]): Period[] {
  const offered = new Set(plans.flatMap((plan) => plan.prices.map((price) => price.period)))
  return (['month', 'year'] as const).filter((period) => offered.has(period))
}

/** The toggle shows only when both periods exist. The wanted period wins when offered. */
export function initialPeriod(periods: readonly Period[], wanted?: Period): Period {
  if (wanted && periods.includes(wanted)) return wanted
  return periods[0] ?? 'month'
}

/** The plan's price for `period`; a plan with a single period (a free tier) shows that one. */
export function priceFor(plan: Plan, period: Period): Price | undefined {
  return plan.prices.find((price) => price.period === period) ?? (plan.prices.length === 1 ? plan.prices[0] : undefined)
}

/** Whole percent a yearly price saves over twelve monthly ones; 0 when it saves nothing or cannot be compared. */
export function yearlySaving(plan: Plan): number {
  const month = plan.prices.find((price) => price.period === 'month')
  const year = plan.prices.find((price) => price.period === 'year')
  if (!month || !year || month.currency !== year.currency || month.amount <= 0) return 0
  return Math.max(0, Math.round((1 - year.amount / (month.amount * 12)) * 100))
}

/** What the toggle advertises: the best saving, and whether plans differ (`Save up to`). */
export function savingOf(plans: readonly Plan[]): { percent: number; upTo: boolean } {
  const savings = plans.map(yearlySaving).filter((percent) => percent > 0)
  const percent = Math.max(0, ...savings)
  return { percent, upTo: savings.some((saving) => saving !== percent) }
}

/** The highlighted card: `featuredPlanId` when it names a shown plan, else the backend's flag. */
export function featuredId(plans: readonly Plan[], featuredPlanId?: string): string | undefined {
  if (featuredPlanId && plans.some((plan) => plan.id === featuredPlanId)) return featuredPlanId
  return plans.find((plan) => plan.featured)?.id
}

/** Yearly cost in minor units, to order two prices of one currency. */
export function annualAmount(price: Price): number {
  return price.period === 'year' ? price.amount : price.amount * 12
}

export type Move = 'current' | 'upgrade' | 'downgrade' | 'switch'

/** How choosing `target` relates to the customer's current price. */
export function moveTo(current: Price | undefined, target: Price): Move {
  if (!current) return 'switch'
  if (current.id === target.id) return 'current'
  if (current.currency !== target.currency) return 'switch'
  const from = annualAmount(current)
  const to = annualAmount(target)
  return to > from ? 'upgrade' : to < from ? 'downgrade' : 'switch'
}

/** `href` with `plan` and `price` set in its query; its path, other params and fragment kept as written. */
export function signupUrl(href: string, planId: string, priceId: string): string {
  const hashAt = href.indexOf('#')
  const hash = hashAt < 0 ? '' : href.slice(hashAt)
  const beforeHash = hashAt < 0 ? href : href.slice(0, hashAt)
  const queryAt = beforeHash.indexOf('?')
  const params = new URLSearchParams(queryAt < 0 ? '' : beforeHash.slice(queryAt + 1))
  params.set('plan', planId)
  params.set('price', priceId)
  return `${queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt)}?${params}${hash}`
}
