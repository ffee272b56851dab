import type { Plan, PlansResponse, Price, Session } from '../../api/types.js'
import type { ViewContext } from '../context.js'
import { enabled, gated } from '../account/sections.js'
import { joined } from '../parts/joined.js'
import type { Bindable } from '../parts/resource.js'

/** What the subscription and plan cards render from: the account and plans stores, joined. */
export interface Account {
  session: Session
  plans: PlansResponse
}

export type AccountStore = Bindable<Account>

export function accountStore(ctx: ViewContext): AccountStore {
  const { account, plans } = ctx.client.stores
  // With plan changes turned off (`features.changePlan`), the plans are never asked for.
  const offered = gated(account, plans, (features) => enabled(features, 'changePlan'), (session) => ({ data: [], current_price_id: session.subscription?.price_id ?? null }))
  return joined<Account>({ session: account, plans: offered })
}

export function findPrice(plans: Plan[], priceId: string): { plan: Plan; price: Price } | undefined {
  for (const plan of plans) {
    const price = plan.prices.find((p) => p.id === priceId)
    if (price) return { plan, price }
  }
  return undefined
}
