/**
 * `BillingBackend` over a Stripe account. Each method reads what it needs from Stripe
 * (nothing is stored here but a short-lived catalog and the uid -> customer id map), so
 * any number of handler instances can serve the same account.
 */
import type {
  ApiKey,
  CheckoutResponse,
  Invoice,
  InvoiceLine,
  List,
  PaymentMethod,
  PaymentSetup,
  Plan,
  PlansResponse,
  PreviewLine,
  Price,
  PublicPlansResponse,
  RevealedApiKey,
  Session,
  Subscription,
  SubscriptionPreview,
  UsageMeter,
} from '../../../api/types.js'
import { prorationMoment } from '../proration-date.js'
import { BillingError, type BillingBackend, type ChangeOptions, type CustomerScope, type Entitlements, type MeteringBackend, type MutationOptions, type PageParams } from '../types.js'
import { withChangeTiming } from '../change-timing.js'
import { catalogLoader, toPlan, toPrice, wirePlan, type Catalog, type CatalogPlan } from './catalog.js'
import {
  idOf,
  type StripeClient,
  type StripeCustomer,
  type StripeInvoice,
  type StripeInvoiceLine,
  type StripePaymentMethod,
  type StripePrice,
  type StripeProduct,
  type StripeSubscription,
  type StripeSubscriptionSchedule,
} from './client.js'
import { customerResolver, type ResolveCustomer } from './customers.js'
import { billToOf, readBillingDetails, writeBillingDetails } from './billing-details.js'
import { sha256 } from '../../http.js'
import { stripeMetering } from './metering.js'
import { stripeUsage } from './usage.js'
import { idempotencyKeys, isCardError, isIdempotencyClash, isResourceMissing, isStripeError, isStripeId, toBillingError } from './errors.js'
import { classifyChange, currentPeriod, isCanceling, isLive, planItem, scheduledChange, toSubscription, type ChangeKind } from './subscription.js'

export interface StripeMeter {
  /** The Billing Meter's id (`mtr_...`). */
  id: string
  /** The quota key it counts against: `api_calls` reads the products' `quota_api_calls`. */
  metric: string
  /** The metric's name on the dashboard's meter and in each plan's `metrics` (the pricing cards); default the metric key on the dashboard, and no entry in `metrics`. */
  name?: string
  unit?: string
  /** The meter's `event_name`: tracked usage (`trackMany`, the guard) is sent to it as meter events. */
  eventName?: string
}

/** Where `stripeBilling` keeps customers' API keys: an `openSqliteBilling()` engine, for example. */
export type ApiKeyStore = Pick<BillingBackend, 'listApiKeys' | 'rollApiKey' | 'createApiKey' | 'revokeApiKey'>

export interface BackendConfig {
  stripe: StripeClient
  resolveCustomer?: ResolveCustomer
  meters: StripeMeter[]
  apiKeys?: ApiKeyStore
  publicKey?: string
  checkout?: { successUrl: string; cancelUrl: string }
  includeProduct?: (product: StripeProduct) => boolean
  catalogTtlSeconds: number
  /** False (the default): one trial per customer; a customer who had one starts paid. */
  allowRepeatTrials: boolean
  /** Seconds `check` reuses a meter summary, adding what this instance tracked since. */
  meterSummaryTtlSeconds?: number
  now: () => number
}

const MINUTE = 60

const invalidPrice = (message = 'No such price') => new BillingError('invalid_request', message, { field: 'price_id' })
const needsCard = () => new BillingError('payment_failed', 'Add a payment method before choosing a paid plan.', { field: 'payment_method' })
const noSuchMethod = () => new BillingError('not_found', 'No such payment method')
const noSuchInvoice = () => new BillingError('not_found', 'No such invoice')
const notOpen = (invoice: StripeInvoice) => new BillingError('conflict', `Invoice ${invoice.number ?? ''} is ${invoice.status ?? 'a draft'}, not open: there is nothing to pay`)
/** The latest subscriptions read per customer: the live one, and whether a trial was ever had. */
const SUBSCRIPTIONS_READ = 100

function toPaymentMethod(pm: StripePaymentMethod, defaultId: string | null): PaymentMethod {
  return {
    id: pm.id,
    brand: pm.card?.brand ?? pm.type,
    last4: pm.card?.last4 ?? '',
    exp_month: pm.card?.exp_month ?? 0,
    exp_year: pm.card?.exp_year ?? 0,
    is_default: pm.id === defaultId,
  }
}

const INVOICE_STATUSES = new Set(['draft', 'open', 'paid', 'void', 'uncollectible'])

