/**
 * When a plan change would take effect, marked on each price of a customer's plans answer
 * (`change_effective`) by the backend, from the same rule its preview uses, so the
 * Portal API can say which changes the seller allows without pricing each one.
 */
import type { Plan, Price } from '../../api/types.js'

export type ChangeEffective = 'now' | 'period_end'

/** `plans` with every price but `currentPriceId` marked with `effective(price)`. */
export function withChangeTiming(plans: Plan[], currentPriceId: string | null, effective: (price: Price) => ChangeEffective): Plan[] {
  return plans.map((plan) => ({
    ...plan,
    prices: plan.prices.map((price) => (price.id === currentPriceId ? price : { ...price, change_effective: effective(price) })),
  }))
}
