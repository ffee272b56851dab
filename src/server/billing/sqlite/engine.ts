/**
 * The billing engine: every `BillingBackend` method plus what a seller calls (apps,
 * plans, customers, usage, API keys, moving the clock). Written against Kysely with
 * portable SQL so a PostgreSQL dialect can run the same engine; `../sqlite.ts` opens it
 * on a SQLite file.
 */
import type { Kysely } from 'kysely'
import type {
  ApiKey,
  CheckoutResponse,
  Customer,
  Invoice,
  List,
  PaymentMethod,
  PaymentSetup,
  Period,
  Plan,
  PlansResponse,
  PublicPlansResponse,
  RevealedApiKey,
  Session,
  Subscription,
  SubscriptionPreview,
  UsageMeter,
} from '../../../api/types.js'
import { BillingError, type BillingBackend, type CustomerScope, type PageParams } from '../types.js'
import { TEST_CARD_TOKENS, testCard } from './cards.js'
import { hashApiKey, maskApiKey, newApiKeySecret, newId } from './ids.js'
import { prepared } from './prepared.js'
import { periodEnd } from './proration.js'
import { quoteChange, renewalAmount, scaleQuotas, type ChangeQuote } from './quote.js'
import type { ApiKeysTable, BillingDatabase, CustomersTable, PaymentMethodsTable, PlansTable, SubscriptionsTable } from './schema.js'
import {
  chargeDefault,
  chargeError,
  collectOpenInvoices,
  findCustomer,
  findPrice,
  findSubscription,
  insertInvoice,
  isLive,
  loadPlans,
  quotasOf,
  renewSubscription,
  selectPrice,
  subscriptionWire,
  toInvoice,
  toLine,
  toPlan,
  toPrice,
  toQuoteSubscription,
  toSubscription,
  usageBuckets,
  type Db,
  type PriceRow,
} from './store.js'
import { validateApp, validateCustomer, validatePlan, type AppInput, type CustomerInput, type MetricInput, type PlanInput } from './validate.js'

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
  period: Period | null
  amount: number | null
  currency: string | null
  plan_id: string | null
  plan_name: string | null
  description: string | null
  features: string | null
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

interface MeterRow {
  metric: string
  metric_name: string
  unit: string
  quota: number | null
  overage_amount: number | null
  overage_block: number | null
  used: number | null
}

export interface EngineOptions {
  /** The clock, in Unix seconds. */
  now: () => number
  /** Base of invoice documents and checkout pages (`''` gives `/invoices/{id}.pdf`); null gives invoices no links. */
  baseUrl: string | null
  /** Releases the database; called by `close()`. */
  onClose?: () => Promise<void> | void
}

export interface App {
  id: string
  name: string
  public_key: string
  invoice_prefix: string
}

/** The embedded engine: a `BillingBackend` plus the calls a seller makes. */
export interface BillingEngine extends BillingBackend {
  createApp(input: AppInput): Promise<App>
  createMetric(appId: string, metric: MetricInput): Promise<void>
  createPlan(appId: string, plan: PlanInput): Promise<Plan>
  createCustomer(appId: string, customer: CustomerInput): Promise<Customer>
  /** Puts a customer on a price as the seller: like `changeSubscription`, but hidden plans are allowed. */
  subscribe(scope: CustomerScope, priceId: string): Promise<Subscription>
  /** Adds usage of `metric` at `at` (default now), counted in the period that contains it. */
  recordUsage(scope: CustomerScope, metric: string, quantity: number, at?: number): Promise<void>
  createApiKey(scope: CustomerScope, name: string): Promise<RevealedApiKey>
  /** The owner of an API key (and marks it used), or null for an unknown or revoked key. */
  verifyApiKey(secret: string): Promise<{ appId: string; customUid: string; apiKeyId: string } | null>
  /** Renews every subscription whose period has ended: cancellations, scheduled changes, renewal invoices. */
  renew(): Promise<{ renewed: number }>
  /** Moves the engine's clock forward to `unixSeconds`, then renews. */
  advanceTo(unixSeconds: number): Promise<{ renewed: number }>
  /** The engine's current time, Unix seconds. */
  now(): number
  close(): Promise<void>
}

