/**
 * The Portal API's wire shapes (snake_case, as they travel), shared by the browser
 * core and the server. Money is integer minor units plus an ISO 4217 code; times are
 * Unix seconds. These are the floor: backends may add fields.
 */

export type ErrorCode =
  | 'session_expired'
  | 'unauthorized'
  | 'network'
  | 'server'
  | 'bad_response'
  | 'invalid_config'
  | 'payment_failed'
  | 'stripe_unavailable'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'invalid_request'
  /** The seller turned this action off (`createPortalHandler({ features })`); the message names the feature. */
  | 'forbidden'

export interface PortalError {
  code: ErrorCode
  message: string
  /** HTTP status when the error came from the Portal API. */
  status?: number
  /** The request field at fault, when the server named one. */
  field?: string
}

/** Body of every non-2xx Portal API response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string }
}

export type Period = 'month' | 'year'

export interface Price {
  id: string
  period: Period
  /** Minor units of `currency`. */
  amount: number
  currency: string
  /** Customer's `GET /plans` only, on every price but the current one: when a change to it takes effect (the backend's preview would say the same). */
  change_effective?: 'now' | 'period_end'
  /** Customer's `GET /plans` only: whether this portal lets the customer switch to it (`features`). The server decides; the views only render it. */
  change_allowed?: boolean
}

export interface MetricInfo {
  name: string
  unit: string
}

export interface Plan {
  id: string
  name: string
  description: string
  features: string[]
  /** Quota per usage metric; `null` is unlimited. */
  quotas: Record<string, number | null>
  /** Boolean entitlements the plan grants (`sso`, `priority_support`): what `check(scope, flag)` answers. */
  flags?: string[]
  /**
   * Each quota metric's display name and unit (`api_calls` -> "API calls", "calls").
   * Optional: without it the portal derives a name from the id.
   */
  metrics?: Record<string, MetricInfo>
  trial_days: number
  featured: boolean
  prices: Price[]
}

export type SubscriptionStatus = 'trialing' | 'active' | 'past_due' | 'canceled'

export interface Subscription {
  id: string
  status: SubscriptionStatus
  plan_id: string
  price_id: string
  current_period_start: number
  current_period_end: number
  cancel_at_period_end: boolean
  trial_end: number | null
  scheduled_change: { price_id: string; at: number } | null
  /**
   * When the customer asked to cancel: at once, or when a cancellation at the period end
   * was scheduled (as Stripe's). Null when nothing is canceled. Optional: older backends
   * leave it out.
   */
  canceled_at?: number | null
  /** When a `canceled` subscription ended; null while it runs. Optional, as `canceled_at`. */
  ended_at?: number | null
}

export interface Customer {
  id: string
  email: string
  name: string
}

export interface UsageMeter {
  metric: string
  name: string
  used: number
  /** `null` is unlimited. */
  limit: number | null
  unit: string
  /** The customer's overage cap on this metric (`POST /usage-limits`): null when none is set on a plan that prices overage; absent when there is no overage to cap. */
  spend_limit?: SpendLimit | null
}

/** A customer-set overage cap: `max_overage_amount` minor units past the quota; null stops at the quota. */
export interface SpendLimit {
  max_overage_amount: number | null
  currency: string
}

export interface UpcomingInvoice {
  amount_due: number
  currency: string
  date: number
}

export interface Session {
  customer: Customer
  subscription: Subscription | null
  plan: Plan | null
  /** The price the subscription is on, for showing amount and period. */
  price: Price | null
  usage: UsageMeter[]
  upcoming_invoice: UpcomingInvoice | null
  /** Whether the backend keeps API keys for this customer (dashboard hides the card otherwise). */
  api_keys_enabled: boolean
  /** What the seller turned on (`createPortalHandler({ features })`); the handler always sends it. */
  features?: PortalFeatures
}

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'void' | 'uncollectible'

export interface InvoiceLine {
  description: string
  amount: number
  quantity: number
  period: { start: number; end: number } | null
}

export interface Invoice {
  id: string
  number: string
  created: number
  status: InvoiceStatus
  total: number
  currency: string
  pdf_url: string | null
  hosted_url: string | null
  /** Present on `GET /invoices/:id`. */
  lines?: InvoiceLine[]
  /** The billing details as they were when the invoice was issued; null when none were kept (invoices older than them). */
  bill_to?: BillTo | null
}

export interface PaymentMethod {
  id: string
  brand: string
  last4: string
  exp_month: number
  exp_year: number
  is_default: boolean
}

export type PaymentSetup =
  | { provider: 'stripe'; client_secret: string }
  /** The embedded engine's provider: the user picks a test card token such as `pm_card_visa`. */
  | { provider: 'sandbox'; test_cards: string[] }

export interface ApiKey {
  id: string
  name: string
  /** Masked, e.g. `sk_live_abcd…wxyz`. */
  masked: string
  created: number
  last_used: number | null
}

/** Only ever returned by a create or roll: the whole key, shown once. */
export interface RevealedApiKey extends ApiKey {
  secret: string
}

/** A create or roll replayed under its Idempotency-Key: the key without its secret, which the server never stores. */
export interface ReplayedApiKey extends ApiKey {
  secret?: undefined
  secret_already_shown: true
}

export interface List<T> {
  data: T[]
  has_more: boolean
}

export interface PlansResponse {
  data: Plan[]
  current_price_id: string | null
}

export interface PreviewLine {
  description: string
  amount: number
}

