/**
 * The Portal API, typed: one function per route of `src/server/routes.ts`, the only place
 * in the browser code that knows a path. Bodies and answers are `./types.ts`'s wire types,
 * which `src/server/schemas/wire-types.ts` proves equal to the handler's schemas.
 *
 * Each route declares what a failure that retrying can help (network, 5xx, 429) may do:
 * - `read`: a GET, retried with backoff.
 * - `safe`: a POST that changes nothing (the preview), retried as a read.
 * - `mutation`: sent with an `Idempotency-Key` (the caller's, else a fresh one per call),
 *   so a retry is applied once; pass the same key again to make a user's repeat a replay.
 */
import { newIdempotencyKey, type ApiClient, type RequestOptions } from './client.js'
import type {
  ApiKey,
  ApiKeyBody,
  AttachPaymentMethodBody,
  BillingDetails,
  BillingDetailsUpdate,
  CancelBody,
  ChangeSubscriptionBody,
  CheckoutResponse,
  Deleted,
  Invoice,
  List,
  PageQuery,
  PaymentMethod,
  PaymentSetup,
  PlansResponse,
  PriceBody,
  PublicPlansResponse,
  ReplayedApiKey,
  RevealedApiKey,
  Session,
  Subscription,
  SubscriptionPreview,
  UsageAlert,
  UsageAlertBody,
  UsageLimit,
  UsageLimitBody,
  UsageQuery,
  UsageReport,
} from './types.js'

export type { RequestOptions }

export interface MutationOptions extends RequestOptions {
  /** The request's `Idempotency-Key`; default a fresh one per call. */
  idempotencyKey?: string
}

/** A new key's secret (shown once), or, for a replayed request, the key without it. */
export type ApiKeyAnswer = RevealedApiKey | ReplayedApiKey

export interface PortalApi {
  /** `GET /session`: customer, subscription, plan, usage and upcoming invoice. */
  session(options?: RequestOptions): Promise<Session>
  /** `GET /plans`: what the customer may switch to, and their current price. */
  plans(options?: RequestOptions): Promise<PlansResponse>
  /** `GET /invoices`: newest first, by cursor. */
  invoices(page?: PageQuery, options?: RequestOptions): Promise<List<Invoice>>
  /** `GET /invoices/:id`: one invoice with its `lines`. */
  invoice(id: string, options?: RequestOptions): Promise<Invoice>
  /** `POST /invoices/:id/pay`: pays an open invoice with the default payment method. */
  payInvoice(id: string, options?: MutationOptions): Promise<Invoice>
  /** `GET /customer`: name, email, address and tax IDs. */
  billingDetails(options?: RequestOptions): Promise<BillingDetails>
  /** `POST /customer`: the fields given replace the stored ones. */
  updateBillingDetails(body: BillingDetailsUpdate, options?: MutationOptions): Promise<BillingDetails>
  /** `GET /payment-methods` */
  paymentMethods(options?: RequestOptions): Promise<List<PaymentMethod>>
  /** `POST /payment-methods/setup`: Stripe's client secret, or the sandbox's test cards. */
  setupPaymentMethod(options?: MutationOptions): Promise<PaymentSetup>
  /** `POST /payment-methods` */
  attachPaymentMethod(body: AttachPaymentMethodBody, options?: MutationOptions): Promise<PaymentMethod>
  /** `POST /payment-methods/:id/default` */
  setDefaultPaymentMethod(id: string, options?: MutationOptions): Promise<PaymentMethod>
  /** `DELETE /payment-methods/:id` */
  removePaymentMethod(id: string, options?: MutationOptions): Promise<Deleted>
  /** `POST /subscription/preview`: changes nothing, so retried like a read. */
  previewSubscription(body: PriceBody, options?: RequestOptions): Promise<SubscriptionPreview>
  /** `POST /subscription`: change plan, or start a subscription. */
  changeSubscription(body: ChangeSubscriptionBody, options?: MutationOptions): Promise<Subscription>
  /** `DELETE /subscription/scheduled-change`: undo a scheduled downgrade. */
  undoScheduledChange(options?: MutationOptions): Promise<Subscription>
  /** `POST /subscription/cancel` */
  cancelSubscription(body: CancelBody, options?: MutationOptions): Promise<Subscription>
  /** `POST /subscription/resume`: undo a scheduled cancellation. */
  resumeSubscription(options?: MutationOptions): Promise<Subscription>
  /** `GET /api-keys`: masked. A backend without keys answers `not_found`. */
  apiKeys(options?: RequestOptions): Promise<List<ApiKey>>
  /** `POST /api-keys` */
  createApiKey(body: ApiKeyBody, options?: MutationOptions): Promise<ApiKeyAnswer>
  /** `POST /api-keys/:id/roll` */
  rollApiKey(id: string, options?: MutationOptions): Promise<ApiKeyAnswer>
  /** `DELETE /api-keys/:id` */
  revokeApiKey(id: string, options?: MutationOptions): Promise<Deleted>
  /** `GET /usage`: a metric's usage per UTC day or hour, its total, limit and linear forecast. */
  usage(query: UsageQuery, options?: RequestOptions): Promise<UsageReport>
  /** `POST /usage-limits`: the overage cap of a metric (`max_overage_amount: null` stops at the quota). */
  setUsageLimit(body: UsageLimitBody, options?: MutationOptions): Promise<UsageLimit>
  /** `GET /usage-alerts` */
  usageAlerts(options?: RequestOptions): Promise<List<UsageAlert>>
  /** `POST /usage-alerts`: alert once per period at a percentage of the quota or the cap. */
  createUsageAlert(body: UsageAlertBody, options?: MutationOptions): Promise<UsageAlert>
  /** `DELETE /usage-alerts/:id` */
  deleteUsageAlert(id: string, options?: MutationOptions): Promise<Deleted>
  /** `GET /public/:publicKey/plans`: the pricing page, no token needed. */
  publicPlans(publicKey: string, options?: RequestOptions): Promise<PublicPlansResponse>
  /** `POST /public/:publicKey/checkout`: where to send a visitor who chose a price. */
  checkout(publicKey: string, body: PriceBody, options?: MutationOptions): Promise<CheckoutResponse>
}

