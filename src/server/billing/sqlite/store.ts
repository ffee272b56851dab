/**
 * Queries and writes shared by the engine's methods: plans, subscriptions, usage,
 * invoices, charging and renewal. Everything takes a Kysely handle (the engine passes a
 * transaction for writes) and uses only portable SQL.
 */
import type { Kysely } from 'kysely'
import type { Invoice, InvoiceLine, Plan, Price, Subscription } from '../../../api/types.js'
import { BillingError } from '../types.js'
import { newId } from './ids.js'
import { sum } from './proration.js'
import { nextPeriod, overageLines, scaleQuotas, settle, subscriptionLine, type DraftLine, type QuotePrice, type QuoteQuota, type QuoteSubscription, type UsageBuckets } from './quote.js'
import type { BillingDatabase, CustomersTable, InvoicesTable, PlansTable, SubscriptionsTable } from './schema.js'

export type Db = Kysely<BillingDatabase>

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

export function toQuoteSubscription(s: SubscriptionsTable & { status: QuoteSubscription['status'] }, price: QuotePrice): QuoteSubscription {
  return {
    status: s.status,
    price,
    current_period_start: s.current_period_start,
    current_period_end: s.current_period_end,
    anchor: s.anchor,
    trial_end: s.trial_end,
  }
}

export function toSubscription(s: SubscriptionsTable, planId: string): Subscription {
  return {
    id: s.id,
    status: s.status,
    plan_id: planId,
    price_id: s.price_id,
    current_period_start: s.current_period_start,
    current_period_end: s.current_period_end,
    cancel_at_period_end: s.cancel_at_period_end === 1,
    trial_end: s.trial_end,
    scheduled_change: s.scheduled_price_id !== null && s.scheduled_at !== null ? { price_id: s.scheduled_price_id, at: s.scheduled_at } : null,
    canceled_at: s.canceled_at,
    ended_at: s.ended_at,
  }
}

export async function subscriptionWire(q: Db, s: SubscriptionsTable): Promise<Subscription> {
  const price = await q.selectFrom('prices').select('plan_id').where('id', '=', s.price_id).executeTakeFirstOrThrow()
  return toSubscription(s, price.plan_id)
}

export async function quotasOf(q: Db, appId: string, planId: string): Promise<QuoteQuota[]> {
  return q
    .selectFrom('plan_quotas as q')
    .innerJoin('metrics as m', (j) => j.onRef('m.key', '=', 'q.metric').on('m.app_id', '=', appId))
    .select(['q.metric', 'm.name as metric_name', 'm.unit', 'q.quota', 'q.overage_amount', 'q.overage_block'])
    .where('q.plan_id', '=', planId)
    .orderBy('q.metric')
    .execute()
}

/** Usage per metric recorded in `[from, to)`. */
export async function usageIn(q: Db, customerId: string, from: number, to: number): Promise<Record<string, number>> {
  const rows = await q
    .selectFrom('usage_records')
    .select((eb) => ['metric', eb.fn.sum<number>('quantity').as('used')])
    .where('customer_id', '=', customerId)
    .where('recorded_at', '>=', from)
    .where('recorded_at', '<', to)
    .groupBy('metric')
    .execute()
  const usage: Record<string, number> = {}
  for (const r of rows) usage[r.metric] = Number(r.used)
  return usage
}

/**
 * Usage per metric in three adjacent windows, in one grouped query:
 * `before` = [start, now), `rest` = [now, end), `beyond` = [end, until).
 */
export async function usageBuckets(
  q: Db,
  customerId: string,
  w: { start: number; now: number; end: number; until: number },
): Promise<UsageBuckets> {
  const rows = await q
    .selectFrom('usage_records')
    .select((eb) => {
      const between = (from: number, to: number) =>
        eb.fn.sum<number>(eb.case().when(eb.and([eb('recorded_at', '>=', from), eb('recorded_at', '<', to)])).then(eb.ref('quantity')).else(0).end())
      return ['metric', between(w.start, w.now).as('before'), between(w.now, w.end).as('rest'), between(w.end, w.until).as('beyond')]
    })
    .where('customer_id', '=', customerId)
    .where('recorded_at', '>=', w.start)
    .where('recorded_at', '<', w.until)
    .groupBy('metric')
    .execute()
  const buckets: UsageBuckets = { before: {}, rest: {}, beyond: {} }
  for (const r of rows) {
    buckets.before[r.metric] = Number(r.before)
    buckets.rest[r.metric] = Number(r.rest)
    buckets.beyond[r.metric] = Number(r.beyond)
  }
  return buckets
}

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

