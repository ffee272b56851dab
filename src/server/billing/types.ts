import type {
  ApiKey,
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
  SubscriptionPreview,
} from '../../api/types.js'

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

  /** Public plans of the app that owns `publicKey`; unknown key is `not_found`. */
  listPublicPlans(publicKey: string): Promise<PublicPlansResponse>
  createCheckout(publicKey: string, priceId: string, options?: MutationOptions): Promise<CheckoutResponse>

  /** Releases connections and file handles. */
  close?(): Promise<void> | void
}

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  invalid_request: 400,
  unauthorized: 401,
  session_expired: 401,
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