export function createEngine(db: Kysely<BillingDatabase>, options: EngineOptions): BillingEngine {
  let clockOverride: number | null = null
  const now = (): number => clockOverride ?? Math.floor(options.now())
  const urls = { baseUrl: options.baseUrl }

  const tx = <T>(fn: (q: Db) => Promise<T>): Promise<T> => db.transaction().execute(fn)

  /**
   * The customer, with its subscription rolled up to now: renewals also happen lazily on
   * access, so a portal never shows a period that has ended. Outside a transaction the
   * renewal takes one of its own.
   */
  async function customerNow(q: Db, scope: CustomerScope): Promise<CustomersTable> {
    const customer = await findCustomer(q, scope.appId, scope.customUid)
    const sub = await findSubscription(q, customer.subscription_id)
    if (!isLive(sub) || sub.current_period_end > now()) return customer
    if (q.isTransaction) {
      await renewSubscription(q, sub.id, now())
      return findCustomer(q, scope.appId, scope.customUid)
    }
    return tx((t) => customerNow(t, scope))
  }

  async function liveSubscription(q: Db, customer: CustomersTable): Promise<(SubscriptionsTable & { status: 'trialing' | 'active' | 'past_due' }) | undefined> {
    const sub = await findSubscription(q, customer.subscription_id)
    return isLive(sub) ? sub : undefined
  }

  // ------------------------------------------------------------ session

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
        'p.period',
        'p.amount',
        'p.currency',
        'pl.id as plan_id',
        'pl.name as plan_name',
        'pl.description',
        'pl.features',
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
  const planPricesQuery = prepared<{ planId: string }, PriceShape>((p) =>
    db.selectFrom('prices').select(['id', 'period', 'amount', 'currency']).where('plan_id', '=', p('planId')).orderBy('period').orderBy('amount'),
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
    if (!row) throw new BillingError('not_found', 'No such customer')
    const customer: Customer = { id: row.custom_uid, email: row.email, name: row.customer_name }
    if (row.id === null || row.plan_id === null || row.status === null) {
      return { customer, subscription: null, plan: null, price: null, usage: [], upcoming_invoice: null, api_keys_enabled: true }
    }
    if (row.status !== 'canceled' && (row.current_period_end as number) <= now()) {
      await tx((q) => customerNow(q, scope))
      return getSession(scope)
    }

    const sub = row as typeof row & { id: string; status: SubscriptionsTable['status']; plan_id: string; current_period_start: number; current_period_end: number }
    const [prices, meters] = await Promise.all([
      planPricesQuery(db, { planId: sub.plan_id }),
      metersQuery(db, { appId: scope.appId, planId: sub.plan_id, customerId: sub.customer_id, from: sub.current_period_start, to: sub.current_period_end }),
    ])
    const plan = toPlan(
      {
        id: sub.plan_id,
        app_id: scope.appId,
        name: sub.plan_name as string,
        description: sub.description as string,
        features: sub.features as string,
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
    const usage: UsageMeter[] = periodQuotas.map((m, i) => ({ metric: m.metric, name: m.metric_name, used: Number(meters[i].used ?? 0), limit: m.quota, unit: m.unit }))
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
        canceled_at: null,
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

  // ------------------------------------------------------------ invoices

  async function listInvoices(scope: CustomerScope, page: PageParams): Promise<List<Invoice>> {
    const limit = page.limit
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new BillingError('invalid_request', 'limit must be an integer from 1 to 100', { field: 'limit' })
    const customer = await customerNow(db, scope)
    let query = db
      .selectFrom('invoices')
      .select(['id', 'number', 'created', 'status', 'total', 'currency'])
      .where('customer_id', '=', customer.id)
    if (page.starting_after !== undefined) {
      const cursor = await db
        .selectFrom('invoices')
        .select(['created', 'seq'])
        .where('id', '=', page.starting_after)
        .where('customer_id', '=', customer.id)
        .executeTakeFirst()
      if (!cursor) throw new BillingError('invalid_request', 'starting_after is not an invoice of this customer', { field: 'starting_after' })
      query = query.where((eb) =>
        eb.or([eb('created', '<', cursor.created), eb.and([eb('created', '=', cursor.created), eb('seq', '<', cursor.seq)])]),
      )
    }
    const rows = await query.orderBy('created', 'desc').orderBy('seq', 'desc').limit(limit + 1).execute()
    return { data: rows.slice(0, limit).map((r) => toInvoice(r, urls)), has_more: rows.length > limit }
  }

  async function getInvoice(scope: CustomerScope, invoiceId: string): Promise<Invoice> {
    const customer = await findCustomer(db, scope.appId, scope.customUid)
    const row = await db
      .selectFrom('invoices')
      .select(['id', 'number', 'created', 'status', 'total', 'currency'])
      .where('id', '=', invoiceId)
      .where('customer_id', '=', customer.id)
      .executeTakeFirst()
    if (!row) throw new BillingError('not_found', 'No such invoice')
    const lines = await db
      .selectFrom('invoice_lines')
      .select(['description', 'amount', 'quantity', 'period_start', 'period_end'])
      .where('invoice_id', '=', row.id)
      .orderBy('position')
      .execute()
    return { ...toInvoice(row, urls), lines: lines.map(toLine) }
  }

  // ------------------------------------------------------------ payment methods

  const toPaymentMethod = (p: PaymentMethodsTable): PaymentMethod => ({
    id: p.id,
    brand: p.brand,
    last4: p.last4,
    exp_month: p.exp_month,
    exp_year: p.exp_year,
    is_default: p.is_default === 1,
  })

  const activeMethods = (q: Db, customerId: string) =>
    q.selectFrom('payment_methods').selectAll().where('customer_id', '=', customerId).where('detached_at', 'is', null)

  async function findMethod(q: Db, customerId: string, id: string): Promise<PaymentMethodsTable> {
    const pm = await activeMethods(q, customerId).where('id', '=', id).executeTakeFirst()
    if (!pm) throw new BillingError('not_found', 'No such payment method')
    return pm
  }

  async function listPaymentMethods(scope: CustomerScope): Promise<List<PaymentMethod>> {
    const customer = await findCustomer(db, scope.appId, scope.customUid)
    const rows = await activeMethods(db, customer.id).orderBy('is_default', 'desc').orderBy('created', 'desc').orderBy('id').execute()
    return { data: rows.map(toPaymentMethod), has_more: false }
  }

  async function setupPaymentMethod(scope: CustomerScope): Promise<PaymentSetup> {
    await findCustomer(db, scope.appId, scope.customUid)
    return { provider: 'sandbox', test_cards: [...TEST_CARD_TOKENS] }
  }

  async function attachPaymentMethod(scope: CustomerScope, token: string, options: { makeDefault?: boolean } = {}): Promise<PaymentMethod> {
    const card = testCard(token)
    return tx(async (q) => {
      const customer = await customerNow(q, scope)
      const existing = await activeMethods(q, customer.id).select('id').execute()
      const isDefault = options.makeDefault === true || existing.length === 0
      if (isDefault) await q.updateTable('payment_methods').set({ is_default: 0 }).where('customer_id', '=', customer.id).execute()
      const at = now()
      const row: PaymentMethodsTable = {
        id: newId('pm'),
        app_id: customer.app_id,
        customer_id: customer.id,
        brand: card.brand,
        last4: card.last4,
        exp_month: 12,
        exp_year: new Date(at * 1000).getUTCFullYear() + 3,
        is_default: isDefault ? 1 : 0,
        charge_outcome: card.charge_outcome,
        created: at,
        detached_at: null,
      }
      await q.insertInto('payment_methods').values(row).execute()
      // A working card settles what a failed one left open.
      if (isDefault) await collectOpenInvoices(q, customer, at)
      return toPaymentMethod(row)
    })
  }

  async function setDefaultPaymentMethod(scope: CustomerScope, id: string): Promise<PaymentMethod> {
    return tx(async (q) => {
      const customer = await customerNow(q, scope)
      const pm = await findMethod(q, customer.id, id)
      await q.updateTable('payment_methods').set({ is_default: 0 }).where('customer_id', '=', customer.id).where('id', '!=', id).execute()
      await q.updateTable('payment_methods').set({ is_default: 1 }).where('id', '=', id).execute()
      await collectOpenInvoices(q, customer, now())
      return toPaymentMethod({ ...pm, is_default: 1 })
    })
  }

  async function removePaymentMethod(scope: CustomerScope, id: string): Promise<void> {
    await tx(async (q) => {
      const customer = await findCustomer(q, scope.appId, scope.customUid)
      const pm = await findMethod(q, customer.id, id)
      await q.updateTable('payment_methods').set({ detached_at: now(), is_default: 0 }).where('id', '=', id).execute()
      if (pm.is_default === 1) {
        // The newest remaining card takes over, so a customer with cards always has a default.
        const next = await activeMethods(q, customer.id).select('id').orderBy('created', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()
        if (next) await q.updateTable('payment_methods').set({ is_default: 1 }).where('id', '=', next.id).execute()
      }
    })
  }

  // ------------------------------------------------------------ plans and subscription changes

  async function listPlans(scope: CustomerScope): Promise<PlansResponse> {
    const customer = await customerNow(db, scope)
    const sub = await liveSubscription(db, customer)
    const currentPlanId = sub ? (await db.selectFrom('prices').select('plan_id').where('id', '=', sub.price_id).executeTakeFirstOrThrow()).plan_id : null
    // Public plans, plus the customer's own plan when it is hidden (a legacy or custom plan).
    const plans = await db
      .selectFrom('plans')
      .selectAll()
      .where('app_id', '=', scope.appId)
      .where((eb) => (currentPlanId ? eb.or([eb('public', '=', 1), eb('id', '=', currentPlanId)]) : eb('public', '=', 1)))
      .orderBy('sort_order')
      .orderBy('id')
      .execute()
    return { data: await loadPlans(db, plans), current_price_id: sub?.price_id ?? null }
  }

  interface Prepared {
    customer: CustomersTable
    sub: (SubscriptionsTable & { status: 'trialing' | 'active' | 'past_due' }) | undefined
    target: PriceRow
    quote: ChangeQuote
  }

  /** Validates a change and quotes it: the one computation behind both preview and change. */
  async function prepareChange(q: Db, scope: CustomerScope, priceId: string, allowHidden: boolean): Promise<Prepared> {
    const customer = await customerNow(q, scope)
    const target = await findPrice(q, scope.appId, priceId)
    if (!target) throw new BillingError('invalid_request', 'No such price', { field: 'price_id' })
    const sub = await liveSubscription(q, customer)
    const current = sub ? await selectPrice(q).where('p.id', '=', sub.price_id).executeTakeFirstOrThrow() : undefined
    if (!allowHidden && target.public === 0 && target.plan_id !== current?.plan_id) {
      throw new BillingError('invalid_request', 'This price is not available', { field: 'price_id' })
    }
    if (sub && current) {
      if (sub.price_id === target.id) throw new BillingError('conflict', 'The subscription is already on this price')
      if (sub.scheduled_price_id === target.id) throw new BillingError('conflict', 'This change is already scheduled')
      if (current.currency !== target.currency) {
        throw new BillingError('invalid_request', `The subscription is billed in ${current.currency}; choose a price in ${current.currency}`, { field: 'price_id' })
      }
    }
    const t = now()
    const [currentQuotas, targetQuotas, usage] = await Promise.all([
      current ? quotasOf(q, scope.appId, current.plan_id) : Promise.resolve([]),
      quotasOf(q, scope.appId, target.plan_id),
      usageBuckets(q, customer.id, {
        start: sub?.current_period_start ?? t,
        now: t,
        end: sub?.current_period_end ?? t,
        until: Math.max(sub?.current_period_end ?? t, periodEnd(t, target.period)),
      }),
    ])
    const quote = quoteChange({
      now: t,
      balance: customer.balance,
      current: sub && current ? toQuoteSubscription(sub, current) : null,
      currentQuotas,
      target,
      targetQuotas,
      usage,
    })
    return { customer, sub, target, quote }
  }

  async function previewSubscriptionChange(scope: CustomerScope, priceId: string): Promise<SubscriptionPreview> {
    const { target, quote } = await tx((q) => prepareChange(q, scope, priceId, false))
    return {
      price_id: target.id,
      amount_due_now: quote.amount_due_now,
      currency: target.currency,
      next_renewal_amount: quote.next_renewal_amount,
      effective: quote.effective,
      effective_at: quote.effective_at,
      lines: quote.lines.map((l) => ({ description: l.description, amount: l.amount })),
      needs_card: quote.needs_card,
    }
  }

  async function applyChange(scope: CustomerScope, priceId: string, allowHidden: boolean): Promise<Subscription> {
    return tx(async (q) => {
      const { customer, sub, target, quote } = await prepareChange(q, scope, priceId, allowHidden)
      const t = now()
      if (!quote.next) {
        // Scheduled for the period end; choosing a plan also withdraws a pending cancellation.
        const s = sub as SubscriptionsTable
        const updated: SubscriptionsTable = { ...s, scheduled_price_id: target.id, scheduled_at: quote.effective_at, cancel_at_period_end: 0 }
        await q
          .updateTable('subscriptions')
          .set({ scheduled_price_id: target.id, scheduled_at: quote.effective_at, cancel_at_period_end: 0 })
          .where('id', '=', s.id)
          .execute()
        return subscriptionWire(q, updated)
      }
      if (quote.needs_card || quote.amount_due_now > 0) {
        const charge = await chargeDefault(q, customer.id)
        if (!charge.ok) throw chargeError(charge)
      }
      const next = quote.next
      let row: SubscriptionsTable
      if (sub) {
        row = { ...sub, ...next, cancel_at_period_end: 0, scheduled_price_id: null, scheduled_at: null }
        await q
          .updateTable('subscriptions')
          .set({ ...next, cancel_at_period_end: 0, scheduled_price_id: null, scheduled_at: null })
          .where('id', '=', sub.id)
          .execute()
      } else {
        row = {
          id: newId('sub'),
          app_id: scope.appId,
          customer_id: customer.id,
          ...next,
          cancel_at_period_end: 0,
          scheduled_price_id: null,
          scheduled_at: null,
          canceled_at: null,
          created: t,
        }
        await q.insertInto('subscriptions').values(row).execute()
        await q.updateTable('customers').set({ subscription_id: row.id }).where('id', '=', customer.id).execute()
      }
      if (quote.lines.length > 0) {
        await insertInvoice(q, {
          appId: scope.appId,
          customerId: customer.id,
          subscriptionId: row.id,
          currency: target.currency,
          lines: quote.lines,
          at: t,
          status: 'paid',
        })
      }
      if (quote.balance_after !== customer.balance) {
        await q.updateTable('customers').set({ balance: quote.balance_after }).where('id', '=', customer.id).execute()
      }
      if (row.status === 'past_due') {
        await collectOpenInvoices(q, { id: customer.id, subscription_id: row.id }, t)
        row = (await findSubscription(q, row.id)) as SubscriptionsTable
      }
      return toSubscription(row, target.plan_id)
    })
  }

  async function cancelScheduledChange(scope: CustomerScope): Promise<Subscription> {
    return tx(async (q) => {
      const sub = await liveSubscription(q, await customerNow(q, scope))
      if (!sub || sub.scheduled_price_id === null) throw new BillingError('conflict', 'There is no scheduled change to undo')
      await q.updateTable('subscriptions').set({ scheduled_price_id: null, scheduled_at: null }).where('id', '=', sub.id).execute()
      return subscriptionWire(q, { ...sub, scheduled_price_id: null, scheduled_at: null })
    })
  }

  async function cancelSubscription(scope: CustomerScope, atPeriodEnd: boolean): Promise<Subscription> {
    return tx(async (q) => {
      const sub = await liveSubscription(q, await customerNow(q, scope))
      if (!sub) throw new BillingError('conflict', 'There is no active subscription to cancel')
      if (atPeriodEnd) {
        if (sub.cancel_at_period_end === 1) throw new BillingError('conflict', 'The subscription is already set to cancel at the period end')
        // A cancellation supersedes a scheduled plan change.
        const patch = { cancel_at_period_end: 1 as const, scheduled_price_id: null, scheduled_at: null }
        await q.updateTable('subscriptions').set(patch).where('id', '=', sub.id).execute()
        return subscriptionWire(q, { ...sub, ...patch })
      }
      // Cancelling now ends access now and refunds nothing for the unused time (docs/billing-engine.md).
      const patch = { status: 'canceled' as const, canceled_at: now(), cancel_at_period_end: 0 as const, scheduled_price_id: null, scheduled_at: null }
      await q.updateTable('subscriptions').set(patch).where('id', '=', sub.id).execute()
      return subscriptionWire(q, { ...sub, ...patch })
    })
  }

  async function resumeSubscription(scope: CustomerScope): Promise<Subscription> {
    return tx(async (q) => {
      const sub = await liveSubscription(q, await customerNow(q, scope))
      if (!sub || sub.cancel_at_period_end === 0) throw new BillingError('conflict', 'There is no scheduled cancellation to undo')
      await q.updateTable('subscriptions').set({ cancel_at_period_end: 0 }).where('id', '=', sub.id).execute()
      return subscriptionWire(q, { ...sub, cancel_at_period_end: 0 })
    })
  }

  // ------------------------------------------------------------ API keys

  const toApiKey = (k: Pick<ApiKeysTable, 'id' | 'name' | 'prefix' | 'last4' | 'created' | 'last_used'>): ApiKey => ({
    id: k.id,
    name: k.name,
    masked: maskApiKey(k.prefix, k.last4),
    created: k.created,
    last_used: k.last_used,
  })

  async function listApiKeys(scope: CustomerScope): Promise<List<ApiKey>> {
    const customer = await findCustomer(db, scope.appId, scope.customUid)
    const rows = await db
      .selectFrom('api_keys')
      .select(['id', 'name', 'prefix', 'last4', 'created', 'last_used'])
      .where('customer_id', '=', customer.id)
      .where('revoked_at', 'is', null)
      .orderBy('created')
      .orderBy('id')
      .execute()
    return { data: rows.map(toApiKey), has_more: false }
  }

  async function rollApiKey(scope: CustomerScope, apiKeyId: string): Promise<RevealedApiKey> {
    return tx(async (q) => {
      const customer = await findCustomer(q, scope.appId, scope.customUid)
      const key = await q
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', apiKeyId)
        .where('customer_id', '=', customer.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      if (!key) throw new BillingError('not_found', 'No such API key')
      // The same key id gets a new secret; the old secret stops working at once.
      const fresh = newApiKeySecret()
      const patch = { prefix: fresh.prefix, last4: fresh.last4, hash: fresh.hash, created: now(), last_used: null }
      await q.updateTable('api_keys').set(patch).where('id', '=', key.id).execute()
      return { ...toApiKey({ ...key, ...patch }), secret: fresh.secret }
    })
  }

  async function createApiKey(scope: CustomerScope, name: string): Promise<RevealedApiKey> {
    if (typeof name !== 'string' || name.trim() === '') throw new BillingError('invalid_request', 'name is required', { field: 'name' })
    return tx(async (q) => {
      const customer = await findCustomer(q, scope.appId, scope.customUid)
      const fresh = newApiKeySecret()
      const row: ApiKeysTable = {
        id: newId('key'),
        app_id: scope.appId,
        customer_id: customer.id,
        name: name.trim(),
        prefix: fresh.prefix,
        last4: fresh.last4,
        hash: fresh.hash,
        created: now(),
        last_used: null,
        revoked_at: null,
      }
      await q.insertInto('api_keys').values(row).execute()
      return { ...toApiKey(row), secret: fresh.secret }
    })
  }

  async function verifyApiKey(secret: string): Promise<{ appId: string; customUid: string; apiKeyId: string } | null> {
    if (typeof secret !== 'string' || secret.length > 200) return null
    return tx(async (q) => {
      const row = await q
        .selectFrom('api_keys as k')
        .innerJoin('customers as c', 'c.id', 'k.customer_id')
        .select(['k.id', 'k.app_id', 'c.custom_uid'])
        .where('k.hash', '=', hashApiKey(secret))
        .where('k.revoked_at', 'is', null)
        .executeTakeFirst()
      if (!row) return null
      await q.updateTable('api_keys').set({ last_used: now() }).where('id', '=', row.id).execute()
      return { appId: row.app_id, customUid: row.custom_uid, apiKeyId: row.id }
    })
  }

  // ------------------------------------------------------------ public pricing

  async function appByPublicKey(q: Db, publicKey: string): Promise<{ id: string }> {
    const app = await q.selectFrom('apps').select('id').where('public_key', '=', publicKey).executeTakeFirst()
    if (!app) throw new BillingError('not_found', 'No such pricing page')
    return app
  }

  async function listPublicPlans(publicKey: string): Promise<PublicPlansResponse> {
    const app = await appByPublicKey(db, publicKey)
    const plans = await db.selectFrom('plans').selectAll().where('app_id', '=', app.id).where('public', '=', 1).orderBy('sort_order').orderBy('id').execute()
    return { data: await loadPlans(db, plans) }
  }

  async function createCheckout(publicKey: string, priceId: string): Promise<CheckoutResponse> {
    const app = await appByPublicKey(db, publicKey)
    const price = await findPrice(db, app.id, priceId)
    if (!price || price.public === 0) throw new BillingError('invalid_request', 'No such price', { field: 'price_id' })
    const query = new URLSearchParams({ key: publicKey, price: price.id })
    return { url: `${options.baseUrl ?? ''}/checkout?${query}` }
  }

  // ------------------------------------------------------------ seller calls

  async function createApp(input: AppInput): Promise<App> {
    const app = validateApp(input)
    return tx(async (q) => {
      const clash = await q.selectFrom('apps').select('id').where((eb) => eb.or([eb('id', '=', app.id), eb('public_key', '=', app.public_key)])).executeTakeFirst()
      if (clash) throw new BillingError('conflict', clash.id === app.id ? `App "${app.id}" already exists` : 'That public key is taken', { field: clash.id === app.id ? 'id' : 'publicKey' })
      await q.insertInto('apps').values({ ...app.row, created: now() }).execute()
      for (const m of app.metrics) await q.insertInto('metrics').values({ app_id: app.id, ...m }).execute()
      return { id: app.id, name: app.row.name, public_key: app.public_key, invoice_prefix: app.row.invoice_prefix }
    })
  }

  async function createMetric(appId: string, metric: MetricInput): Promise<void> {
    const m = validateApp({ name: 'x', metrics: [metric] }).metrics[0]
    await tx(async (q) => {
      await requireApp(q, appId)
      const clash = await q.selectFrom('metrics').select('key').where('app_id', '=', appId).where('key', '=', m.key).executeTakeFirst()
      if (clash) throw new BillingError('conflict', `Metric "${m.key}" already exists`, { field: 'key' })
      await q.insertInto('metrics').values({ app_id: appId, ...m }).execute()
    })
  }

  async function requireApp(q: Db, appId: string): Promise<void> {
    const app = await q.selectFrom('apps').select('id').where('id', '=', appId).executeTakeFirst()
    if (!app) throw new BillingError('not_found', `No such app "${appId}"`)
  }

  async function createPlan(appId: string, input: PlanInput): Promise<Plan> {
    const plan = validatePlan(input)
    return tx(async (q) => {
      await requireApp(q, appId)
      const metrics = new Set((await q.selectFrom('metrics').select('key').where('app_id', '=', appId).execute()).map((m) => m.key))
      for (const quota of plan.quotas) {
        if (!metrics.has(quota.metric)) throw new BillingError('invalid_request', `Unknown metric "${quota.metric}": create it first`, { field: `quotas.${quota.metric}` })
      }
      const ids = [plan.id, ...plan.prices.map((p) => p.id)]
      const taken = await q
        .selectFrom('plans')
        .select('id')
        .where('id', 'in', ids)
        .union(q.selectFrom('prices').select('id').where('id', 'in', ids))
        .executeTakeFirst()
      if (taken) throw new BillingError('conflict', `Id "${taken.id}" is already taken`, { field: 'id' })
      const t = now()
      const row: PlansTable = { ...plan.row, id: plan.id, app_id: appId, created: t }
      await q.insertInto('plans').values(row).execute()
      await q.insertInto('prices').values(plan.prices.map((p) => ({ ...p, plan_id: plan.id, app_id: appId, created: t }))).execute()
      if (plan.quotas.length > 0) await q.insertInto('plan_quotas').values(plan.quotas.map((x) => ({ ...x, plan_id: plan.id }))).execute()
      return toPlan(row, plan.prices, plan.quotas)
    })
  }

  async function createCustomer(appId: string, input: CustomerInput): Promise<Customer> {
    const c = validateCustomer(input)
    return tx(async (q) => {
      await requireApp(q, appId)
      const clash = await q.selectFrom('customers').select('id').where('app_id', '=', appId).where('custom_uid', '=', c.custom_uid).executeTakeFirst()
      if (clash) throw new BillingError('conflict', `Customer "${c.custom_uid}" already exists`, { field: 'customUid' })
      await q
        .insertInto('customers')
        .values({ id: newId('cu'), app_id: appId, ...c, subscription_id: null, balance: 0, created: now() })
        .execute()
      return { id: c.custom_uid, email: c.email, name: c.name }
    })
  }

  async function recordUsage(scope: CustomerScope, metric: string, quantity: number, at?: number): Promise<void> {
    if (!Number.isSafeInteger(quantity) || quantity <= 0) throw new BillingError('invalid_request', 'quantity must be a positive integer', { field: 'quantity' })
    if (at !== undefined && !Number.isSafeInteger(at)) throw new BillingError('invalid_request', 'at must be Unix seconds', { field: 'at' })
    await tx(async (q) => {
      const customer = await customerNow(q, scope)
      const known = await q.selectFrom('metrics').select('key').where('app_id', '=', scope.appId).where('key', '=', metric).executeTakeFirst()
      if (!known) throw new BillingError('invalid_request', `Unknown metric "${metric}"`, { field: 'metric' })
      await q.insertInto('usage_records').values({ app_id: scope.appId, customer_id: customer.id, metric, quantity, recorded_at: at ?? now() }).execute()
    })
  }

  async function renew(): Promise<{ renewed: number }> {
    const t = now()
    const due = await db.selectFrom('subscriptions').select('id').where('status', '!=', 'canceled').where('current_period_end', '<=', t).execute()
    let renewed = 0
    for (const { id } of due) renewed += await tx((q) => renewSubscription(q, id, t))
    return { renewed }
  }

  async function advanceTo(unixSeconds: number): Promise<{ renewed: number }> {
    if (!Number.isSafeInteger(unixSeconds)) throw new RangeError('advanceTo() takes Unix seconds')
    if (unixSeconds < now()) throw new RangeError(`advanceTo(${unixSeconds}) would move the clock back from ${now()}`)
    clockOverride = unixSeconds
    return renew()
  }

  let closed = false
  return {
    getSession,
    listInvoices,
    getInvoice,
    listPaymentMethods,
    setupPaymentMethod: (scope) => setupPaymentMethod(scope),
    attachPaymentMethod: (scope, token, o) => attachPaymentMethod(scope, token, o),
    setDefaultPaymentMethod: (scope, id) => setDefaultPaymentMethod(scope, id),
    removePaymentMethod: (scope, id) => removePaymentMethod(scope, id),
    listPlans,
    previewSubscriptionChange,
    changeSubscription: (scope, priceId) => applyChange(scope, priceId, false),
    cancelScheduledChange: (scope) => cancelScheduledChange(scope),
    cancelSubscription: (scope, atPeriodEnd) => cancelSubscription(scope, atPeriodEnd),
    resumeSubscription: (scope) => resumeSubscription(scope),
    listApiKeys,
    rollApiKey: (scope, id) => rollApiKey(scope, id),
    listPublicPlans,
    createCheckout: (publicKey, priceId) => createCheckout(publicKey, priceId),
    createApp,
    createMetric,
    createPlan,
    createCustomer,
    subscribe: (scope, priceId) => applyChange(scope, priceId, true),
    recordUsage,
    createApiKey,
    verifyApiKey,
    renew,
    advanceTo,
    now,
    async close() {
      if (closed) return
      closed = true
      await db.destroy()
      await options.onClose?.()
    },
  }
}
