/**
 * The billing engine's tables as Kysely sees them. Booleans are 0/1 integers and JSON is
 * text so the same rows fit SQLite and PostgreSQL; money is integer minor units and
 * times are Unix seconds, as on the wire.
 */
import type { Kysely } from 'kysely'

export type Flag = 0 | 1

export interface AppsTable {
  id: string
  name: string
  public_key: string
  /** Invoice numbers read `{prefix}-0001`. */
  invoice_prefix: string
  /** The next invoice's sequence number: invoices are numbered per app without gaps. */
  next_invoice_seq: number
  created: number
}

export interface MetricsTable {
  app_id: string
  key: string
  name: string
  unit: string
}

export interface PlansTable {
  id: string
  app_id: string
  name: string
  description: string
  /** JSON array of strings. */
  features: string
  /** JSON array of boolean entitlements the plan grants, e.g. `["sso"]` (migration 6). */
  flags: string
  trial_days: number
  featured: Flag
  public: Flag
  sort_order: number
  created: number
  /** Offered to no new customer, kept for its subscribers (migration 5). */
  archived_at: number | null
}

export interface PlanQuotasTable {
  plan_id: string
  metric: string
  /** `null` is unlimited. */
  quota: number | null
  /** Overage: `overage_amount` minor units per started block of `overage_block` units; null is a hard cap. */
  overage_amount: number | null
  overage_block: number | null
}

export interface PricesTable {
  id: string
  plan_id: string
  app_id: string
  period: 'month' | 'year'
  amount: number
  currency: string
  created: number
  /** Offered to no new customer, kept for its subscribers (migration 5). */
  archived_at: number | null
  /** The id a catalogue declares; moves to the new price when the amount changes (migration 5). */
  lookup_key: string | null
}

export interface CustomersTable {
  id: string
  app_id: string
  custom_uid: string
  email: string
  name: string
  /** The subscription the portal shows (the latest one); null before the first. */
  subscription_id: string | null
  /** Credit in the customer's favour, in minor units (migration 2). */
  balance: number
  created: number
  /** JSON `Address`, or null (migration 8). */
  address: string | null
  /** JSON `TaxId[]` (migration 8). */
  tax_ids: string
}

export interface SubscriptionsTable {
  id: string
  app_id: string
  customer_id: string
  price_id: string
  status: 'trialing' | 'active' | 'past_due' | 'canceled'
  /** Periods are whole months or years counted from this moment (the billing cycle anchor). */
  anchor: number
  current_period_start: number
  current_period_end: number
  cancel_at_period_end: Flag
  trial_end: number | null
  scheduled_price_id: string | null
  scheduled_at: number | null
  /** When the cancellation was asked for (at once, or scheduled for the period end); null when none. */
  canceled_at: number | null
  /** When the subscription ended (status `canceled`; migration 3). */
  ended_at: number | null
  created: number
}

export interface InvoicesTable {
  id: string
  app_id: string
  customer_id: string
  subscription_id: string | null
  number: string
  seq: number
  status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible'
  currency: string
  /** Always the sum of the invoice's lines. */
  total: number
  created: number
  paid_at: number | null
  /** JSON `BillTo`: the customer's billing details when the invoice was issued; null before migration 8. */
  bill_to: string | null
}

export interface InvoiceLinesTable {
  id: string
  invoice_id: string
  position: number
  kind: 'subscription' | 'proration' | 'usage' | 'balance'
  description: string
  amount: number
  quantity: number
  period_start: number | null
  period_end: number | null
}

export interface UsageRecordsTable {
  app_id: string
  customer_id: string
  metric: string
  quantity: number
  recorded_at: number
  /** The event's idempotency key, unique per app; null when the caller gave none (migration 6). */
  event_id: string | null
}

export interface PaymentMethodsTable {
  id: string
  app_id: string
  customer_id: string
  brand: string
  last4: string
  exp_month: number
  exp_year: number
  is_default: Flag
  /** The sandbox card's behaviour when charged: `pm_card_chargeDeclined` attaches but never pays. */
  charge_outcome: 'succeed' | 'decline'
  created: number
  /** Removed cards are kept (invoices may name them) but never listed or charged. */
  detached_at: number | null
}

export interface ApiKeysTable {
  id: string
  app_id: string
  customer_id: string
  name: string
  /** The key's first characters (`ak_live_1a2b`), enough to recognise it. */
  prefix: string
  last4: string
  /** SHA-256 of the whole key, hex; the key itself is never stored. */
  hash: string
  created: number
  last_used: number | null
  revoked_at: number | null
  /** The customer's keys numbered in the order they were made (migration 7). */
  seq: number
}

export interface MigrationsTable {
  version: number
  name: string
  applied_at: number
}

export interface SeedsTable {
  name: string
  applied_at: number
}

/** Idempotency-Key records shared by server instances (migration 7); times in milliseconds. */
export interface IdempotencyTable {
  key: string
  /** Null while the key is only claimed (its request running). */
  fingerprint: string | null
  /** The stored response as JSON; null while claimed. */
  response: string | null
  /** When the response, or a claim that got none, lapses. */
  expires_at: number
}

/** Fixed-window request counters shared by server instances (migration 7); times in milliseconds. */
export interface RateLimitsTable {
  key: string
  window_start: number
  hits: number
  expires_at: number
}

/** Usage per customer, metric and UTC hour (`hour` = its first second), kept by trackMany (migration 9). */
export interface UsageHourlyTable {
  customer_id: string
  metric: string
  hour: number
  quantity: number
}

/** The customer's overage cap on a metric (migration 9); null `max_overage_amount` stops at the quota. */
export interface UsageLimitsTable {
  customer_id: string
  metric: string
  max_overage_amount: number | null
  updated: number
}

export interface UsageAlertsTable {
  id: string
  app_id: string
  customer_id: string
  metric: string
  threshold_percent: number
  of: 'quota' | 'cap'
  created: number
}

/** An alert's claim for a period: the row that makes it fire once (migration 9). */
export interface UsageAlertFiringsTable {
  alert_id: string
  period_start: number
  fired_at: number
}

export interface BillingDatabase {
  billing_migrations: MigrationsTable
  billing_seeds: SeedsTable
  apps: AppsTable
  metrics: MetricsTable
  plans: PlansTable
  plan_quotas: PlanQuotasTable
  prices: PricesTable
  customers: CustomersTable
  subscriptions: SubscriptionsTable
  invoices: InvoicesTable
  invoice_lines: InvoiceLinesTable
  usage_records: UsageRecordsTable
  payment_methods: PaymentMethodsTable
  api_keys: ApiKeysTable
  billing_idempotency: IdempotencyTable
  billing_rate_limits: RateLimitsTable
  usage_hourly: UsageHourlyTable
  usage_limits: UsageLimitsTable
  usage_alerts: UsageAlertsTable
  usage_alert_firings: UsageAlertFiringsTable
}

/** The engine's Kysely handle: the database, or a transaction on it. */
export type Db = Kysely<BillingDatabase>