/** `path?a=1&b=2` with the parameters that are set, or `path` alone. */
function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, String(value))
  const search = String(query)
  return search ? `${path}?${search}` : path
}

/** `id` as one path segment: a server id is data, never more path. */
const seg = (id: string) => encodeURIComponent(id)

export function createPortalApi(transport: ApiClient): PortalApi {
  const read = <T>(path: string, options?: RequestOptions) => transport.request<T>('GET', path, undefined, { signal: options?.signal })
  const safe = <T>(path: string, body: unknown, options?: RequestOptions) => transport.request<T>('POST', path, body, { signal: options?.signal, safe: true })
  const mutate = <T>(method: 'POST' | 'DELETE', path: string, body: unknown, options?: MutationOptions) =>
    transport.request<T>(method, path, body, { signal: options?.signal, idempotencyKey: options?.idempotencyKey ?? newIdempotencyKey() })

  return {
    session: (o) => read('/session', o),
    plans: (o) => read('/plans', o),
    invoices: (page = {}, o) => read(withQuery('/invoices', { limit: page.limit, starting_after: page.starting_after }), o),
    invoice: (id, o) => read(`/invoices/${seg(id)}`, o),
    payInvoice: (id, o) => mutate('POST', `/invoices/${seg(id)}/pay`, undefined, o),
    billingDetails: (o) => read('/customer', o),
    updateBillingDetails: (body, o) => mutate('POST', '/customer', body, o),
    paymentMethods: (o) => read('/payment-methods', o),
    setupPaymentMethod: (o) => mutate('POST', '/payment-methods/setup', undefined, o),
    attachPaymentMethod: (body, o) => mutate('POST', '/payment-methods', body, o),
    setDefaultPaymentMethod: (id, o) => mutate('POST', `/payment-methods/${seg(id)}/default`, undefined, o),
    removePaymentMethod: (id, o) => mutate('DELETE', `/payment-methods/${seg(id)}`, undefined, o),
    previewSubscription: (body, o) => safe('/subscription/preview', body, o),
    changeSubscription: (body, o) => mutate('POST', '/subscription', body, o),
    undoScheduledChange: (o) => mutate('DELETE', '/subscription/scheduled-change', undefined, o),
    cancelSubscription: (body, o) => mutate('POST', '/subscription/cancel', body, o),
    resumeSubscription: (o) => mutate('POST', '/subscription/resume', undefined, o),
    apiKeys: (o) => read('/api-keys', o),
    createApiKey: (body, o) => mutate('POST', '/api-keys', body, o),
    rollApiKey: (id, o) => mutate('POST', `/api-keys/${seg(id)}/roll`, undefined, o),
    revokeApiKey: (id, o) => mutate('DELETE', `/api-keys/${seg(id)}`, undefined, o),
    usage: (query, o) => read(withQuery('/usage', { metric: query.metric, period: query.period, granularity: query.granularity }), o),
    setUsageLimit: (body, o) => mutate('POST', '/usage-limits', body, o),
    usageAlerts: (o) => read('/usage-alerts', o),
    createUsageAlert: (body, o) => mutate('POST', '/usage-alerts', body, o),
    deleteUsageAlert: (id, o) => mutate('DELETE', `/usage-alerts/${seg(id)}`, undefined, o),
    publicPlans: (publicKey, o) => read(`/public/${seg(publicKey)}/plans`, o),
    checkout: (publicKey, body, o) => mutate('POST', `/public/${seg(publicKey)}/checkout`, body, o),
  }
}