export interface SubscriptionPreview {
  price_id: string
  amount_due_now: number
  currency: string
  next_renewal_amount: number
  /** Upgrades apply now (prorated); downgrades at the period end. */
  effective: 'now' | 'period_end'
  /** When the change takes effect (now, or the period end). */
  effective_at: number
  /**
   * The moment the preview was priced at (Unix seconds). Sent back with `POST /subscription`,
   * the change is charged exactly this preview's amounts (within the hour, in the same
   * period). Optional: a backend that cannot price at a given moment leaves it out.
   */
  proration_date?: number
  lines: PreviewLine[]
  /** Confirming charges the default payment method (a paid price taking effect outside a trial). Optional: a backend may leave it out. */
  needs_card?: boolean
}

export interface PublicPlansResponse {
  data: Plan[]
}

export interface CheckoutResponse {
  url: string
}

// ------------------------------------------------------------------ requests

/** `GET /invoices?limit=&starting_after=`: 1..100 (the server defaults it to 10), after the last id of the previous page. */
export interface PageQuery {
  limit?: number
  starting_after?: string
}

/** `GET /usage?metric=&period=&granularity=`: the current period by UTC day unless told. */
export interface UsageQuery {
  metric: string
  period?: 'current' | 'previous'
  granularity?: 'day' | 'hour'
}

/** `POST /usage-limits`: minor units of overage allowed per period; null stops at the quota. */
export interface UsageLimitBody {
  metric: string
  max_overage_amount: number | null
}

/** `POST /usage-alerts` */
export interface UsageAlertBody {
  metric: string
  threshold_percent: number
  of: 'quota' | 'cap'
}

/** `POST /subscription/preview`, `POST /public/:publicKey/checkout`. */
export interface PriceBody {
  price_id: string
}

/** `POST /subscription`: the preview's `proration_date` charges exactly what the preview showed. */
export interface ChangeSubscriptionBody {
  price_id: string
  proration_date?: number
}

/** `POST /subscription/cancel`; left out, `at_period_end` is true. */
export interface CancelBody {
  at_period_end?: boolean
}

/** `POST /payment-methods`: a sandbox test token or a Stripe PaymentMethod id confirmed in the browser. */
export interface AttachPaymentMethodBody {
  payment_method: string
  make_default?: boolean
}

/** `POST /api-keys`: at most 100 characters. */
export interface ApiKeyBody {
  name: string
}

/** The answer to a DELETE. */
export interface Deleted {
  id: string
  deleted: true
}

/** The tax ID types the Portal API checks, named as Stripe names them. */
export type TaxIdType = 'eu_vat' | 'gb_vat' | 'ch_vat' | 'no_vat' | 'us_ein' | 'ca_bn' | 'au_abn' | 'in_gst' | 'jp_cn' | 'br_cnpj'

export interface TaxId {
  type: TaxIdType
  value: string
}

export interface Address {
  line1: string
  line2: string | null
  city: string
  postal_code: string | null
  state: string | null
  /** ISO 3166-1 alpha-2, upper case (`DE`). */
  country: string
}

/** `GET /customer`, and what `POST /customer` answers: the customer's billing details. */
export interface BillingDetails {
  id: string
  name: string
  email: string
  address: Address | null
  tax_ids: TaxId[]
}

/** `POST /customer`: the fields given replace the stored ones (`tax_ids` as a whole list; `address: null` clears it). */
export interface BillingDetailsUpdate {
  name?: string
  email?: string
  address?: { line1: string; line2?: string | null; city: string; postal_code?: string | null; state?: string | null; country: string } | null
  tax_ids?: TaxId[]
}

/** An invoice's copy of the billing details at the moment it was issued. */
export interface BillTo {
  name: string
  email: string
  address: Address | null
  tax_ids: TaxId[]
}

/** What the seller turned on, resolved (every field present); see docs/portal-api.md "Seller controls". */
export interface PortalFeatures {
  changePlan: boolean | 'upgrades_only'
  cancel: boolean | 'at_period_end'
  paymentMethods: boolean
  invoices: boolean
  billingDetails: boolean
  apiKeys: boolean | 'read_only'
  /** The price ids a customer may switch to; null: every plan the backend lists. */
  plans: string[] | null
}

/** One bar of `GET /usage`: usage in `[start, next bucket's start)`; `start` is a UTC hour or day boundary (the first is the period start). */
export interface UsageBucket {
  start: number
  value: number
}

/** A linear estimate: the period's usage rate so far, extrapolated to the period end. */
export interface UsageForecast {
  total: number
  /** When the extrapolation reaches the quota, Unix seconds; null when it does not within the period (or no quota). */
  at_limit_on: number | null
  /** What the forecast usage past the quota would cost at the plan's overage price (0 without one), minor units. */
  overage_amount: number
  currency: string
}

/** `GET /usage?metric=&period=current|previous&granularity=day|hour`. */
export interface UsageReport {
  metric: string
  unit: string
  period: { start: number; end: number }
  granularity: 'day' | 'hour'
  buckets: UsageBucket[]
  total: number
  limit: number | null
  forecast: UsageForecast
  spend_limit: SpendLimit | null
}

/** `POST /usage-limits` answers the cap as set. */
export interface UsageLimit extends SpendLimit {
  metric: string
}

/** A usage alert the customer set: fires once per period when usage reaches `threshold_percent` of the quota or the cap. */
export interface UsageAlert {
  id: string
  metric: string
  threshold_percent: number
  of: 'quota' | 'cap'
  created: number
}
