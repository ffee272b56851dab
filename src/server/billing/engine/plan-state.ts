/** The customer's plan as metering sees it: status, period, quotas scaled to the price's period, flags. */
import type { Period, SubscriptionStatus } from '../../../api/types.js'
import type { CustomerScope } from '../types.js'
import type { EngineContext } from './context.js'
import { findSubscription, isLive } from './lookups.js'
import { scaleQuotas, type QuoteQuota } from './quote.js'
import type { Db } from './schema.js'
import { quotasOf } from './usage.js'

export interface PlanState {
  customerId: string
  status: SubscriptionStatus | null
  planId: string | null
  /** The current period; 0 and 0 without a live subscription. */
  start: number
  end: number
  anchor: number
  period: Period
  currency: string
  quotas: QuoteQuota[]
  flags: string[]
}

/** Renewed up to now first (`customerNow`), so the period is the one in force. */
export async function planState(ctx: EngineContext, q: Db, scope: CustomerScope): Promise<PlanState> {
  const customer = await ctx.customerNow(q, scope)
  const sub = await findSubscription(q, customer.subscription_id)
  const none: PlanState = { customerId: customer.id, status: sub?.status ?? null, planId: null, start: 0, end: 0, anchor: 0, period: 'month', currency: '', quotas: [], flags: [] }
  if (!isLive(sub)) return none
  const price = await q
    .selectFrom('prices as p')
    .innerJoin('plans as pl', 'pl.id', 'p.plan_id')
    .select(['p.plan_id', 'p.period', 'p.currency', 'pl.flags'])
    .where('p.id', '=', sub.price_id)
    .executeTakeFirstOrThrow()
  return {
    ...none,
    planId: price.plan_id,
    start: sub.current_period_start,
    end: sub.current_period_end,
    anchor: sub.anchor,
    period: price.period,
    currency: price.currency,
    quotas: scaleQuotas(await quotasOf(q, scope.appId, price.plan_id), price.period),
    flags: JSON.parse(price.flags) as string[],
  }
}
