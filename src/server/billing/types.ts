import type {
  ApiKey,
  BillingDetails,
  BillingDetailsUpdate,
  CheckoutResponse,
  ErrorCode,
  Invoice,
  List,
  PaymentMethod,
  PaymentSetup,
  PlansResponse,
  PublicPlansResponse,
  RevealedApiKey,
  Session,
  Subscription,
  SubscriptionStatus,
  SubscriptionPreview,
  UsageAlert,
  UsageLimit,
  UsageReport,
} from '../../api/types.js'
import type { IdempotencyStore } from '../idempotency.js'
import type { RateLimitCounters } from '../rate-limit.js'

/** Every customer-facing call is scoped to one customer of one app: a token's `aud` and `sub`. */
export interface CustomerScope {
  appId: string
  customUid: string
}

export interface PageParams {
  /** 1..100; the handler defaults it to 10. */
  limit: number
  starting_after?: string
}

export interface MutationOptions {
  /** The request's `Idempotency-Key`, for backends (Stripe) that can pass it on. */
  idempotencyKey?: string
}

export interface ChangeOptions extends MutationOptions {
  /**
   * Price the change as of this moment (Unix seconds), as the preview did: its
   * `proration_date`. Within the current period and at most an hour old, else
   * `invalid_request` naming `proration_date` (see `prorationMoment`). Default: now.
   */
  prorationDate?: number
}

/**
 * One async method per Portal API route. The SQLite engine and `stripeBilling` both
 * implement it, and one contract test suite checks both.
 *
 * Methods throw `BillingError` for anything the caller should see (not found, conflict,
 * declined card...); anything else becomes a 500 with no internals.
 */
export interface BillingBackend {
  getSession(scope: CustomerScope): Promise<Session>

  listInvoices(scope: CustomerScope, page: PageParams): Promise<List<Invoice>>
  /** With `lines`. Another customer's id is `not_found`. */
  getInvoice(scope: CustomerScope, invoiceId: string): Promise<Invoice>
  /**
   * Pays an open invoice with the default payment method; paying the last open invoice of a
   * `past_due` subscription makes it `active`. Not open: `conflict`; declined or no card:
   * `payment_failed` with the decline message.
   */
  payInvoice(scope: CustomerScope, invoiceId: string, options?: MutationOptions): Promise<Invoice>

  /** The customer's billing details (name, email, address, tax IDs). */
  getBillingDetails(scope: CustomerScope): Promise<BillingDetails>
  /** Replaces the fields given (validated by the handler's schema); invoices issued before keep their copy. */
  updateBillingDetails(scope: CustomerScope, update: BillingDetailsUpdate, options?: MutationOptions): Promise<BillingDetails>

  listPaymentMethods(scope: CustomerScope): Promise<List<PaymentMethod>>
  /** Begins adding a method: a Stripe SetupIntent's client secret, or the sandbox's test cards. */
  setupPaymentMethod(scope: CustomerScope, options?: MutationOptions): Promise<PaymentSetup>
  /**
   * Attaches a method: a sandbox test token (`pm_card_visa`, `pm_card_mastercard`;
   * `pm_card_declined` is `payment_failed`) or a Stripe PaymentMethod id confirmed in the browser.
   */
  attachPaymentMethod(
    scope: CustomerScope,
    paymentMethod: string,
    options?: MutationOptions & { makeDefault?: boolean },
  ): Promise<PaymentMethod>
  setDefaultPaymentMethod(scope: CustomerScope, paymentMethodId: string, options?: MutationOptions): Promise<PaymentMethod>
  removePaymentMethod(scope: CustomerScope, paymentMethodId: string, options?: MutationOptions): Promise<void>

