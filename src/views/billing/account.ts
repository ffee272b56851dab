import type { Plan, PlansResponse, Price, Session } from '../../api/types.js'
import type { ResourceStore } from '../../session/resource.js'

/** What the subscription and plan cards render from: loaded together, reloaded together after a change. */
export interface Account {
  session: Session
  plans: PlansResponse
}

export type AccountStore = ResourceStore<Account>

export function findPrice(plans: Plan[], priceId: string): { plan: Plan; price: Price } | undefined {
  for (const plan of plans) {
    const price = plan.prices.find((p) => p.id === priceId)
    if (price) return { plan, price }
  }
  return undefined
}
