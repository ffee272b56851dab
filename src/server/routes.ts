/**
 * The Portal API's routes (DESIGN.md "Portal API"), each mapped to one `BillingBackend`
 * method. The handler does auth, validation, idempotency and errors; a route only calls.
 * Bodies, queries and responses are the schemas of `./schemas/portal.ts`.
 */
import type * as z from 'zod'
import type { PlansResponse, PortalFeatures, SubscriptionPreview } from '../api/types.js'
import type { BillingBackend, CustomerScope, MutationOptions } from './billing/types.js'
import { BillingError } from './billing/types.js'
import { changeRefusal, forbidden, type FeatureGate } from './features.js'
import type { RouteShape } from './routing.js'
import * as s from './schemas/portal.js'
import { openApiDocument, type OpenApiDocument } from './schemas/openapi.js'

export type { Method } from './routing.js'

export interface RouteContext<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType> {
  billing: BillingBackend
  /** The token's customer; absent on public routes. */
  scope: CustomerScope
  /** Decoded, validated `:param` segments. */
  params: Record<string, string>
  body: z.output<B>
  query: z.output<Q>
  mutation: MutationOptions
  /** Where the handler is mounted. */
  basePath: string
  /** What the seller turned on (`createPortalHandler({ features })`), resolved. */
  features: PortalFeatures
}

export interface Route<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType> extends RouteShape {
  /** The seller control the route belongs to: off, the handler answers 403 before the body is read. */
  gate?: FeatureGate
  body?: B
  query?: Q
  run(ctx: RouteContext<B, Q>): Promise<unknown>
}

/** Keeps each route's body and query types tied to its own schemas. */
function route<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType>(definition: Route<B, Q>): Route {
  return definition as unknown as Route
}

const notFound = (what: string) => new BillingError('not_found', `No such ${what}`)

const invoices: FeatureGate = { feature: 'invoices' }
const paymentMethods: FeatureGate = { feature: 'paymentMethods' }
const changePlan: FeatureGate = { feature: 'changePlan' }
const apiKeysRead: FeatureGate = { feature: 'apiKeys' }
const apiKeysWrite: FeatureGate = { feature: 'apiKeys', needs: 'full', what: 'Creating, rolling and revoking API keys' }

/** Throws the seller's refusal of a change (`changeRefusal`), if any. */
function checkChange(features: PortalFeatures, priceId: string, effective?: 'now' | 'period_end'): void {
  const refusal = changeRefusal(features, priceId, effective)
  if (refusal) throw refusal
}

/** The preview of a change the seller allows (`changeRefusal`, on the preview's own `effective`). */
async function allowedPreview(c: RouteContext, priceId: string): Promise<SubscriptionPreview> {
  checkChange(c.features, priceId)
  const preview = await c.billing.previewSubscriptionChange(c.scope, priceId)
  checkChange(c.features, priceId, preview.effective)
  return preview
}

/**
 * The customer's plans as the seller offers them: only the prices in `features.plans` (a
 * plan left with none goes), each marked `change_allowed` by `changeRefusal` on the
 * backend's `change_effective`: the same answer a preview of it would get.
 */
function offeredPlans(plans: PlansResponse, features: PortalFeatures): PlansResponse {
  const listed = (price: { id: string }) => features.plans === null || features.plans.includes(price.id)
  const data = plans.data
    .map((plan) => ({
      ...plan,
      prices: plan.prices.filter(listed).map((price) => ({ ...price, change_allowed: price.id !== plans.current_price_id && changeRefusal(features, price.id, price.change_effective) === null })),
    }))
    .filter((plan) => plan.prices.length > 0)
  return { ...plans, data }
}