  /** Each price but the current one marked `change_effective`, by the rule `previewSubscriptionChange` uses (the Portal API's `change_allowed` is decided from it). */
  listPlans(scope: CustomerScope): Promise<PlansResponse>
  /**
   * Exactly what `changeSubscription` with the same price would charge at this moment;
   * its `proration_date` (when the backend returns one) makes the charge equal it later.
   */
  previewSubscriptionChange(scope: CustomerScope, priceId: string): Promise<SubscriptionPreview>
  /** Upgrades now (prorated, invoiced at once), downgrades at period end; starts a subscription (or trial) when there is none. */
  changeSubscription(scope: CustomerScope, priceId: string, options?: ChangeOptions): Promise<Subscription>
  /** Undo a scheduled downgrade. */
  cancelScheduledChange(scope: CustomerScope, options?: MutationOptions): Promise<Subscription>
  cancelSubscription(scope: CustomerScope, atPeriodEnd: boolean, options?: MutationOptions): Promise<Subscription>
  /** Undo a scheduled cancellation. */
  resumeSubscription(scope: CustomerScope, options?: MutationOptions): Promise<Subscription>

  /** `null` when this backend keeps no API keys (the dashboard hides the card). */
  listApiKeys(scope: CustomerScope): Promise<List<ApiKey> | null>
  rollApiKey(scope: CustomerScope, apiKeyId: string, options?: MutationOptions): Promise<RevealedApiKey>
  /** A new key named `name`, its secret shown once; past the seller's maximum, `conflict` naming it. */
  createApiKey(scope: CustomerScope, name: string, options?: MutationOptions): Promise<RevealedApiKey>
  /** Revokes a key: it stops verifying at once. */
  revokeApiKey(scope: CustomerScope, apiKeyId: string, options?: MutationOptions): Promise<ApiKey>

  /** Public plans of the app that owns `publicKey`; unknown key is `not_found`. */
  listPublicPlans(publicKey: string): Promise<PublicPlansResponse>
  createCheckout(publicKey: string, priceId: string, options?: MutationOptions): Promise<CheckoutResponse>

  /** `GET /usage`: buckets, total, limit and forecast of a metric; absent on a backend that cannot chart usage (404). */
  getUsage?(scope: CustomerScope, query: UsageQuery): Promise<UsageReport>
  /** `POST /usage-limits`: the customer's overage cap (null: stop at the quota); only on a plan that prices overage (`conflict` otherwise). */
  setUsageLimit?(scope: CustomerScope, metric: string, maxOverageAmount: number | null, options?: MutationOptions): Promise<UsageLimit>
  listUsageAlerts?(scope: CustomerScope): Promise<List<UsageAlert>>
  createUsageAlert?(scope: CustomerScope, alert: UsageAlertInput, options?: MutationOptions): Promise<UsageAlert>
  deleteUsageAlert?(scope: CustomerScope, alertId: string, options?: MutationOptions): Promise<void>

  /** Releases connections and file handles. */
  close?(): Promise<void> | void

  /**
   * Where several server instances on this backend share Idempotency-Keys and rate-limit
   * counters (the PostgreSQL engine: tables in its database). `createPortalHandler` uses
   * them by default; `now` is its clock, Unix seconds.
   */
  sharedStores?(options?: { now?: () => number }): SharedStores
}

export interface UsageQuery {
  metric: string
  /** Default `current`. */
  period?: 'current' | 'previous'
  /** Default `day`. Buckets are UTC hours or days. */
  granularity?: 'day' | 'hour'
}

export interface UsageAlertInput {
  metric: string
  /** 1..1000: 100 is the whole quota (or cap). */
  threshold_percent: number
  of: 'quota' | 'cap'
}

/** What `onUsageAlert` receives (and the webhook's body carries), once per alert per period. */
export interface UsageAlertEvent {
  appId: string
  customUid: string
  metric: string
  /** The alert's percentage. */
  threshold: number
  /** Usage in the period when it fired. */
  used: number
  /** The quota, or for an alert `of: 'cap'` the usage at which the cap stops the customer. */
  limit: number
  of: 'quota' | 'cap'
  alertId: string
  periodStart: number
}

export interface SharedStores {
  idempotency: IdempotencyStore
  rateLimit: RateLimitCounters
}

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  invalid_request: 400,
  unauthorized: 401,
  session_expired: 401,
  forbidden: 403,
  payment_failed: 402,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  server: 500,
  stripe_unavailable: 502,
}

