/**
 * Finding the rows the engine's methods start from: prices (by id or declared id),
 * customers, subscriptions, and plans with their offered prices and quotas. Portable SQL
 * only; every function takes a Kysely handle (a transaction for writes).
 */
import type { Plan } from '../../../api/types.js'
import { BillingError } from '../types.js'
import type { QuotePrice } from './quote.js'
import type { CustomersTable, Db, PlansTable, SubscriptionsTable } from './schema.js'
import { toPlan } from './wire.js'

export interface PriceRow extends QuotePrice {
  app_id: string
  public: 0 | 1
  archived_at: number | null
  plan_archived_at: number | null
}

/** A price with its plan's name, trial, visibility and archive marks. */
export function selectPrice(q: Db) {
  return q
    .selectFrom('prices as p')
    .innerJoin('plans as pl', 'pl.id', 'p.plan_id')
    .select(['p.id', 'p.plan_id', 'p.app_id', 'p.period', 'p.amount', 'p.currency', 'pl.name as plan_name', 'pl.trial_days', 'pl.public', 'p.archived_at', 'pl.archived_at as plan_archived_at'])
}

/**
 * A price by id, or by the id a catalogue declared for it: after a catalogue changed an
 * amount, `price_pro_month` names the new price while the old row keeps that id.
 */
export async function findPrice(q: Db, appId: string, priceId: string): Promise<PriceRow | undefined> {
  const declared = await selectPrice(q).where('p.lookup_key', '=', priceId).where('p.archived_at', 'is', null).where('p.app_id', '=', appId).executeTakeFirst()
  return declared ?? selectPrice(q).where('p.id', '=', priceId).where('p.app_id', '=', appId).executeTakeFirst()
}

/** `forUpdate` locks the row for the transaction (PostgreSQL only: see EngineContext.lockCustomer). */
export async function findCustomer(q: Db, appId: string, customUid: string, forUpdate = false): Promise<CustomersTable> {
  const customer = await q
    .selectFrom('customers')
    .selectAll()
    .where('app_id', '=', appId)
    .where('custom_uid', '=', customUid)
    .$if(forUpdate, (qb) => qb.forUpdate())
    .executeTakeFirst()
  if (!customer) throw noSuchCustomer(appId, customUid)
  return customer
}

/** The browser hears "No such customer"; the seller's log hears which uid and what to do. */
export function noSuchCustomer(appId: string, customUid: string): BillingError {
  const log = `No customer ${JSON.stringify(customUid)} in app ${JSON.stringify(appId)}: a portal token's uid must name an existing customer; call billing.upsertCustomer(${JSON.stringify(appId)}, { customUid: ${JSON.stringify(customUid)} }) when the user signs up or before minting the token`
  return new BillingError('not_found', 'No such customer', { log })
}

export async function findSubscription(q: Db, id: string | null): Promise<SubscriptionsTable | undefined> {
  if (!id) return undefined
  return q.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst()
}

export const isLive = (s: SubscriptionsTable | undefined): s is SubscriptionsTable & { status: 'trialing' | 'active' | 'past_due' } =>
  s !== undefined && s.status !== 'canceled'

/**
 * Plans with their offered prices and quotas (and the quotas' metric names), in three
 * queries whatever their number. `keepPriceId` (a subscriber's own price) is listed even
 * when archived; `includeArchived` lists every price.
 */
export async function loadPlans(q: Db, plans: PlansTable[], options: { keepPriceId?: string | null; includeArchived?: boolean } = {}): Promise<Plan[]> {
  if (plans.length === 0) return []
  const ids = plans.map((p) => p.id)
  const { keepPriceId, includeArchived } = options
  const [prices, quotas] = await Promise.all([
    q
      .selectFrom('prices')
      .select(['id', 'plan_id', 'period', 'amount', 'currency'])
      .where('plan_id', 'in', ids)
      .$if(!includeArchived, (qb) => qb.where((eb) => (keepPriceId ? eb.or([eb('archived_at', 'is', null), eb('id', '=', keepPriceId)]) : eb('archived_at', 'is', null))))
      .orderBy('plan_id')
      .orderBy('period')
      .orderBy('amount')
      .execute(),
    q
      .selectFrom('plan_quotas as q')
      .innerJoin('plans as pl', 'pl.id', 'q.plan_id')
      .innerJoin('metrics as m', (j) => j.onRef('m.key', '=', 'q.metric').onRef('m.app_id', '=', 'pl.app_id'))
      .select(['q.plan_id', 'q.metric', 'q.quota', 'm.name as metric_name', 'm.unit'])
      .where('q.plan_id', 'in', ids)
      .orderBy('q.metric')
      .execute(),
  ])
  return plans.map((p) => toPlan(p, prices.filter((x) => x.plan_id === p.id), quotas.filter((x) => x.plan_id === p.id)))
}