export function toPlan(
  p: Omit<PlansTable, 'archived_at'>,
  prices: { id: string; period: 'month' | 'year'; amount: number; currency: string }[],
  quotas: { metric: string; quota: number | null; metric_name: string; unit: string }[],
): Plan {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    features: JSON.parse(p.features) as string[],
    flags: JSON.parse(p.flags) as string[],
    quotas: Object.fromEntries(quotas.map((x) => [x.metric, x.quota])),
    metrics: Object.fromEntries(quotas.map((x) => [x.metric, { name: x.metric_name, unit: x.unit }])),
    trial_days: p.trial_days,
    featured: p.featured === 1,
    prices: prices.map(toPrice),
  }
}

export const toPrice = (x: { id: string; period: 'month' | 'year'; amount: number; currency: string }): Price => ({
  id: x.id,
  period: x.period,
  amount: x.amount,
  currency: x.currency,
})

// ---------------------------------------------------------------- invoices

export interface InvoiceUrls {
  /** Where invoice documents live; null gives invoices no links. */
  baseUrl: string | null
}

export function toInvoice(row: Pick<InvoicesTable, 'id' | 'number' | 'created' | 'status' | 'total' | 'currency'>, urls: InvoiceUrls): Invoice {
  return {
    id: row.id,
    number: row.number,
    created: row.created,
    status: row.status,
    total: row.total,
    currency: row.currency,
    pdf_url: urls.baseUrl === null ? null : `${urls.baseUrl}/invoices/${encodeURIComponent(row.id)}.pdf`,
    hosted_url: urls.baseUrl === null ? null : `${urls.baseUrl}/invoices/${encodeURIComponent(row.id)}`,
  }
}

export function toLine(l: { description: string; amount: number; quantity: number; period_start: number | null; period_end: number | null }): InvoiceLine {
  return {
    description: l.description,
    amount: l.amount,
    quantity: l.quantity,
    period: l.period_start !== null && l.period_end !== null ? { start: l.period_start, end: l.period_end } : null,
  }
}

/** Takes the app's next invoice number: the row update serialises concurrent writers. */
async function nextInvoiceNumber(q: Db, appId: string): Promise<{ seq: number; number: string }> {
  const row = await q
    .updateTable('apps')
    .set((eb) => ({ next_invoice_seq: eb('next_invoice_seq', '+', 1) }))
    .where('id', '=', appId)
    .returning(['next_invoice_seq', 'invoice_prefix'])
    .executeTakeFirstOrThrow()
  const seq = row.next_invoice_seq - 1
  return { seq, number: formatInvoiceNumber(row.invoice_prefix, seq) }
}

export const formatInvoiceNumber = (prefix: string, seq: number): string => `${prefix}-${String(seq).padStart(4, '0')}`

export interface NewInvoice {
  appId: string
  customerId: string
  subscriptionId: string | null
  currency: string
  lines: DraftLine[]
  at: number
  status: 'open' | 'paid'
}

export async function insertInvoice(q: Db, inv: NewInvoice): Promise<{ id: string; number: string; total: number }> {
  const { seq, number } = await nextInvoiceNumber(q, inv.appId)
  const id = newId('in')
  const total = sum(inv.lines.map((l) => l.amount))
  await q
    .insertInto('invoices')
    .values({
      id,
      app_id: inv.appId,
      customer_id: inv.customerId,
      subscription_id: inv.subscriptionId,
      number,
      seq,
      status: inv.status,
      currency: inv.currency,
      total,
      created: inv.at,
      paid_at: inv.status === 'paid' ? inv.at : null,
    })
    .execute()
  if (inv.lines.length > 0) {
    await q
      .insertInto('invoice_lines')
      .values(
        inv.lines.map((l, position) => ({
          id: newId('il'),
          invoice_id: id,
          position,
          kind: l.kind,
          description: l.description,
          amount: l.amount,
          quantity: l.quantity,
          period_start: l.period?.start ?? null,
          period_end: l.period?.end ?? null,
        })),
      )
      .execute()
  }
  return { id, number, total }
}

// ---------------------------------------------------------------- charging

export type ChargeResult = { ok: true; paymentMethodId: string } | { ok: false; reason: 'no_payment_method' | 'declined' }

/** Charges the customer's default card (the sandbox decides by the card's test token). */
export async function chargeDefault(q: Db, customerId: string): Promise<ChargeResult> {
  const card = await q
    .selectFrom('payment_methods')
    .select(['id', 'charge_outcome'])
    .where('customer_id', '=', customerId)
    .where('is_default', '=', 1)
    .where('detached_at', 'is', null)
    .executeTakeFirst()
  if (!card) return { ok: false, reason: 'no_payment_method' }
  if (card.charge_outcome === 'decline') return { ok: false, reason: 'declined' }
  return { ok: true, paymentMethodId: card.id }
}