/** A usage method of the backend, or `not_found` on a backend without it (Stripe keeps no caps or alerts). */
function usageMethod<K extends 'getUsage' | 'setUsageLimit' | 'listUsageAlerts' | 'createUsageAlert' | 'deleteUsageAlert'>(billing: BillingBackend, name: K): NonNullable<BillingBackend[K]> {
  const method = billing[name]
  if (typeof method !== 'function') throw notFound(`resource: this billing backend has no ${name}`)
  return method.bind(billing) as NonNullable<BillingBackend[K]>
}

export const routes: Route[] = [
  route({ method: 'GET', path: ['session'], summary: 'The dashboard in one round trip', auth: true, mutation: false, response: s.Session, run: async (c) => ({ ...(await c.billing.getSession(c.scope)), features: c.features }) }),

  route({ method: 'GET', path: ['invoices'], summary: 'Invoices, newest first', gate: invoices, auth: true, mutation: false, query: s.PageQuery, response: s.InvoiceList, run: (c) => c.billing.listInvoices(c.scope, c.query) }),
  route({ method: 'GET', path: ['invoices', ':id'], summary: 'One invoice with its lines', gate: invoices, auth: true, mutation: false, response: s.Invoice, run: (c) => c.billing.getInvoice(c.scope, c.params.id) }),
  route({
    method: 'POST',
    path: ['invoices', ':id', 'pay'],
    summary: 'Pay an open invoice with the default payment method (409 when it is not open)',
    gate: invoices,
    auth: true,
    mutation: true,
    body: s.EmptyBody,
    response: s.Invoice,
    run: (c) => c.billing.payInvoice(c.scope, c.params.id, c.mutation),
  }),

  route({ method: 'GET', path: ['customer'], summary: 'Billing details: name, email, address, tax IDs', gate: { feature: 'billingDetails' }, auth: true, mutation: false, response: s.BillingDetails, run: (c) => c.billing.getBillingDetails(c.scope) }),
  route({
    method: 'POST',
    path: ['customer'],
    summary: 'Change billing details; invoices already issued keep theirs',
    gate: { feature: 'billingDetails' },
    auth: true,
    mutation: true,
    body: s.BillingDetailsBody,
    response: s.BillingDetails,
    run: (c) => c.billing.updateBillingDetails(c.scope, c.body, c.mutation),
  }),

  route({ method: 'GET', path: ['payment-methods'], summary: 'Cards, and which is the default', gate: paymentMethods, auth: true, mutation: false, response: s.PaymentMethodList, run: (c) => c.billing.listPaymentMethods(c.scope) }),
  route({
    method: 'POST',
    path: ['payment-methods'],
    summary: 'Attach a payment method confirmed in the browser (or a sandbox test card)',
    gate: paymentMethods,
    auth: true,
    mutation: true,
    body: s.AttachPaymentMethodBody,
    response: s.PaymentMethod,
    run: (c) =>
      c.billing.attachPaymentMethod(c.scope, c.body.payment_method, { ...c.mutation, makeDefault: c.body.make_default }),
  }),
  route({ method: 'POST', path: ['payment-methods', 'setup'], summary: 'Begin adding a payment method', gate: paymentMethods, auth: true, mutation: true, body: s.EmptyBody, response: s.PaymentSetup, run: (c) => c.billing.setupPaymentMethod(c.scope, c.mutation) }),
  route({
    method: 'POST',
    path: ['payment-methods', ':id', 'default'],
    summary: 'Make a payment method the default',
    gate: paymentMethods,
    auth: true,
    mutation: true,
    body: s.EmptyBody,
    response: s.PaymentMethod,
    run: (c) => c.billing.setDefaultPaymentMethod(c.scope, c.params.id, c.mutation),
  }),
  route({
    method: 'DELETE',
    path: ['payment-methods', ':id'],
    summary: 'Remove a payment method',
    gate: paymentMethods,
    auth: true,
    mutation: true,
    body: s.EmptyBody,
    response: s.Deleted,
    run: async (c) => {
      await c.billing.removePaymentMethod(c.scope, c.params.id, c.mutation)
      return { id: c.params.id, deleted: true }
    },
  }),

  route({ method: 'GET', path: ['plans'], summary: 'Plans the customer may switch to', gate: changePlan, auth: true, mutation: false, response: s.PlansResponse, run: async (c) => offeredPlans(await c.billing.listPlans(c.scope), c.features) }),
  route({
    method: 'POST',
    path: ['subscription', 'preview'],
    summary: 'What a plan change would cost now and at renewal, line by line',
    gate: changePlan,
    auth: true,
    // A preview changes nothing; a repeated one should see the current state.
    mutation: false,
    body: s.PriceBody,
    response: s.SubscriptionPreview,
    run: (c) => allowedPreview(c, c.body.price_id),
  }),
  route({
    method: 'POST',
    path: ['subscription'],
    summary: 'Change plan (or start a subscription)',
    gate: changePlan,
    auth: true,
    mutation: true,
    body: s.ChangeSubscriptionBody,
    response: s.Subscription,
    run: async (c) => {
      // Only a restricted portal pays for the extra preview.
      if (c.features.changePlan === 'upgrades_only') await allowedPreview(c, c.body.price_id)
      else checkChange(c.features, c.body.price_id)
      return c.billing.changeSubscription(c.scope, c.body.price_id, { ...c.mutation, prorationDate: c.body.proration_date })
    },
  }),
  route({
    method: 'DELETE',
    path: ['subscription', 'scheduled-change'],
    summary: 'Undo a scheduled downgrade',
    gate: changePlan,
    auth: true,
    mutation: true,
    body: s.EmptyBody,
    response: s.Subscription,
    run: (c) => c.billing.cancelScheduledChange(c.scope, c.mutation),
  }),
  route({
    method: 'POST',
    path: ['subscription', 'cancel'],
    summary: 'Cancel now or at the period end',
    gate: { feature: 'cancel' },
    auth: true,
    mutation: true,
    body: s.CancelBody,
    response: s.Subscription,
    // Left out, cancel at the period end: the customer keeps what they paid for.
    run: (c) => {
      const atPeriodEnd = c.body.at_period_end ?? true
      if (!atPeriodEnd && c.features.cancel === 'at_period_end') throw forbidden('cancel', 'Cancelling at once (rather than at the period end)', 'true')
      return c.billing.cancelSubscription(c.scope, atPeriodEnd, c.mutation)
    },
  }),
  route({ method: 'POST', path: ['subscription', 'resume'], summary: 'Undo a scheduled cancellation', auth: true, mutation: true, body: s.EmptyBody, response: s.Subscription, run: (c) => c.billing.resumeSubscription(c.scope, c.mutation) }),

  route({
    method: 'GET',
    path: ['api-keys'],
    summary: "The customer's API keys, masked",
    gate: apiKeysRead,
    auth: true,
    mutation: false,
    response: s.ApiKeyList,
    run: async (c) => {
      const keys = await c.billing.listApiKeys(c.scope)
      if (keys === null) throw notFound('resource: this backend keeps no API keys')
      return keys
    },
  }),
  route({
    method: 'POST',
    path: ['api-keys'],
    summary: 'Create an API key; its secret is shown once',
    gate: apiKeysWrite,
    auth: true,
    mutation: true,
    reveals: 'secret',
    body: s.ApiKeyBody,
    response: s.RevealedApiKeyAnswer,
    run: (c) => c.billing.createApiKey(c.scope, c.body.name, c.mutation),
  }),
  route({
    method: 'DELETE',
    path: ['api-keys', ':id'],
    summary: 'Revoke an API key: it stops verifying at once',
    gate: apiKeysWrite,
    auth: true,
    mutation: true,
    body: s.EmptyBody,
    response: s.Deleted,
    run: async (c) => {
      await c.billing.revokeApiKey(c.scope, c.params.id, c.mutation)
      return { id: c.params.id, deleted: true }
    },
  }),
  route({ method: 'POST', path: ['api-keys', ':id', 'roll'], summary: 'Replace a key; the new secret is shown once', gate: apiKeysWrite, auth: true, mutation: true, reveals: 'secret', body: s.EmptyBody, response: s.RevealedApiKeyAnswer, run: (c) => c.billing.rollApiKey(c.scope, c.params.id, c.mutation) }),

  route({
    method: 'GET',
    path: ['usage'],
    summary: 'Usage of a metric per UTC day or hour, its total, limit and a linear forecast',
    auth: true,
    mutation: false,
    query: s.UsageQuery,
    response: s.UsageReport,
    run: (c) => usageMethod(c.billing, 'getUsage')(c.scope, c.query),
  }),
  route({
    method: 'POST',
    path: ['usage-limits'],
    summary: 'Set the overage cap on a metric of an overage plan (null: stop at the quota)',
    auth: true,
    mutation: true,
    body: s.UsageLimitBody,
    response: s.UsageLimit,
    run: (c) => usageMethod(c.billing, 'setUsageLimit')(c.scope, c.body.metric, c.body.max_overage_amount, c.mutation),
  }),
  route({ method: 'GET', path: ['usage-alerts'], summary: "The customer's usage alerts", auth: true, mutation: false, response: s.UsageAlertList, run: (c) => usageMethod(c.billing, 'listUsageAlerts')(c.scope) }),
  route({
    method: 'POST',
    path: ['usage-alerts'],
    summary: 'Alert at a percentage of the quota or the cap, once per period (the seller is called)',
    auth: true,
    mutation: true,
    body: s.UsageAlertBody,
    response: s.UsageAlert,
    run: (c) => usageMethod(c.billing, 'createUsageAlert')(c.scope, c.body, c.mutation),
  }),
  route({
    method: 'DELETE',
    path: ['usage-alerts', ':id'],
    summary: 'Remove a usage alert',
    auth: true,
    mutation: true,
    body: s.EmptyBody,
    response: s.Deleted,
    run: async (c) => {
      await usageMethod(c.billing, 'deleteUsageAlert')(c.scope, c.params.id, c.mutation)
      return { id: c.params.id, deleted: true }
    },
  }),

  route({ method: 'GET', path: ['public', ':publicKey', 'plans'], summary: 'The pricing page: public plans (no token)', auth: false, mutation: false, response: s.PublicPlansResponse, run: (c) => c.billing.listPublicPlans(c.params.publicKey) }),
  route({
    method: 'POST',
    path: ['public', ':publicKey', 'checkout'],
    summary: 'Start a checkout for a public price (no token)',
    auth: false,
    mutation: true,
    body: s.PriceBody,
    response: s.CheckoutResponse,
    run: (c) => c.billing.createCheckout(c.params.publicKey, c.body.price_id, c.mutation),
  }),

  route({ method: 'GET', path: ['openapi.json'], summary: 'This API as OpenAPI 3.1 (no token)', auth: false, mutation: false, response: s.OpenApiDocument, run: async (c) => portalOpenApiDocument(c.basePath) }),
]

const documents = new Map<string, OpenApiDocument>()

/** The Portal API as OpenAPI 3.1, for a handler mounted at `basePath`. */
export function portalOpenApiDocument(basePath = '/api/portal'): OpenApiDocument {
  let document = documents.get(basePath)
  if (!document) {
    document = openApiDocument(
      {
        title: 'Archetype Portals: Portal API',
        version: '1',
        description: "What the customer and pricing portals call from the browser. Authenticated by the short-lived portal token your server mints (`ArchetypeApi(appId, secret).Token.getCustomerPortalsToken(customUid)`); a token reaches only its own customer's rows.",
        basePath,
        bearer: { format: 'JWT', description: 'A portal token: HS256, signed with the app secret, 60 minutes.' },
      },
      routes,
    )
    documents.set(basePath, document)
  }
  return document
}
