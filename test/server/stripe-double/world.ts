/**
 * The Stripe double's account: objects kept in the shapes of Stripe's API reference, and
 * the few billing rules the portal relies on, written the way Stripe documents them:
 * prorations by the second, a new period when the interval changes, subscription
 * schedules that move to the next phase's price at the period end, charges against the
 * customer's default card. Time stands still at `now()` (no renewals happen).
 *
 * This is a test double: no Stripe code is in it, and it answers only what the portal
 * calls. Anything it does not model is a 400 that says so, never a silent guess.
 */

export const DAY = 86_400

export interface ErrorBody {
  type: 'invalid_request_error' | 'card_error' | 'api_error' | 'idempotency_error' | 'rate_limit_error' | 'authentication_error'
  message: string
  code?: string
  param?: string
  decline_code?: string
}

/** A Stripe error response: what the route answers with `status` and `{ error: body }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message)
  }
}

export const missing = (what: string, id: string, param?: string) =>
  new ApiError(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${what}: '${id}'`, param })
export const invalid = (message: string, param?: string, code?: string) => new ApiError(400, { type: 'invalid_request_error', message, param, code })
export const unsupported = (what: string) => invalid(`The Stripe double does not model ${what}`)
export const declined = () =>
  new ApiError(402, { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.', param: 'payment_method' })

type Interval = 'month' | 'year'

export interface Price {
  id: string
  object: 'price'
  active: boolean
  billing_scheme: 'per_unit'
  created: number
  currency: string
  livemode: false
  lookup_key: string | null
  metadata: Record<string, string>
  nickname: string | null
  product: string
  recurring: { interval: Interval; interval_count: 1; meter: string | null; trial_period_days: null; usage_type: 'licensed' | 'metered' }
  tax_behavior: 'unspecified'
  type: 'recurring'
  unit_amount: number | null
  unit_amount_decimal: string | null
}

export interface Product {
  id: string
  object: 'product'
  active: boolean
  created: number
  default_price: string | null
  description: string | null
  images: string[]
  livemode: false
  marketing_features: { name: string }[]
  metadata: Record<string, string>
  name: string
  type: 'service'
  updated: number
  url: string | null
}

export interface Address {
  city: string | null
  country: string | null
  line1: string | null
  line2: string | null
  postal_code: string | null
  state: string | null
}

/** A customer's Tax ID (`/v1/customers/:id/tax_ids`); Stripe's `verification` is left out (never requested here). */
export interface TaxId {
  id: string
  object: 'tax_id'
  country: string | null
  created: number
  customer: string
  livemode: false
  type: string
  value: string
}

export interface Customer {
  id: string
  object: 'customer'
  address: Address | null
  balance: number
  created: number
  currency: string | null
  default_source: string | null
  delinquent: boolean
  description: string | null
  email: string | null
  invoice_prefix: string
  invoice_settings: { custom_fields: null; default_payment_method: string | null; footer: null; rendering_options: null }
  livemode: false
  metadata: Record<string, string>
  name: string | null
  next_invoice_sequence: number
}

export interface PaymentMethod {
  id: string
  object: 'payment_method'
  billing_details: { address: null; email: null; name: null; phone: null }
  card: { brand: string; country: 'US'; display_brand: string; exp_month: number; exp_year: number; funding: 'credit'; last4: string }
  created: number
  customer: string | null
  livemode: false
  metadata: Record<string, string>
  type: 'card'
}

export interface SubscriptionItem {
  id: string
  object: 'subscription_item'
  created: number
  current_period_end: number
  current_period_start: number
  metadata: Record<string, string>
  price: Price
  quantity: number
  subscription: string
}

export interface Subscription {
  id: string
  object: 'subscription'
  billing_cycle_anchor: number
  cancel_at: number | null
  cancel_at_period_end: boolean
  canceled_at: number | null
  collection_method: 'charge_automatically'
  created: number
  currency: string
  customer: string
  default_payment_method: string | null
  ended_at: number | null
  items: { object: 'list'; data: SubscriptionItem[]; has_more: false; url: string }
  latest_invoice: string | null
  livemode: false
  metadata: Record<string, string>
  schedule: string | null
  start_date: number
  status: 'trialing' | 'active' | 'past_due' | 'canceled' | 'incomplete' | 'unpaid'
  trial_end: number | null
  trial_start: number | null
}

export interface Phase {
  start_date: number
  end_date: number
  items: { price: string; quantity?: number }[]
  proration_behavior: string
}

