/** `getSession`: the dashboard's one request, in three prepared queries. */
import type { Customer, Period, Session, UsageMeter } from '../../../api/types.js'
import type { CustomerScope } from '../types.js'
import { prepared } from './prepared.js'
import { renewalAmount, scaleQuotas, type QuoteQuota } from './quote.js'
import type { SubscriptionsTable } from './schema.js'
import { noSuchCustomer } from './lookups.js'
import { toPlan, toPrice, toSubscription } from './wire.js'
import type { EngineContext } from './context.js'

interface SessionRow {
  customer_id: string
  custom_uid: string
  email: string
  customer_name: string
  balance: number
  id: string | null
  status: SubscriptionsTable['status'] | null
  price_id: string | null
  anchor: number | null
  current_period_start: number | null
  current_period_end: number | null
  cancel_at_period_end: 0 | 1 | null
  trial_end: number | null
  scheduled_price_id: string | null
  scheduled_at: number | null
  canceled_at: number | null
  ended_at: number | null
  period: Period | null
  amount: number | null
  currency: string | null
  plan_id: string | null
  plan_name: string | null
  description: string | null
  features: string | null
  flags: string | null
  trial_days: number | null
  featured: 0 | 1 | null
  public: 0 | 1 | null
  sort_order: number | null
  plan_created: number | null
  scheduled_amount: number | null
}

interface PriceShape {
  id: string
  period: Period
  amount: number
  currency: string
}

type MeterRow = QuoteQuota & { used: number | null }