/** An error meant for the portal's user: its code, message and field reach the browser. */
export class BillingError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly field?: string
  /** Seconds, for `rate_limited`. */
  readonly retryAfter?: number
  /** For the seller's server log only (the handler prints it); never sent to the browser. */
  readonly log?: string

  constructor(code: ErrorCode, message: string, options: { status?: number; field?: string; retryAfter?: number; log?: string } = {}) {
    super(message)
    this.name = 'BillingError'
    this.code = code
    this.status = options.status ?? STATUS_BY_CODE[code] ?? 400
    this.field = options.field
    this.retryAfter = options.retryAfter
    this.log = options.log
  }
}

// ---------------------------------------------------------------- metering

/** Why `check` refused (or, for `not_in_plan`, why the plan says nothing about it). */
export type CheckReason = 'quota_exceeded' | 'spend_limit_reached' | 'no_subscription' | 'subscription_inactive' | 'not_in_plan'

/** `check(scope, metricOrFlag, { amount })`: may the customer use `amount` more of it now? */
export interface CheckResult {
  allowed: boolean
  reason?: CheckReason
  /** Used so far in the current period (0 for a flag). */
  used: number
  /** The period's quota; null is unlimited (and for a flag). */
  limit: number | null
  /** `limit - used`, never below 0; null when unlimited. */
  remaining: number | null
  /** True when `amount` goes past the quota and the plan bills the overage (allowed). */
  overage: boolean
  /** The plan bills usage past the limit rather than refusing it (the guard's local counter needs to know). */
  overage_priced: boolean
  /** When the period (and its quota) resets, Unix seconds; null without a live subscription. */
  resets_at: number | null
  /** The subscription's status, when there is one. */
  status?: SubscriptionStatus | null
  /** Usage at which the customer's spend cap refuses more (`spend_limit_reached`); absent or null without a cap. */
  stops_at?: number | null
}

export interface MetricEntitlement {
  metric: string
  name: string
  unit: string
  used: number
  limit: number | null
  remaining: number | null
  /** The plan bills usage past the limit instead of refusing it. */
  overage_priced: boolean
}

/** `entitlements(scope)`: every metric and flag of the customer's plan. */
export interface Entitlements {
  plan_id: string | null
  status: SubscriptionStatus | null
  resets_at: number | null
  metrics: MetricEntitlement[]
  flags: string[]
}

/** One usage event. `id` is its idempotency key (unique per app): a resent event is not counted twice. */
export interface TrackEvent {
  customUid: string
  metric: string
  /** A positive integer. */
  amount: number
  id?: string
  /** When it happened, Unix seconds (default now): counted in the period that contains it. */
  at?: number
  /** The API key that made the calls: its `last_used` moves to `at`. */
  apiKeyId?: string
}

export interface TrackManyResult {
  accepted: number
  duplicates: number
  /** Events refused, each with its index in the batch and the reason (unknown customer or metric, a period already invoiced...). */
  rejected: { index: number; id?: string; field: string; message: string }[]
}

export interface ApiKeyOwner {
  appId: string
  customUid: string
  apiKeyId: string
}

/** A change that invalidates a cached key at once (the guard listens on the same engine). */
export interface ApiKeyChange {
  apiKeyId: string
  kind: 'rolled' | 'revoked'
}

/**
 * What `createApiKeyGuard` needs from a billing backend: the SQLite engine and
 * `stripeBilling` with `apiKeys` both provide it.
 */
export interface MeteringBackend {
  verifyApiKey(apiKeySecret: string, options?: { markUsed?: boolean }): Promise<ApiKeyOwner | null>
  check(scope: CustomerScope, metricOrFlag: string, options?: { amount?: number }): Promise<CheckResult>
  trackMany(appId: string, events: TrackEvent[]): Promise<TrackManyResult>
  /** Calls `listener` on every roll or revoke made through this object; returns the unsubscribe. */
  onApiKeyChange?(listener: (change: ApiKeyChange) => void): () => void
}