export interface Schedule {
  id: string
  object: 'subscription_schedule'
  canceled_at: number | null
  created: number
  current_phase: { start_date: number; end_date: number } | null
  customer: string
  end_behavior: string
  livemode: false
  phases: Phase[]
  released_at: number | null
  released_subscription: string | null
  status: 'not_started' | 'active' | 'completed' | 'released' | 'canceled'
  subscription: string | null
}

export interface Line {
  id: string
  object: 'line_item'
  amount: number
  currency: string
  description: string
  invoice: string | null
  livemode: false
  metadata: Record<string, string>
  parent: {
    type: 'subscription_item_details'
    subscription_item_details: { invoice_item: null; proration: boolean; proration_details: { credited_items: null }; subscription: string | null; subscription_item: string | null }
  } | null
  period: { start: number; end: number }
  pricing: { type: 'price_details'; price_details: { price: string; product: string }; unit_amount_decimal: string | null } | null
  quantity: number
}

export interface Invoice {
  id: string
  object: 'invoice'
  amount_due: number
  amount_paid: number
  amount_remaining: number
  billing_reason: string | null
  collection_method: 'charge_automatically'
  created: number
  currency: string
  customer: string
  /** Copied from the customer when the invoice is finalized; later edits of the customer leave them. */
  customer_address: Address | null
  customer_email: string | null
  customer_name: string | null
  customer_tax_ids: Array<{ type: string; value: string }>
  hosted_invoice_url: string | null
  invoice_pdf: string | null
  lines: Line[]
  livemode: false
  number: string | null
  parent: { type: 'subscription_details'; subscription_details: { metadata: Record<string, string>; subscription: string } } | null
  period_end: number
  period_start: number
  status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible'
  status_transitions: { finalized_at: number | null; paid_at: number | null }
  subtotal: number
  total: number
  /** Insertion order: Stripe lists newest first, ties broken by creation order. */
  seq: number
}

export interface SetupIntent {
  id: string
  object: 'setup_intent'
  automatic_payment_methods: { enabled: boolean } | null
  client_secret: string
  created: number
  customer: string | null
  livemode: false
  payment_method: string | null
  status: 'requires_payment_method'
  usage: string
}

export interface Meter {
  id: string
  object: 'billing.meter'
  created: number
  default_aggregation: { formula: 'sum' }
  display_name: string
  event_name: string
  livemode: false
  status: 'active'
}

/**
 * Stripe's test tokens that `paymentMethods.attach` accepts in test mode, and how each card
 * behaves (Stripe's testing docs): `pm_card_chargeCustomerFail` (…0341) attaches but every
 * charge fails; `pm_card_chargeDeclined` (…0002) is declined when attached.
 */
