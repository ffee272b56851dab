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

/**
 * Each function's route: `METHOD /path`, where `:` is the function's first argument (an id,
 * as one encoded path segment: a server id is data, never more path) and `?a&b` its query
 * object's parameters; `body` takes the next argument as the JSON body; `safe` marks a POST
 * that changes nothing (retried like a read). The last argument is always the options.
 */
const routes: Record<keyof PortalApi, string> = {
  session: 'GET /session',
  plans: 'GET /plans',
  invoices: 'GET /invoices?limit&starting_after',
  invoice: 'GET /invoices/:',
  payInvoice: 'POST /invoices/:/pay',
  billingDetails: 'GET /customer',
  updateBillingDetails: 'POST /customer body',
  paymentMethods: 'GET /payment-methods',
  setupPaymentMethod: 'POST /payment-methods/setup',
  attachPaymentMethod: 'POST /payment-methods body',
  setDefaultPaymentMethod: 'POST /payment-methods/:/default',
  removePaymentMethod: 'DELETE /payment-methods/:',
  previewSubscription: 'POST /subscription/preview body safe',
  changeSubscription: 'POST /subscription body',
  undoScheduledChange: 'DELETE /subscription/scheduled-change',
  cancelSubscription: 'POST /subscription/cancel body',
  resumeSubscription: 'POST /subscription/resume',
  apiKeys: 'GET /api-keys',
  createApiKey: 'POST /api-keys body',
  rollApiKey: 'POST /api-keys/:/roll',
  revokeApiKey: 'DELETE /api-keys/:',
  usage: 'GET /usage?metric&period&granularity',
  setUsageLimit: 'POST /usage-limits body',
  usageAlerts: 'GET /usage-alerts',
  createUsageAlert: 'POST /usage-alerts body',
  deleteUsageAlert: 'DELETE /usage-alerts/:',
  publicPlans: 'GET /public/:/plans',
  checkout: 'POST /public/:/checkout body',
}

export function createPortalApi(transport: ApiClient): PortalApi {
  const api: Record<string, (...args: never[]) => unknown> = {}
  for (const [name, route] of Object.entries(routes)) {
    const [method, template, ...flags] = route.split(' ') as ['GET' | 'POST' | 'DELETE', string, ...string[]]
    const [pathname, names] = template.split('?')
    api[name] = (...args: unknown[]) => {
      let path = pathname.replace(':', () => encodeURIComponent(args.shift() as string))
      if (names !== undefined) {
        // `path?a=1&b=2` with the parameters that are set, or `path` alone.
        const params = (args.shift() ?? {}) as Record<string, string | number | undefined>
        const query = new URLSearchParams()
        for (const param of names.split('&')) if (params[param] !== undefined) query.set(param, params[param] as string)
        if (String(query)) path += `?${query}`
      }
      const body = flags.includes('body') ? args.shift() : undefined
      const { signal, idempotencyKey } = (args.shift() ?? {}) as MutationOptions
      // A read may be retried as it is; a mutation without the caller's key gets a fresh one, so its retries are applied once.
      const safe = method === 'GET' || flags.includes('safe')
      return transport.request(method, path, body, { signal, safe, idempotencyKey: safe ? undefined : (idempotencyKey ?? newIdempotencyKey()) })
    }
  }
  return api as unknown as PortalApi
}