export function chargeError(result: Exclude<ChargeResult, { ok: true }>): BillingError {
  return result.reason === 'declined'
    ? new BillingError('payment_failed', 'Your card was declined.', { field: 'payment_method' })
    : new BillingError('payment_failed', 'Add a payment method before choosing a paid plan.', { field: 'payment_method' })
}

/**
 * Tries to pay the customer's open invoices with the default card, then sets the live
 * subscription's status: `past_due` while any invoice stays open, `active` once none does.
 */
export async function collectOpenInvoices(q: Db, customer: Pick<CustomersTable, 'id' | 'subscription_id'>, at: number): Promise<void> {
  const open = await q.selectFrom('invoices').select('id').where('customer_id', '=', customer.id).where('status', '=', 'open').execute()
  let stillOpen = open.length
  if (open.length > 0) {
    const charge = await chargeDefault(q, customer.id)
    if (charge.ok) {
      await q.updateTable('invoices').set({ status: 'paid', paid_at: at }).where('customer_id', '=', customer.id).where('status', '=', 'open').execute()
      stillOpen = 0
    }
  }
  if (!customer.subscription_id) return
  await q
    .updateTable('subscriptions')
    .set({ status: stillOpen > 0 ? 'past_due' : 'active' })
    .where('id', '=', customer.subscription_id)
    .where('status', 'in', stillOpen > 0 ? ['active'] : ['past_due'])
    .execute()
}

// ---------------------------------------------------------------- renewal

/**
 * Rolls a subscription over every period boundary up to `now`: a cancellation at the
 * period end takes effect; otherwise the period's usage over quota and the next period
 * (on the scheduled price, if any) are invoiced and charged to the default card. A
 * failed charge leaves the invoice open and the subscription past due.
 */
export async function renewSubscription(q: Db, subscriptionId: string, now: number): Promise<number> {
  let renewed = 0
  for (let guard = 0; guard < 10_000; guard++) {
    const s = await findSubscription(q, subscriptionId)
    if (!isLive(s) || s.current_period_end > now) break
    const at = s.current_period_end
    if (s.cancel_at_period_end === 1) {
      await q
        .updateTable('subscriptions')
        .set({ status: 'canceled', canceled_at: s.canceled_at ?? at, ended_at: at, cancel_at_period_end: 0, scheduled_price_id: null, scheduled_at: null })
        .where('id', '=', s.id)
        .execute()
      renewed++
      break
    }
    const current = await selectPrice(q).where('p.id', '=', s.price_id).executeTakeFirstOrThrow()
    const scheduled = s.scheduled_price_id !== null && s.scheduled_at !== null && s.scheduled_at <= at
    const next = scheduled ? await selectPrice(q).where('p.id', '=', s.scheduled_price_id as string).executeTakeFirstOrThrow() : current
    const inTrial = s.status === 'trialing'
    const usageLines = inTrial
      ? []
      : overageLines(scaleQuotas(await quotasOf(q, s.app_id, current.plan_id), current.period), await usageIn(q, s.customer_id, s.current_period_start, at), s.current_period_start, at)
    const anchor = next.period !== current.period ? at : s.anchor
    const period = nextPeriod(anchor, next.period, at)
    const draft = [...usageLines, subscriptionLine(next, period.start, period.end)]
    const customer = await q.selectFrom('customers').select(['id', 'subscription_id', 'balance']).where('id', '=', s.customer_id).executeTakeFirstOrThrow()

    await q
      .updateTable('subscriptions')
      .set({
        price_id: next.id,
        anchor,
        current_period_start: period.start,
        current_period_end: period.end,
        scheduled_price_id: null,
        scheduled_at: null,
        status: inTrial ? 'active' : s.status,
      })
      .where('id', '=', s.id)
      .execute()

    if (sum(draft.map((l) => l.amount)) > 0) {
      const settled = settle(draft, customer.balance)
      await insertInvoice(q, {
        appId: s.app_id,
        customerId: s.customer_id,
        subscriptionId: s.id,
        currency: next.currency,
        lines: settled.lines,
        at,
        status: settled.total > 0 ? 'open' : 'paid',
      })
      if (settled.balance_after !== customer.balance) {
        await q.updateTable('customers').set({ balance: settled.balance_after }).where('id', '=', customer.id).execute()
      }
    }
    await collectOpenInvoices(q, customer, at)
    renewed++
  }
  return renewed
}