function toInvoice(invoice: StripeInvoice & { id: string }): Invoice {
  return {
    id: invoice.id,
    number: invoice.number ?? '',
    created: invoice.created,
    status: (INVOICE_STATUSES.has(invoice.status ?? '') ? invoice.status : 'draft') as Invoice['status'],
    total: invoice.total,
    currency: invoice.currency.toUpperCase(),
    pdf_url: invoice.invoice_pdf ?? null,
    hosted_url: invoice.hosted_invoice_url ?? null,
    bill_to: billToOf(invoice),
  }
}

const toLine = (line: StripeInvoiceLine): InvoiceLine => ({
  description: line.description ?? '',
  amount: line.amount,
  quantity: line.quantity ?? 1,
  period: line.period ? { start: line.period.start, end: line.period.end } : null,
})

const isProration = (line: StripeInvoiceLine): boolean => line.parent?.subscription_item_details?.proration === true || line.proration === true

/** Whole calendar months or years later, in UTC (the last phase of a downgrade schedule runs one period). */
function addPeriod(at: number, period: Price['period']): number {
  const d = new Date(at * 1000)
  const months = d.getUTCMonth() + (period === 'year' ? 12 : 1)
  const year = d.getUTCFullYear() + Math.floor(months / 12)
  const month = months % 12
  const day = Math.min(d.getUTCDate(), new Date(Date.UTC(year, month + 1, 0)).getUTCDate())
  return Date.UTC(year, month, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000
}

interface Change {
  customer: StripeCustomer
  /** The customer's subscriptions, newest first, canceled ones included. */
  history: StripeSubscription[]
  sub: StripeSubscription | null
  schedule: StripeSubscriptionSchedule | null
  current: Price | null
  target: Price
  plan: CatalogPlan
  kind: ChangeKind
}

export type StripeBackend = BillingBackend & MeteringBackend & { entitlements(scope: CustomerScope): Promise<Entitlements> }

export function createStripeBackend(config: BackendConfig): StripeBackend {
  const { stripe } = config
  const now = () => Math.floor(config.now())
  const catalog = catalogLoader(stripe, {
    includeProduct: config.includeProduct,
    meters: config.meters,
    ttlSeconds: config.catalogTtlSeconds,
  })
  const customers = customerResolver(stripe, config.resolveCustomer)
  const keysFor = (scope: CustomerScope, options?: MutationOptions) => idempotencyKeys(`customer\n${scope.appId}\n${scope.customUid}`, options?.idempotencyKey)

  // ------------------------------------------------------------ reads shared by several methods

  /** The subscription the portal shows: a live one on a plan of the catalog, else any live one, else the newest ended one. */
  function pickSubscription(data: StripeSubscription[], known: Catalog): StripeSubscription | null {
    const live = data.filter(isLive)
    return live.find((s) => known.prices.has(planItem(s).price.id)) ?? live[0] ?? data[0] ?? null
  }

  /** The customer, the catalog and the customer's subscription, read in parallel once the customer id is known. */
  async function account(scope: CustomerScope): Promise<{ customer: StripeCustomer; known: Catalog; history: StripeSubscription[]; sub: StripeSubscription | null }> {
    const customerId = await customers.id(scope)
    const [customer, known, subs] = await Promise.all([
      customers.retrieve(scope, customerId),
      catalog(),
      stripe.subscriptions.list({ customer: customerId, status: 'all', limit: SUBSCRIPTIONS_READ }),
    ])
    return { customer, known, history: subs.data, sub: pickSubscription(subs.data, known) }
  }

  async function subscriptionOf(customerId: string): Promise<StripeSubscription | null> {
    const [known, subs] = await Promise.all([catalog(), stripe.subscriptions.list({ customer: customerId, status: 'all', limit: 10 })])
    return pickSubscription(subs.data, known)
  }

  async function scheduleOf(sub: StripeSubscription | null): Promise<StripeSubscriptionSchedule | null> {
    return sub?.schedule && isLive(sub) ? stripe.subscriptionSchedules.retrieve(idOf(sub.schedule)) : null
  }

  /** The subscription's plan: from the catalog, or (an archived product or price) built from Stripe's objects. */
  async function planOf(known: Catalog, price: StripePrice): Promise<Plan | null> {
    const entry = known.prices.get(price.id)
    if (entry) return wirePlan(entry.plan)
    if (toPrice(price) === null) return null
    const product = await stripe.products.retrieve(idOf(price.product))
    return wirePlan(toPlan(product, [{ ...price, active: true }], config.meters))
  }

  async function usageOf(customerId: string, plan: Plan | null, price: Price | null, period: { start: number; end: number }): Promise<UsageMeter[]> {
    // Meter summaries take minute-aligned bounds: from the period's start up to now.
    const start = Math.floor(period.start / MINUTE) * MINUTE
    const end = Math.max(start + MINUTE, Math.ceil(Math.min(now() + 1, period.end) / MINUTE) * MINUTE)
    return Promise.all(
      config.meters.map(async (meter) => {
        let used = 0
        let starting_after: string | undefined
        for (;;) {
          const page = await stripe.billing.meters.listEventSummaries(meter.id, { customer: customerId, start_time: start, end_time: end, limit: 100, starting_after })
          for (const summary of page.data) used += summary.aggregated_value
          if (!page.has_more || page.data.length === 0) break
          starting_after = page.data[page.data.length - 1].id
        }
        const quota = plan?.quotas[meter.metric] ?? null
        // Quotas are per month; a yearly price carries twelve months' allowance (as the SQLite engine does).
        const limit = quota === null ? null : price?.period === 'year' ? quota * 12 : quota
        return { metric: meter.metric, name: meter.name ?? meter.metric, used, limit, unit: meter.unit ?? '' }
      }),
    )
  }

  async function upcomingOf(customerId: string, sub: StripeSubscription): Promise<Session['upcoming_invoice']> {
    try {
      const preview = await stripe.invoices.createPreview({ customer: customerId, subscription: sub.id })
      if (preview.total <= 0) return null
      return { amount_due: preview.amount_due, currency: preview.currency.toUpperCase(), date: currentPeriod(sub).end }
    } catch (error) {
      if (isStripeError(error) && error.code === 'invoice_upcoming_none') return null
      throw error
    }
  }

  const defaultMethodOf = (customer: StripeCustomer): string | null => {
    const pm = customer.invoice_settings?.default_payment_method
    return pm ? idOf(pm) : null
  }
  const canPay = (customer: StripeCustomer, sub: StripeSubscription | null): boolean =>
    Boolean(defaultMethodOf(customer) || customer.default_source || sub?.default_payment_method)

  /** The method if it belongs to this customer; another customer's, a detached or an unknown one is not_found. */
  async function ownMethod(customerId: string, id: string): Promise<StripePaymentMethod> {
    if (!isStripeId(id)) throw noSuchMethod()
    try {
      const pm = await stripe.paymentMethods.retrieve(id)
      if (!pm.customer || idOf(pm.customer) !== customerId) throw noSuchMethod()
      return pm
    } catch (error) {
      if (isResourceMissing(error)) throw noSuchMethod()
      throw error
    }
  }

  /** After a new default card: retry the open invoices of a subscription waiting on payment, as Stripe's own retry would. */
  async function settleOpenInvoices(customerId: string, paymentMethodId: string, key: (step: string) => { idempotencyKey?: string } | undefined): Promise<void> {
    const { data: subs } = await stripe.subscriptions.list({ customer: customerId, status: 'all', limit: 10 })
    if (!subs.some((s) => isLive(s) && s.status !== 'active' && s.status !== 'trialing')) return
    const { data: open } = await stripe.invoices.list({ customer: customerId, status: 'open', limit: 10 })
    for (const invoice of open) {
      try {
        await stripe.invoices.pay(invoice.id, { payment_method: paymentMethodId }, key(`pay-${invoice.id}`))
      } catch (error) {
        // The card is saved either way; a decline leaves the invoice open for Stripe's retries.
        if (!isCardError(error)) throw error
      }
    }
  }

  async function makeDefault(customerId: string, paymentMethodId: string, key: (step: string) => { idempotencyKey?: string } | undefined, step: string): Promise<void> {
    await stripe.customers.update(customerId, { invoice_settings: { default_payment_method: paymentMethodId } }, key(step))
    await settleOpenInvoices(customerId, paymentMethodId, key)
  }

  /** The invoice if it is this customer's; another customer's answers exactly as an unknown id does. */
  async function ownInvoice(customerId: string, invoiceId: string): Promise<StripeInvoice & { id: string }> {
    if (!isStripeId(invoiceId)) throw noSuchInvoice()
    const invoice = await stripe.invoices.retrieve(invoiceId).catch((error: unknown) => {
      throw isResourceMissing(error) ? noSuchInvoice() : error
    })
    if (!invoice.customer || idOf(invoice.customer) !== customerId) throw noSuchInvoice()
    return invoice
  }

  /** The invoice on the wire with every line (Stripe embeds the first ten). */
  async function withLines(invoice: StripeInvoice & { id: string }): Promise<Invoice> {
    const lines = [...invoice.lines.data]
    let more = invoice.lines.has_more
    while (more) {
      const last = lines[lines.length - 1] as StripeInvoiceLine & { id?: string }
      const page = await stripe.invoices.listLineItems(invoice.id, { limit: 100, starting_after: last.id })
      lines.push(...page.data)
      more = page.has_more && page.data.length > 0
    }
    return { ...toInvoice(invoice), lines: lines.map(toLine) }
  }

  // ------------------------------------------------------------ plan changes

  async function prepareChange(scope: CustomerScope, priceId: string): Promise<Change> {
    const { customer, known, history, sub: found } = await account(scope)
    const sub = found && isLive(found) ? found : null
    const currentStripe = sub ? planItem(sub).price : null
    const entry = known.prices.get(priceId)
    if (!entry) throw invalidPrice()
    if (!entry.plan.public && entry.plan.id !== (currentStripe ? idOf(currentStripe.product) : null)) throw invalidPrice('This price is not available')
    const current = currentStripe ? toPrice(currentStripe) : null
    if (sub && !current) throw new BillingError('invalid_request', 'The current subscription’s price cannot be changed here; contact support')
    const schedule = await scheduleOf(sub)
    if (sub && current) {
      if (current.id === priceId) throw new BillingError('conflict', 'The subscription is already on this price')
      if (scheduledChange(sub, schedule)?.price_id === priceId) throw new BillingError('conflict', 'This change is already scheduled')
      if (current.currency !== entry.price.currency) {
        throw invalidPrice(`The subscription is billed in ${current.currency}; choose a price in ${current.currency}`)
      }
    }
    return { customer, history, sub, schedule, current, target: entry.price, plan: entry.plan, kind: classifyChange(sub, current, entry.price) }
  }

  /** One trial per customer: known from their subscriptions, any of which had a trial (a Checkout one too). */
  const hadTrial = (change: Change) => change.history.some((s) => s.trial_end !== null)
  const startsTrial = (change: Change) => change.kind === 'start' && change.plan.trial_days > 0 && (config.allowRepeatTrials || !hadTrial(change))

  /**
   * Starts the first subscription with an idempotency key derived from the customer's
   * state (their latest subscription and default card), so two starts read in the same
   * state share one key on every instance: Stripe runs the first and refuses the others
   * (their `metadata.portal_request` differs, so the parameters do), and none of them is
   * charged. A retry of the same Portal request sends the same parameters and gets
   * Stripe's replay of its own subscription.
   */
  async function startSubscription(change: Change, request: string): Promise<StripeSubscription> {
    const { customer, history, target } = change
    const card = defaultMethodOf(customer) ?? (customer.default_source ? idOf(customer.default_source) : 'none')
    const state = `${customer.id}\n${history[0]?.id ?? 'none'}\n${card}`
    const trial = startsTrial(change)
    try {
      return await stripe.subscriptions.create(
        {
          customer: customer.id,
          items: [{ price: target.id, quantity: 1 }],
          trial_period_days: trial ? change.plan.trial_days : undefined,
          payment_behavior: 'error_if_incomplete',
          metadata: { portal_request: request },
        },
        { idempotencyKey: `portal-start-${await sha256(state)}` },
      )
    } catch (error) {
      if (!isIdempotencyClash(error)) throw error
      // Another start holds the key right now (Stripe's 409 `idempotency_key_in_use`).
      if (isStripeError(error) && error.code === 'idempotency_key_in_use') {
        throw new BillingError('conflict', 'A subscription is being started for this account right now; reload in a moment', { retryAfter: 1 })
      }
      const started = await subscriptionOf(customer.id)
      if (started && isLive(started)) throw new BillingError('conflict', 'A subscription was just started for this account (in another tab?); reload to see it')
      // The attempt that used this state's key was declined: Stripe keeps that answer for 24 hours.
      throw new BillingError('payment_failed', 'The last attempt with this card was declined; add another card to try again.', { field: 'payment_method' })
    }
  }

  async function previewSubscriptionChange(scope: CustomerScope, priceId: string): Promise<SubscriptionPreview> {
    const change = await prepareChange(scope, priceId)
    const { target, sub, customer } = change
    const t = now()
    const base = { price_id: target.id, currency: target.currency, next_renewal_amount: target.amount, proration_date: t }
    const nothingNow = (effective: 'now' | 'period_end', at: number): SubscriptionPreview => ({
      ...base,
      amount_due_now: 0,
      effective,
      effective_at: at,
      lines: [],
      needs_card: false,
    })
    if (change.kind === 'downgrade') return nothingNow('period_end', currentPeriod(sub as StripeSubscription).end)
    if (change.kind === 'switch_trial' || startsTrial(change)) return nothingNow('now', t)

    let lines: StripeInvoiceLine[]
    if (change.kind === 'start') {
      const invoice = await stripe.invoices.createPreview({ customer: customer.id, subscription_details: { items: [{ price: target.id, quantity: 1 }] } })
      lines = invoice.lines.data
    } else {
      const s = sub as StripeSubscription
      const invoice = await stripe.invoices.createPreview({
        customer: customer.id,
        subscription: s.id,
        subscription_details: {
          items: [{ id: planItem(s).id, price: target.id, quantity: 1 }],
          proration_behavior: 'always_invoice',
          proration_date: t,
          // The change withdraws a pending cancellation (changeSubscription does too); Stripe
          // also has no next invoice to preview for a subscription set to cancel
          // (`invoice_upcoming_none`) unless the preview withdraws it.
          ...(isCanceling(s) ? { cancel_at_period_end: false } : {}),
        },
      })
      // A new interval starts a new period, invoiced at once: the preview is that invoice.
      // Otherwise the preview is the next renewal with the prorations on it, and only the
      // prorations are invoiced now (always_invoice).
      const resets = change.current?.period !== target.period
      lines = resets ? invoice.lines.data : invoice.lines.data.filter(isProration)
    }
    const previewLines: PreviewLine[] = lines.map((l) => ({ description: l.description ?? '', amount: l.amount }))
    return {
      ...base,
      amount_due_now: previewLines.reduce((sum, l) => sum + l.amount, 0),
      effective: 'now',
      effective_at: t,
      lines: previewLines,
      needs_card: target.amount > 0,
    }
  }

  async function changeSubscription(scope: CustomerScope, priceId: string, options?: ChangeOptions): Promise<Subscription> {
    const change = await prepareChange(scope, priceId)
    // The preview's moment, passed on as Stripe's own `proration_date`.
    const prorationDate = prorationMoment(options?.prorationDate, now(), change.sub ? currentPeriod(change.sub).start : null)
    const key = await keysFor(scope, options)
    const { customer, target } = change
    const sub = change.sub as StripeSubscription
    let schedule = change.schedule

    const releaseSchedule = async () => {
      if (schedule) await stripe.subscriptionSchedules.release(schedule.id, {}, key('release'))
      schedule = null
    }

    switch (change.kind) {
      case 'start': {
        if (!startsTrial(change) && target.amount > 0 && !canPay(customer, null)) throw needsCard()
        // This request's mark: its own Portal key's derived one, else unique.
        const request = key('create')?.idempotencyKey ?? crypto.randomUUID()
        return toSubscription(await startSubscription(change, request), null)
      }
      case 'switch_trial': {
        await releaseSchedule()
        const updated = await stripe.subscriptions.update(
          sub.id,
          { items: [{ id: planItem(sub).id, price: target.id, quantity: 1 }], proration_behavior: 'none', ...(isCanceling(sub) ? { cancel_at_period_end: false } : {}) },
          key('update'),
        )
        return toSubscription(updated, null)
      }
      case 'upgrade': {
        if (target.amount > 0 && !canPay(customer, sub)) throw needsCard()
        await releaseSchedule()
        const updated = await stripe.subscriptions.update(
          sub.id,
          {
            items: [{ id: planItem(sub).id, price: target.id, quantity: 1 }],
            proration_behavior: 'always_invoice',
            proration_date: prorationDate,
            // Nothing changes unless the prorated invoice is paid.
            payment_behavior: 'error_if_incomplete',
            ...(isCanceling(sub) ? { cancel_at_period_end: false } : {}),
          },
          key('update'),
        )
        return toSubscription(updated, null)
      }
      case 'downgrade': {
        // Choosing a plan withdraws a pending cancellation, as the SQLite engine does.
        const live = isCanceling(sub) ? await stripe.subscriptions.update(sub.id, { cancel_at_period_end: false }, key('uncancel')) : sub
        const { start, end } = currentPeriod(live)
        const base = schedule ?? (await stripe.subscriptionSchedules.create({ from_subscription: sub.id }, key('schedule')))
        // A phase lists every item of the subscription: the plan's price changes, the rest (metered overage...) stays.
        const plan = planItem(live)
        const phaseItems = (planPrice: string) =>
          live.items.data.map((item) =>
            item.id === plan.id ? { price: planPrice, quantity: 1 } : item.price.recurring?.usage_type === 'metered' ? { price: item.price.id } : { price: item.price.id, quantity: item.quantity ?? 1 },
          )
        const updated = await stripe.subscriptionSchedules.update(
          base.id,
          {
            end_behavior: 'release',
            proration_behavior: 'none',
            phases: [
              { items: phaseItems(plan.price.id), start_date: base.current_phase?.start_date ?? base.phases[0]?.start_date ?? start, end_date: end },
              { items: phaseItems(target.id), end_date: addPeriod(end, target.period) },
            ],
          },
          key('phases'),
        )
        return toSubscription(live, updated)
      }
    }
  }

  /** The live subscription, or a conflict naming what there is nothing to do to. */
  async function liveSubscription(scope: CustomerScope, what: string): Promise<{ sub: StripeSubscription; schedule: StripeSubscriptionSchedule | null }> {
    const sub = await subscriptionOf(await customers.id(scope))
    if (!sub || !isLive(sub)) throw new BillingError('conflict', `There is no active subscription to ${what}`)
    return { sub, schedule: await scheduleOf(sub) }
  }

  // ------------------------------------------------------------ the interface

  const backend: BillingBackend = {
    async getSession(scope) {
      const { customer, known, sub } = await account(scope)
      const wireCustomer = { id: scope.customUid, email: customer.email ?? '', name: customer.name ?? '' }
      const apiKeysEnabled = config.apiKeys !== undefined
      if (!sub) return { customer: wireCustomer, subscription: null, plan: null, price: null, usage: [], upcoming_invoice: null, api_keys_enabled: apiKeysEnabled }
      const item = planItem(sub)
      const price = toPrice(item.price)
      const [schedule, plan] = await Promise.all([scheduleOf(sub), planOf(known, item.price)])
      const live = isLive(sub)
      const [usage, upcoming] = await Promise.all([
        live ? usageOf(customer.id, plan, price, currentPeriod(sub)) : Promise.resolve([]),
        live && !isCanceling(sub) ? upcomingOf(customer.id, sub) : Promise.resolve(null),
      ])
      return {
        customer: wireCustomer,
        subscription: toSubscription(sub, schedule),
        plan,
        price,
        usage,
        upcoming_invoice: upcoming,
        api_keys_enabled: apiKeysEnabled,
      }
    },

    async listInvoices(scope: CustomerScope, page: PageParams): Promise<List<Invoice>> {
      const { limit, starting_after } = page
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new BillingError('invalid_request', 'limit must be an integer from 1 to 100', { field: 'limit' })
      const customerId = await customers.id(scope)
      if (starting_after !== undefined) {
        // Stripe would page from any invoice; only this customer's may be a cursor.
        const notHers = () => new BillingError('invalid_request', 'starting_after is not an invoice of this customer', { field: 'starting_after' })
        if (!isStripeId(starting_after)) throw notHers()
        const cursor = await stripe.invoices.retrieve(starting_after).catch((error: unknown) => {
          throw isResourceMissing(error) ? notHers() : error
        })
        if (!cursor.customer || idOf(cursor.customer) !== customerId) throw notHers()
      }
      const list = await stripe.invoices.list({ customer: customerId, limit, starting_after })
      return { data: list.data.map(toInvoice), has_more: list.has_more }
    },

    async getInvoice(scope, invoiceId) {
      return withLines(await ownInvoice(await customers.id(scope), invoiceId))
    },

    async payInvoice(scope, invoiceId, options) {
      const customer = await customers.get(scope)
      const invoice = await ownInvoice(customer.id, invoiceId)
      if (invoice.status !== 'open') throw notOpen(invoice)
      // The customer's default card now, not one an older subscription remembers.
      const card = defaultMethodOf(customer)
      if (!card && !customer.default_source) throw new BillingError('payment_failed', 'Add a payment method to pay this invoice.', { field: 'payment_method' })
      const key = await keysFor(scope, options)
      try {
        return await withLines(await stripe.invoices.pay(invoice.id, card ? { payment_method: card } : {}, key('pay')))
      } catch (error) {
        // Paid (or voided) in between, by another tab or Stripe's own retry.
        if (isStripeError(error) && error.code === 'invoice_not_editable') throw notOpen(await ownInvoice(customer.id, invoice.id))
        throw error
      }
    },

    async getBillingDetails(scope) {
      return readBillingDetails(stripe, await customers.get(scope), scope.customUid)
    },

    async updateBillingDetails(scope, update, options) {
      const customer = await customers.get(scope)
      const updated = await writeBillingDetails(stripe, customer, update, await keysFor(scope, options))
      return readBillingDetails(stripe, updated, scope.customUid)
    },

    async listPaymentMethods(scope) {
      const customer = await customers.get(scope)
      const { data } = await stripe.customers.listPaymentMethods(customer.id, { type: 'card', limit: 100 })
      const defaultId = defaultMethodOf(customer)
      const methods = data.map((pm) => toPaymentMethod(pm, defaultId))
      methods.sort((a, b) => Number(b.is_default) - Number(a.is_default))
      return { data: methods, has_more: false }
    },

    async setupPaymentMethod(scope, options): Promise<PaymentSetup> {
      const customerId = await customers.id(scope)
      const key = await keysFor(scope, options)
      const intent = await stripe.setupIntents.create({ customer: customerId, usage: 'off_session', automatic_payment_methods: { enabled: true } }, key('setup'))
      if (!intent.client_secret) throw new Error('Stripe returned a SetupIntent without a client_secret')
      return { provider: 'stripe', client_secret: intent.client_secret }
    },

    async attachPaymentMethod(scope, paymentMethod, options) {
      const customer = await customers.get(scope)
      const key = await keysFor(scope, options)
      let pm: StripePaymentMethod
      if (/^pm_card_/.test(paymentMethod)) {
        // Stripe's test tokens (test mode only) make a new PaymentMethod when attached. The
        // sandbox's name for a declining card is Stripe's pm_card_chargeDeclined, so the
        // Portal API's test cards mean the same on both backends.
        const token = paymentMethod === 'pm_card_declined' ? 'pm_card_chargeDeclined' : paymentMethod
        pm = await stripe.paymentMethods.attach(token, { customer: customer.id }, key('attach'))
      } else {
        // A method the browser confirmed through a SetupIntent is attached already.
        if (!isStripeId(paymentMethod)) throw new BillingError('invalid_request', 'No such payment method', { field: 'payment_method' })
        pm = await stripe.paymentMethods.retrieve(paymentMethod).catch((error: unknown) => {
          throw isResourceMissing(error) ? new BillingError('invalid_request', 'No such payment method', { field: 'payment_method' }) : error
        })
        const owner = pm.customer ? idOf(pm.customer) : null
        if (owner !== null && owner !== customer.id) throw new BillingError('invalid_request', 'No such payment method', { field: 'payment_method' })
        if (owner === null) pm = await stripe.paymentMethods.attach(pm.id, { customer: customer.id }, key('attach'))
      }
      const isDefault = options?.makeDefault === true || defaultMethodOf(customer) === null
      if (isDefault) await makeDefault(customer.id, pm.id, key, 'default')
      return toPaymentMethod(pm, isDefault ? pm.id : defaultMethodOf(customer))
    },

    async setDefaultPaymentMethod(scope, paymentMethodId, options) {
      const customerId = await customers.id(scope)
      const pm = await ownMethod(customerId, paymentMethodId)
      await makeDefault(customerId, pm.id, await keysFor(scope, options), 'default')
      return toPaymentMethod(pm, pm.id)
    },

    async removePaymentMethod(scope, paymentMethodId, options) {
      const customer = await customers.get(scope)
      const pm = await ownMethod(customer.id, paymentMethodId)
      const key = await keysFor(scope, options)
      await stripe.paymentMethods.detach(pm.id, {}, key('detach'))
      if (defaultMethodOf(customer) !== pm.id) return
      // The newest remaining card takes over, so a customer with cards always has a default.
      const { data } = await stripe.customers.listPaymentMethods(customer.id, { type: 'card', limit: 100 })
      const next = data.filter((m) => m.id !== pm.id).sort((a, b) => b.created - a.created)[0]
      if (next) await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: next.id } }, key('promote'))
    },

    async listPlans(scope): Promise<PlansResponse> {
      const customerId = await customers.id(scope)
      const [known, sub] = await Promise.all([catalog(), subscriptionOf(customerId)])
      const current = sub && isLive(sub) ? planItem(sub).price : null
      const currentPlanId = current ? idOf(current.product) : null
      const currentPrice = current ? toPrice(current) : null
      const plans = known.plans.filter((p) => p.public || p.id === currentPlanId).map(wirePlan)
      return {
        // The preview's rule: a downgrade waits for the period end, everything else is now.
        data: withChangeTiming(plans, current?.id ?? null, (price) => (classifyChange(sub, currentPrice, price) === 'downgrade' ? 'period_end' : 'now')),
        current_price_id: current?.id ?? null,
      }
    },

    previewSubscriptionChange,
    changeSubscription,

    async cancelScheduledChange(scope, options) {
      const { sub, schedule } = await liveSubscription(scope, 'change')
      if (!schedule || scheduledChange(sub, schedule) === null) throw new BillingError('conflict', 'There is no scheduled change to undo')
      const key = await keysFor(scope, options)
      await stripe.subscriptionSchedules.release(schedule.id, {}, key('release'))
      return toSubscription({ ...sub, schedule: null }, null)
    },

    async cancelSubscription(scope, atPeriodEnd, options) {
      const { sub, schedule } = await liveSubscription(scope, 'cancel')
      const key = await keysFor(scope, options)
      if (!atPeriodEnd) return toSubscription(await stripe.subscriptions.cancel(sub.id, {}, key('cancel')), null)
      if (isCanceling(sub)) throw new BillingError('conflict', 'The subscription is already set to cancel at the period end')
      // A cancellation supersedes a scheduled plan change (Stripe refuses it on a scheduled subscription anyway).
      if (schedule) await stripe.subscriptionSchedules.release(schedule.id, {}, key('release'))
      return toSubscription(await stripe.subscriptions.update(sub.id, { cancel_at_period_end: true }, key('cancel')), null)
    },

    async resumeSubscription(scope, options) {
      const { sub, schedule } = await liveSubscription(scope, 'resume')
      if (!isCanceling(sub)) throw new BillingError('conflict', 'There is no scheduled cancellation to undo')
      const key = await keysFor(scope, options)
      return toSubscription(await stripe.subscriptions.update(sub.id, { cancel_at_period_end: false }, key('resume')), schedule)
    },

    async listApiKeys(scope): Promise<List<ApiKey> | null> {
      return config.apiKeys ? config.apiKeys.listApiKeys(scope) : null
    },

    async rollApiKey(scope, apiKeyId, options): Promise<RevealedApiKey> {
      if (!config.apiKeys) throw new BillingError('not_found', 'No such API key')
      return config.apiKeys.rollApiKey(scope, apiKeyId, options)
    },

    async createApiKey(scope, name, options): Promise<RevealedApiKey> {
      if (!config.apiKeys) throw new BillingError('not_found', 'This billing backend keeps no API keys')
      return config.apiKeys.createApiKey(scope, name, options)
    },

    async revokeApiKey(scope, apiKeyId, options): Promise<ApiKey> {
      if (!config.apiKeys) throw new BillingError('not_found', 'No such API key')
      return config.apiKeys.revokeApiKey(scope, apiKeyId, options)
    },

    async listPublicPlans(publicKey): Promise<PublicPlansResponse> {
      checkPublicKey(publicKey)
      const known = await catalog()
      return { data: known.plans.filter((p) => p.public).map(wirePlan) }
    },

    async createCheckout(publicKey, priceId, options): Promise<CheckoutResponse> {
      checkPublicKey(publicKey)
      const entry = (await catalog()).prices.get(priceId)
      if (!entry || !entry.plan.public) throw invalidPrice()
      if (!config.checkout) throw new Error('stripeBilling: set `checkout: { successUrl, cancelUrl }` to start checkouts from the pricing portal')
      const key = await idempotencyKeys(`public\n${publicKey}`, options?.idempotencyKey)
      const session = await stripe.checkout.sessions.create(
        {
          mode: 'subscription',
          line_items: [{ price: entry.price.id, quantity: 1 }],
          success_url: config.checkout.successUrl,
          cancel_url: config.checkout.cancelUrl,
          ...(entry.plan.trial_days > 0 ? { subscription_data: { trial_period_days: entry.plan.trial_days } } : {}),
        },
        key('checkout'),
      )
      if (!session.url) throw new Error('Stripe returned a Checkout Session without a url')
      return { url: session.url }
    },
  }

  function checkPublicKey(publicKey: string): void {
    if (config.publicKey === undefined || publicKey !== config.publicKey) throw new BillingError('not_found', 'No such pricing page')
  }

  // Every Stripe error leaves as a Portal API error (or a plain Error: a 500 with no internals).
  const guarded = {} as Record<string, unknown>
  for (const [name, method] of Object.entries(backend) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    guarded[name] = async (...args: unknown[]) => {
      try {
        return await method(...args)
      } catch (error) {
        throw toBillingError(error)
      }
    }
  }
  const metering = stripeMetering({
    stripe,
    meters: config.meters,
    keys: config.apiKeys as Partial<MeteringBackend> | undefined,
    customerId: (scope) => customers.id(scope),
    session: (scope) => backend.getSession(scope),
    now: () => Math.floor(config.now()),
    summaryTtlSeconds: config.meterSummaryTtlSeconds ?? 60,
  })
  const usage = stripeUsage({ stripe, meters: config.meters, customerId: (scope) => customers.id(scope), session: (scope) => backend.getSession(scope), now: () => Math.floor(config.now()) })
  const extra = { ...metering, getUsage: usage.getUsage }
  for (const name of ['check', 'entitlements', 'trackMany', 'verifyApiKey', 'getUsage'] as const) {
    const method = extra[name] as (...args: unknown[]) => Promise<unknown>
    guarded[name] = async (...args: unknown[]) => {
      try {
        return await method(...args)
      } catch (error) {
        throw toBillingError(error)
      }
    }
  }
  // Synchronous: it returns the unsubscribe.
  guarded.onApiKeyChange = metering.onApiKeyChange
  return guarded as unknown as StripeBackend
}