export const TEST_TOKENS: Record<string, { brand: string; last4: string; outcome: 'succeed' | 'decline' | 'decline_on_attach' }> = {
  pm_card_visa: { brand: 'visa', last4: '4242', outcome: 'succeed' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444', outcome: 'succeed' },
  pm_card_amex: { brand: 'amex', last4: '8431', outcome: 'succeed' },
  pm_card_chargeCustomerFail: { brand: 'visa', last4: '0341', outcome: 'decline' },
  pm_card_chargeDeclined: { brand: 'visa', last4: '0002', outcome: 'decline_on_attach' },
}

export function addInterval(at: number, interval: Interval, count = 1): number {
  const d = new Date(at * 1000)
  const months = d.getUTCMonth() + (interval === 'year' ? 12 : 1) * count
  const year = d.getUTCFullYear() + Math.floor(months / 12)
  const month = ((months % 12) + 12) % 12
  const day = Math.min(d.getUTCDate(), new Date(Date.UTC(year, month + 1, 0)).getUTCDate())
  return Date.UTC(year, month, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000
}

const money = (amount: number, currency: string) => `${currency === 'usd' ? '$' : `${currency.toUpperCase()} `}${(amount / 100).toFixed(2)}`
const day = (at: number) => new Date(at * 1000).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
/** Stripe prorates by the second; each line is rounded on its own. */
const prorate = (amount: number, remaining: number, total: number) => Math.round((amount * remaining) / total)

export class World {
  readonly products = new Map<string, Product>()
  readonly prices = new Map<string, Price>()
  readonly customers = new Map<string, Customer>()
  readonly deletedCustomers = new Set<string>()
  readonly paymentMethods = new Map<string, PaymentMethod>()
  /** How each card behaves when charged: the double's own bookkeeping, never serialised. */
  readonly outcomes = new Map<string, 'succeed' | 'decline'>()
  readonly subscriptions = new Map<string, Subscription>()
  readonly schedules = new Map<string, Schedule>()
  readonly invoices = new Map<string, Invoice>()
  readonly taxIds = new Map<string, TaxId>()
  readonly setupIntents = new Map<string, SetupIntent>()
  readonly meters = new Map<string, Meter>()
  readonly meterEvents: { meter: string; customer: string; value: number; timestamp: number; identifier?: string }[] = []
  /** Prorations waiting for the next invoice (`create_prorations`), by subscription. */
  readonly pending = new Map<string, Line[]>()
  private counter = 0

  constructor(readonly now: () => number) {}

  id(prefix: string): string {
    this.counter += 1
    return `${prefix}_dbl${this.counter.toString(36).padStart(10, '0')}`
  }

  // ------------------------------------------------------------ lookups

  customer(id: string, param?: string): Customer {
    const c = this.customers.get(id)
    if (!c) throw missing('customer', id, param)
    return c
  }
  price(id: string, param?: string): Price {
    const p = this.prices.get(id)
    if (!p) throw missing('price', id, param)
    return p
  }
  subscription(id: string): Subscription {
    const s = this.subscriptions.get(id)
    if (!s) throw missing('subscription', id)
    return s
  }
  schedule(id: string): Schedule {
    const s = this.schedules.get(id)
    if (!s) throw missing('subscription_schedule', id)
    return s
  }
  invoice(id: string): Invoice {
    const i = this.invoices.get(id)
    if (!i) throw missing('invoice', id)
    return i
  }
  paymentMethod(id: string, param?: string): PaymentMethod {
    const pm = this.paymentMethods.get(id)
    if (!pm) throw missing('payment_method', id, param)
    return pm
  }

  // ------------------------------------------------------------ catalog and customers

  addProduct(input: { name: string; description?: string; metadata?: Record<string, string>; active?: boolean }): Product {
    const t = this.now()
    const product: Product = {
      id: this.id('prod'),
      object: 'product',
      active: input.active ?? true,
      created: t,
      default_price: null,
      description: input.description ?? null,
      images: [],
      livemode: false,
      marketing_features: [],
      metadata: input.metadata ?? {},
      name: input.name,
      type: 'service',
      updated: t,
      url: null,
    }
    this.products.set(product.id, product)
    return product
  }

  addPrice(input: { product: string; amount: number | null; interval: Interval; usage?: 'licensed' | 'metered'; meter?: string; active?: boolean }): Price {
    const price: Price = {
      id: this.id('price'),
      object: 'price',
      active: input.active ?? true,
      billing_scheme: 'per_unit',
      created: this.now(),
      currency: 'usd',
      livemode: false,
      lookup_key: null,
      metadata: {},
      nickname: null,
      product: input.product,
      recurring: { interval: input.interval, interval_count: 1, meter: input.meter ?? null, trial_period_days: null, usage_type: input.usage ?? 'licensed' },
      tax_behavior: 'unspecified',
      type: 'recurring',
      unit_amount: input.amount,
      unit_amount_decimal: input.amount === null ? null : String(input.amount),
    }
    this.prices.set(price.id, price)
    return price
  }

  addCustomer(input: { email: string; name: string; metadata?: Record<string, string>; created?: number }): Customer {
    const id = this.id('cus')
    const customer: Customer = {
      id,
      object: 'customer',
      address: null,
      balance: 0,
      created: input.created ?? this.now(),
      currency: 'usd',
      default_source: null,
      delinquent: false,
      description: null,
      email: input.email,
      invoice_prefix: id.slice(-8).toUpperCase(),
      invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
      livemode: false,
      metadata: input.metadata ?? {},
      name: input.name,
      next_invoice_sequence: 1,
    }
    this.customers.set(id, customer)
    return customer
  }

  addCard(input: { customer: string | null; brand: string; last4: string; outcome: 'succeed' | 'decline'; created?: number }): PaymentMethod {
    const t = input.created ?? this.now()
    const pm: PaymentMethod = {
      id: this.id('pm'),
      object: 'payment_method',
      billing_details: { address: null, email: null, name: null, phone: null },
      card: { brand: input.brand, country: 'US', display_brand: input.brand, exp_month: 12, exp_year: new Date(t * 1000).getUTCFullYear() + 3, funding: 'credit', last4: input.last4 },
      created: t,
      customer: input.customer,
      livemode: false,
      metadata: {},
      type: 'card',
    }
    this.paymentMethods.set(pm.id, pm)
    this.outcomes.set(pm.id, input.outcome)
    return pm
  }

  addMeter(input: { event_name: string; display_name: string }): Meter {
    const meter: Meter = { id: this.id('mtr'), object: 'billing.meter', created: this.now(), default_aggregation: { formula: 'sum' }, livemode: false, status: 'active', ...input }
    this.meters.set(meter.id, meter)
    return meter
  }

  // ------------------------------------------------------------ invoices and charges

  line(input: { description: string; amount: number; start: number; end: number; price: Price; sub?: Subscription; proration?: boolean; quantity?: number }): Line {
    return {
      id: this.id('il'),
      object: 'line_item',
      amount: input.amount,
      currency: input.price.currency,
      description: input.description,
      invoice: null,
      livemode: false,
      metadata: {},
      parent: input.sub
        ? {
            type: 'subscription_item_details',
            subscription_item_details: {
              invoice_item: null,
              proration: input.proration ?? false,
              proration_details: { credited_items: null },
              subscription: input.sub.id,
              subscription_item: input.sub.items.data[0]?.id ?? null,
            },
          }
        : null,
      period: { start: input.start, end: input.end },
      pricing: { type: 'price_details', price_details: { price: input.price.id, product: input.price.product }, unit_amount_decimal: input.price.unit_amount_decimal },
      quantity: input.quantity ?? 1,
    }
  }

  periodLine(price: Price, start: number, end: number, sub?: Subscription): Line {
    const product = this.products.get(price.product)
    const description = `1 × ${product?.name ?? price.product} (at ${money(price.unit_amount ?? 0, price.currency)} / ${price.recurring.interval})`
    return this.line({ description, amount: price.unit_amount ?? 0, start, end, price, sub })
  }

  /** An invoice as Stripe finalizes one: numbered per customer, `paid` or `open`. */
  addInvoice(input: { customer: string; sub?: Subscription; lines: Line[]; created?: number; status: 'paid' | 'open'; reason?: string }): Invoice {
    const customer = this.customer(input.customer)
    const id = this.id('in')
    const total = input.lines.reduce((sum, l) => sum + l.amount, 0)
    const created = input.created ?? this.now()
    const invoice: Invoice = {
      id,
      object: 'invoice',
      amount_due: Math.max(0, total),
      amount_paid: input.status === 'paid' ? Math.max(0, total) : 0,
      amount_remaining: input.status === 'paid' ? 0 : Math.max(0, total),
      billing_reason: input.reason ?? (input.sub ? 'subscription_cycle' : 'manual'),
      collection_method: 'charge_automatically',
      created,
      currency: input.lines[0]?.currency ?? 'usd',
      customer: customer.id,
      customer_address: customer.address && { ...customer.address },
      customer_email: customer.email,
      customer_name: customer.name,
      customer_tax_ids: this.taxIdsOf(customer.id).map((t) => ({ type: t.type, value: t.value })),
      hosted_invoice_url: `https://invoice.stripe-double.test/i/${id}`,
      invoice_pdf: `https://pay.stripe-double.test/invoice/${id}/pdf`,
      lines: input.lines.map((l) => ({ ...l, invoice: id })),
      livemode: false,
      number: `${customer.invoice_prefix}-${String(customer.next_invoice_sequence).padStart(4, '0')}`,
      parent: input.sub ? { type: 'subscription_details', subscription_details: { metadata: {}, subscription: input.sub.id } } : null,
      period_end: created,
      period_start: created,
      status: input.status,
      status_transitions: { finalized_at: created, paid_at: input.status === 'paid' ? created : null },
      subtotal: total,
      total,
      seq: this.counter,
    }
    customer.next_invoice_sequence += 1
    this.invoices.set(id, invoice)
    if (input.sub) input.sub.latest_invoice = id
    return invoice
  }

  /** The card a charge would use, or why there is none; nothing is changed. */
  chargeable(customerId: string, paymentMethod?: string | null): { ok: true; pm: string } | { ok: false; error: ApiError } {
    const customer = this.customer(customerId)
    const pm = paymentMethod ?? customer.invoice_settings.default_payment_method
    if (!pm) {
      return {
        ok: false,
        error: new ApiError(400, {
          type: 'invalid_request_error',
          code: 'resource_missing',
          message: 'This customer has no attached payment source or default payment method. Please consider adding a default payment method.',
        }),
      }
    }
    return this.outcomes.get(pm) === 'decline' ? { ok: false, error: declined() } : { ok: true, pm }
  }

  /** Pays an open invoice (POST /v1/invoices/:id/pay). */
  pay(invoiceId: string, paymentMethod?: string): Invoice {
    const invoice = this.invoice(invoiceId)
    if (invoice.status !== 'open') throw invalid('Invoice is already paid', undefined, 'invoice_not_editable')
    const charge = this.chargeable(invoice.customer, paymentMethod)
    if (!charge.ok) throw charge.error
    invoice.status = 'paid'
    invoice.amount_paid = invoice.amount_due
    invoice.amount_remaining = 0
    invoice.status_transitions.paid_at = this.now()
    const subId = invoice.parent?.subscription_details.subscription
    const sub = subId ? this.subscriptions.get(subId) : undefined
    const stillOpen = [...this.invoices.values()].some((i) => i.status === 'open' && i.parent?.subscription_details.subscription === subId)
    if (sub && !stillOpen && (sub.status === 'past_due' || sub.status === 'incomplete' || sub.status === 'unpaid')) sub.status = 'active'
    return invoice
  }

  /** The customer's Tax IDs, oldest first (the order they were added). */
  taxIdsOf(customerId: string): TaxId[] {
    return [...this.taxIds.values()].filter((t) => t.customer === customerId)
  }

  // ------------------------------------------------------------ subscriptions

  addSubscription(input: { customer: string; price: string; start: number; end: number; status: Subscription['status']; trialEnd?: number | null; created?: number }): Subscription {
    const price = this.price(input.price)
    const id = this.id('sub')
    const sub: Subscription = {
      id,
      object: 'subscription',
      billing_cycle_anchor: input.trialEnd ?? input.start,
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
      collection_method: 'charge_automatically',
      created: input.created ?? input.start,
      currency: price.currency,
      customer: input.customer,
      default_payment_method: null,
      ended_at: null,
      items: {
        object: 'list',
        data: [
          {
            id: this.id('si'),
            object: 'subscription_item',
            created: input.start,
            current_period_end: input.end,
            current_period_start: input.start,
            metadata: {},
            price,
            quantity: 1,
            subscription: id,
          },
        ],
        has_more: false,
        url: `/v1/subscription_items?subscription=${id}`,
      },
      latest_invoice: null,
      livemode: false,
      metadata: {},
      schedule: null,
      start_date: input.created ?? input.start,
      status: input.status,
      trial_end: input.trialEnd ?? null,
      trial_start: input.trialEnd ? input.start : null,
    }
    this.subscriptions.set(id, sub)
    return sub
  }

  /** A second item on a subscription (a metered overage price, say), as Stripe's `POST /v1/subscription_items` adds one. */
  addItem(subscriptionId: string, priceId: string): SubscriptionItem {
    const sub = this.subscription(subscriptionId)
    const first = sub.items.data[0]
    const item: SubscriptionItem = { ...first, id: this.id('si'), created: this.now(), metadata: {}, price: this.price(priceId), quantity: 1 }
    sub.items.data.push(item)
    return item
  }

  /** POST /v1/subscriptions. */
  createSubscription(params: { customer: string; price: string; trialDays?: number; paymentBehavior: string }): Subscription {
    const customer = this.customer(params.customer, 'customer')
    const price = this.price(params.price, 'items[0][price]')
    const t = this.now()
    if (params.trialDays) {
      const end = t + params.trialDays * DAY
      const sub = this.addSubscription({ customer: customer.id, price: price.id, start: t, end, status: 'trialing', trialEnd: end })
      const product = this.products.get(price.product)
      this.addInvoice({ customer: customer.id, sub, status: 'paid', reason: 'subscription_create', lines: [this.line({ description: `Trial period for ${product?.name}`, amount: 0, start: t, end, price, sub })] })
      return sub
    }
    const charge = (price.unit_amount ?? 0) > 0 ? this.chargeable(customer.id) : ({ ok: true } as const)
    if (!charge.ok && params.paymentBehavior === 'error_if_incomplete') throw charge.error
    const end = addInterval(t, price.recurring.interval)
    const sub = this.addSubscription({ customer: customer.id, price: price.id, start: t, end, status: charge.ok ? 'active' : 'incomplete' })
    this.addInvoice({ customer: customer.id, sub, status: charge.ok ? 'paid' : 'open', reason: 'subscription_create', lines: [this.periodLine(price, t, end, sub)] })
    return sub
  }

  /**
   * What switching the subscription to `price` at `t` does, without doing it: Stripe's
   * rules for a price change. In a trial nothing is prorated; a different interval starts
   * a new period at once (invoiced now); the same interval prorates the rest of the period.
   */
  quoteChange(sub: Subscription, price: Price, behavior: string, t: number) {
    const item = sub.items.data[0]
    const old = item.price
    const start = item.current_period_start
    const end = item.current_period_end
    if (t < start || t > end) throw invalid('proration_date must be within the current period', 'proration_date')
    const productName = (p: Price) => this.products.get(p.product)?.name ?? p.product
    const prorations: Line[] = []
    if (behavior !== 'none' && sub.status !== 'trialing') {
      prorations.push(
        this.line({ description: `Unused time on ${productName(old)} after ${day(t)}`, amount: -prorate(old.unit_amount ?? 0, end - t, end - start), start: t, end, price: old, sub, proration: true }),
      )
    }
    if (sub.status !== 'trialing' && old.recurring.interval !== price.recurring.interval) {
      const newEnd = addInterval(t, price.recurring.interval)
      return { resets: true, start: t, end: newEnd, now: [...prorations, this.periodLine(price, t, newEnd, sub)], pending: [] as Line[] }
    }
    if (behavior !== 'none' && sub.status !== 'trialing') {
      prorations.push(
        this.line({ description: `Remaining time on ${productName(price)} after ${day(t)}`, amount: prorate(price.unit_amount ?? 0, end - t, end - start), start: t, end, price, sub, proration: true }),
      )
    }
    const invoiceNow = behavior === 'always_invoice'
    return { resets: false, start, end, now: invoiceNow ? prorations : [], pending: invoiceNow ? [] : prorations }
  }

  /** POST /v1/subscriptions/:id. */
  updateSubscription(
    id: string,
    params: { itemId?: string; price?: string; prorationBehavior?: string; prorationDate?: number; paymentBehavior?: string; cancelAtPeriodEnd?: boolean },
  ): Subscription {
    const sub = this.subscription(id)
    if (sub.status === 'canceled') throw invalid('A canceled subscription can only update its cancellation_details and metadata.')
    if (sub.schedule && (params.price !== undefined || params.cancelAtPeriodEnd !== undefined)) {
      throw invalid(`The subscription is managed by the subscription schedule \`${sub.schedule}\`, and updating any cancelation behavior directly is not allowed. Please update the schedule instead.`)
    }
    if (params.price !== undefined) {
      const item = sub.items.data[0]
      if (params.itemId !== item.id) throw unsupported('adding a second subscription item (pass items[0][id])')
      const price = this.price(params.price, 'items[0][price]')
      const quote = this.quoteChange(sub, price, params.prorationBehavior ?? 'create_prorations', params.prorationDate ?? this.now())
      const due = quote.now.reduce((sum, l) => sum + l.amount, 0)
      const charge = due > 0 ? this.chargeable(sub.customer, sub.default_payment_method) : ({ ok: true } as const)
      if (!charge.ok && params.paymentBehavior === 'error_if_incomplete') throw charge.error
      item.price = price
      item.current_period_start = quote.start
      item.current_period_end = quote.end
      if (quote.resets) sub.billing_cycle_anchor = quote.start
      if (quote.pending.length > 0) this.pending.set(sub.id, [...(this.pending.get(sub.id) ?? []), ...quote.pending])
      if (quote.now.length > 0) {
        this.addInvoice({ customer: sub.customer, sub, lines: quote.now, status: charge.ok ? 'paid' : 'open', reason: 'subscription_update' })
        if (!charge.ok) sub.status = 'past_due'
      }
    }
    if (params.cancelAtPeriodEnd !== undefined) {
      // As Stripe: canceled_at is the time of the latest request to cancel at the period
      // end, not when it takes effect; withdrawing the cancellation clears it.
      sub.canceled_at = params.cancelAtPeriodEnd ? this.now() : null
      sub.cancel_at_period_end = params.cancelAtPeriodEnd
      sub.cancel_at = params.cancelAtPeriodEnd ? sub.items.data[0].current_period_end : null
    }
    return sub
  }

  /** DELETE /v1/subscriptions/:id. */
  cancelSubscription(id: string): Subscription {
    const sub = this.subscription(id)
    if (sub.status === 'canceled') throw invalid('This subscription has already been canceled.')
    const t = this.now()
    Object.assign(sub, { status: 'canceled', canceled_at: t, ended_at: t, cancel_at_period_end: false, cancel_at: null })
    const schedule = sub.schedule ? this.schedules.get(sub.schedule) : undefined
    if (schedule) Object.assign(schedule, { status: 'canceled', canceled_at: t, current_phase: null })
    return sub
  }

  // ------------------------------------------------------------ schedules

  createSchedule(fromSubscription: string): Schedule {
    const sub = this.subscription(fromSubscription)
    if (sub.schedule) throw invalid(`You cannot migrate a subscription that is already attached to a schedule: \`${sub.schedule}\`.`, 'from_subscription')
    if (sub.status === 'canceled') throw invalid('A canceled subscription cannot be migrated to a schedule.', 'from_subscription')
    const item = sub.items.data[0]
    const items = sub.items.data.map((i) => (i.price.recurring.usage_type === 'metered' ? { price: i.price.id } : { price: i.price.id, quantity: i.quantity }))
    const phase: Phase = { start_date: item.current_period_start, end_date: item.current_period_end, items, proration_behavior: 'create_prorations' }
    const schedule: Schedule = {
      id: this.id('sub_sched'),
      object: 'subscription_schedule',
      canceled_at: null,
      created: this.now(),
      current_phase: { start_date: phase.start_date, end_date: phase.end_date },
      customer: sub.customer,
      end_behavior: 'release',
      livemode: false,
      phases: [phase],
      released_at: null,
      released_subscription: null,
      status: 'active',
      subscription: sub.id,
    }
    this.schedules.set(schedule.id, schedule)
    sub.schedule = schedule.id
    return schedule
  }

  updateSchedule(id: string, params: { endBehavior?: string; phases?: { items: { price?: string; quantity?: number }[]; startDate?: number; endDate?: number; prorationBehavior?: string }[] }): Schedule {
    const schedule = this.schedule(id)
    if (schedule.status !== 'active') throw invalid(`You cannot update a subscription schedule that is currently in the \`${schedule.status}\` status.`)
    const sub = this.subscription(schedule.subscription as string)
    if (params.phases) {
      const phases: Phase[] = []
      params.phases.forEach((p, i) => {
        if (p.items.length === 0 || p.items.some((item) => !item.price)) throw invalid('Each phase needs items with a price', `phases[${i}][items]`)
        const items = p.items.map((item, j) => {
          const price = this.price(item.price as string, `phases[${i}][items][${j}][price]`)
          if (price.recurring.usage_type === 'metered' && item.quantity !== undefined) throw invalid('Quantity cannot be set for metered prices', `phases[${i}][items][${j}][quantity]`)
          return item.quantity === undefined ? { price: price.id } : { price: price.id, quantity: item.quantity }
        })
        const start = p.startDate ?? phases[i - 1]?.end_date
        if (start === undefined) throw invalid('The first phase needs a start_date', 'phases[0][start_date]')
        if (p.endDate === undefined) throw unsupported(`phases without an end_date (phases[${i}])`)
        if (p.endDate <= start) throw invalid('end_date must be after start_date', `phases[${i}][end_date]`)
        phases.push({ start_date: start, end_date: p.endDate, items, proration_behavior: p.prorationBehavior ?? 'create_prorations' })
      })
      if (phases[0].start_date !== schedule.current_phase?.start_date) throw invalid('You can not modify the start date of the current phase.', 'phases[0][start_date]')
      const prices = (items: { price: string }[]) => items.map((i) => i.price).sort().join()
      // The current phase is what the subscription is: a phase leaving an item out would remove it now.
      if (prices(phases[0].items) !== prices(sub.items.data.map((i) => ({ price: i.price.id })))) throw unsupported('a current phase whose items differ from the subscription’s')
      if (phases[0].end_date !== sub.items.data[0].current_period_end) throw unsupported('a current phase that does not end with the current period')
      schedule.phases = phases
      schedule.current_phase = { start_date: phases[0].start_date, end_date: phases[0].end_date }
    }
    if (params.endBehavior) schedule.end_behavior = params.endBehavior
    return schedule
  }

  releaseSchedule(id: string): Schedule {
    const schedule = this.schedule(id)
    if (schedule.status !== 'active' && schedule.status !== 'not_started') throw invalid(`You cannot release a subscription schedule that is currently in the \`${schedule.status}\` status.`)
    const sub = schedule.subscription ? this.subscriptions.get(schedule.subscription) : undefined
    if (sub) sub.schedule = null
    Object.assign(schedule, { status: 'released', released_at: this.now(), released_subscription: schedule.subscription, subscription: null, current_phase: null })
    return schedule
  }

  // ------------------------------------------------------------ previews

  private previewInvoice(customer: string, lines: Line[], sub?: Subscription) {
    const total = lines.reduce((sum, l) => sum + l.amount, 0)
    const t = this.now()
    return {
      object: 'invoice' as const,
      amount_due: Math.max(0, total),
      amount_paid: 0,
      amount_remaining: Math.max(0, total),
      billing_reason: sub ? 'upcoming' : 'manual',
      collection_method: 'charge_automatically' as const,
      created: t,
      currency: lines[0]?.currency ?? 'usd',
      customer,
      hosted_invoice_url: null,
      invoice_pdf: null,
      lines: { object: 'list' as const, data: lines, has_more: false, url: '/v1/invoices/upcoming/lines' },
      livemode: false as const,
      number: null,
      parent: sub ? { type: 'subscription_details' as const, subscription_details: { metadata: {}, subscription: sub.id } } : null,
      period_end: t,
      period_start: t,
      status: 'draft' as const,
      subtotal: total,
      total,
    }
  }

  /** POST /v1/invoices/create_preview. */
  preview(params: { customer?: string; subscription?: string; price?: string; itemId?: string; prorationBehavior?: string; prorationDate?: number; trialEnd?: number; cancelAtPeriodEnd?: boolean }) {
    if (params.subscription) {
      const sub = this.subscription(params.subscription)
      if (params.customer && params.customer !== sub.customer) throw invalid('The subscription does not belong to this customer', 'subscription')
      // A subscription set to cancel has no next invoice, a change to it included, unless the
      // preview also withdraws the cancellation (`subscription_details[cancel_at_period_end]=false`).
      const canceling = sub.cancel_at_period_end && params.cancelAtPeriodEnd !== false
      if (sub.status === 'canceled' || canceling) throw invalid(`No upcoming invoices for customer: ${sub.customer}`, undefined, 'invoice_upcoming_none')
      const item = sub.items.data[0]
      if (params.price) {
        if (params.itemId !== item.id) throw unsupported('previewing a second subscription item')
        const price = this.price(params.price, 'subscription_details[items][0][price]')
        const quote = this.quoteChange(sub, price, params.prorationBehavior ?? 'create_prorations', params.prorationDate ?? this.now())
        // A new period is invoiced at once: that invoice is the preview. Otherwise the next
        // renewal, with the prorations on it.
        if (quote.resets) return this.previewInvoice(sub.customer, quote.now, sub)
        const renewal = this.periodLine(price, quote.end, addInterval(quote.end, price.recurring.interval), sub)
        return this.previewInvoice(sub.customer, [...(this.pending.get(sub.id) ?? []), ...quote.now, ...quote.pending, renewal], sub)
      }
      const end = item.current_period_end
      const schedule = sub.schedule ? this.schedules.get(sub.schedule) : undefined
      const nextPhase = schedule?.phases.find((p) => p.start_date >= end)
      const licensed = nextPhase?.items.map((i) => this.price(i.price)).find((p) => p.recurring.usage_type === 'licensed')
      const nextPrice = licensed ?? item.price
      const renewal = this.periodLine(nextPrice, end, addInterval(end, nextPrice.recurring.interval), sub)
      return this.previewInvoice(sub.customer, [...(this.pending.get(sub.id) ?? []), renewal], sub)
    }
    if (!params.customer) throw invalid('Missing required param: customer.', 'customer')
    const customer = this.customer(params.customer, 'customer')
    if (!params.price) throw invalid('Provide subscription or subscription_details[items]', 'subscription_details[items]')
    const price = this.price(params.price, 'subscription_details[items][0][price]')
    const t = this.now()
    if (params.trialEnd !== undefined) {
      const product = this.products.get(price.product)
      return this.previewInvoice(customer.id, [this.line({ description: `Trial period for ${product?.name}`, amount: 0, start: t, end: params.trialEnd, price })])
    }
    return this.previewInvoice(customer.id, [this.periodLine(price, t, addInterval(t, price.recurring.interval))])
  }
}