export function sessionMethods(ctx: EngineContext) {
  const { db, now, tx, customerNow } = ctx

  /** One round trip's worth of reads: customer with subscription, prices and plan joined; then prices; then quotas with usage. */
  const sessionQuery = prepared<{ appId: string; customUid: string }, SessionRow>((p) =>
    db
      .selectFrom('customers as c')
      .leftJoin('subscriptions as s', 's.id', 'c.subscription_id')
      .leftJoin('prices as p', 'p.id', 's.price_id')
      .leftJoin('plans as pl', 'pl.id', 'p.plan_id')
      .leftJoin('prices as sp', 'sp.id', 's.scheduled_price_id')
      .select([
        'c.id as customer_id',
        'c.custom_uid',
        'c.email',
        'c.name as customer_name',
        'c.balance',
        's.id',
        's.status',
        's.price_id',
        's.anchor',
        's.current_period_start',
        's.current_period_end',
        's.cancel_at_period_end',
        's.trial_end',
        's.scheduled_price_id',
        's.scheduled_at',
        's.canceled_at',
        's.ended_at',
        'p.period',
        'p.amount',
        'p.currency',
        'pl.id as plan_id',
        'pl.name as plan_name',
        'pl.description',
        'pl.features',
        'pl.flags',
        'pl.trial_days',
        'pl.featured',
        'pl.public',
        'pl.sort_order',
        'pl.created as plan_created',
        'sp.amount as scheduled_amount',
      ])
      .where('c.app_id', '=', p('appId'))
      .where('c.custom_uid', '=', p('customUid')),
  )
  // The plan's offered prices plus the subscription's own (which may be archived: catalogue.ts).
  const planPricesQuery = prepared<{ planId: string; priceId: string }, PriceShape>((p) =>
    db
      .selectFrom('prices')
      .select(['id', 'period', 'amount', 'currency'])
      .where('plan_id', '=', p('planId'))
      .where((eb) => eb.or([eb('archived_at', 'is', null), eb('id', '=', p('priceId'))]))
      .orderBy('period')
      .orderBy('amount'),
  )
  const metersQuery = prepared<{ appId: string; planId: string; customerId: string; from: number; to: number }, MeterRow>((p) =>
    db
      .selectFrom('plan_quotas as q')
      .innerJoin('metrics as m', (j) => j.onRef('m.key', '=', 'q.metric').on('m.app_id', '=', p('appId')))
      .select((eb) => [
        'q.metric',
        'm.name as metric_name',
        'm.unit',
        'q.quota',
        'q.overage_amount',
        'q.overage_block',
        eb
          .selectFrom('usage_records as u')
          .select((e) => e.fn.coalesce(e.fn.sum<number>('u.quantity'), e.lit(0)).as('used'))
          .where('u.customer_id', '=', p('customerId'))
          .whereRef('u.metric', '=', 'q.metric')
          .where('u.recorded_at', '>=', p('from'))
          .where('u.recorded_at', '<', p('to'))
          .as('used'),
      ])
      .where('q.plan_id', '=', p('planId'))
      .orderBy('q.metric'),
  )

  async function getSession(scope: CustomerScope): Promise<Session> {
    const [row] = await sessionQuery(db, { appId: scope.appId, customUid: scope.customUid })
    if (!row) throw noSuchCustomer(scope.appId, scope.customUid)
    const customer: Customer = { id: row.custom_uid, email: row.email, name: row.customer_name }
    if (row.id === null || row.plan_id === null || row.status === null) {
      return { customer, subscription: null, plan: null, price: null, usage: [], upcoming_invoice: null, api_keys_enabled: true }
    }
    if (row.status !== 'canceled' && (row.current_period_end as number) <= now()) {
      await tx((q) => customerNow(q, scope))
      return getSession(scope)
    }

    const sub = row as typeof row & { id: string; status: SubscriptionsTable['status']; plan_id: string; price_id: string; current_period_start: number; current_period_end: number }
    const [prices, meters, caps] = await Promise.all([
      planPricesQuery(db, { planId: sub.plan_id, priceId: sub.price_id }),
      metersQuery(db, { appId: scope.appId, planId: sub.plan_id, customerId: sub.customer_id, from: sub.current_period_start, to: sub.current_period_end }),
      db.selectFrom('usage_limits').select(['metric', 'max_overage_amount']).where('customer_id', '=', sub.customer_id).execute(),
    ])
    const plan = toPlan(
      {
        id: sub.plan_id,
        app_id: scope.appId,
        name: sub.plan_name as string,
        description: sub.description as string,
        features: sub.features as string,
        flags: sub.flags as string,
        trial_days: sub.trial_days as number,
        featured: sub.featured as 0 | 1,
        public: sub.public as 0 | 1,
        sort_order: sub.sort_order as number,
        created: sub.plan_created as number,
      },
      prices,
      meters,
    )
    const periodQuotas = scaleQuotas(meters, sub.period as Period)
    const usage: UsageMeter[] = periodQuotas.map((m, i) => {
      const meter: UsageMeter = { metric: m.metric, name: m.metric_name, used: Number(meters[i].used ?? 0), limit: m.quota, unit: m.unit }
      // The customer's spend limit, where they set one on a metric this plan bills overage for.
      const cap = m.overage_amount === null ? undefined : caps.find((c) => c.metric === m.metric)
      if (cap) meter.spend_limit = { max_overage_amount: cap.max_overage_amount === null ? null : Number(cap.max_overage_amount), currency: sub.currency as string }
      return meter
    })
    const subscription = toSubscription(
      {
        id: sub.id,
        app_id: scope.appId,
        customer_id: sub.customer_id,
        price_id: sub.price_id as string,
        status: sub.status,
        anchor: sub.anchor as number,
        current_period_start: sub.current_period_start,
        current_period_end: sub.current_period_end,
        cancel_at_period_end: sub.cancel_at_period_end as 0 | 1,
        trial_end: sub.trial_end,
        scheduled_price_id: sub.scheduled_price_id,
        scheduled_at: sub.scheduled_at,
        canceled_at: sub.canceled_at,
        ended_at: sub.ended_at,
        created: 0,
      },
      sub.plan_id,
    )
    let upcoming: Session['upcoming_invoice'] = null
    if (sub.status !== 'canceled' && sub.cancel_at_period_end === 0) {
      const renewal = renewalAmount({
        price: { amount: sub.scheduled_amount ?? (sub.amount as number) },
        inTrial: sub.status === 'trialing',
        quotas: periodQuotas,
        usage: Object.fromEntries(usage.map((u) => [u.metric, u.used])),
        balance: sub.balance,
      })
      if (renewal.gross > 0) upcoming = { amount_due: renewal.net, currency: sub.currency as string, date: sub.current_period_end }
    }
    const price = prices.find((p) => p.id === sub.price_id)
    return {
      customer,
      subscription,
      plan,
      price: price ? toPrice(price) : null,
      usage,
      upcoming_invoice: upcoming,
      api_keys_enabled: true,
    }
  }

  return { getSession }
}
