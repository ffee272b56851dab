/**
 * The Seller API's routes (issue 19): what a seller's backend in any language calls over
 * HTTP instead of the engine's JavaScript methods. Each route is one or two engine calls;
 * `./seller.ts` does the secret, validation, idempotency and errors.
 */
import type * as z from 'zod'
import type { ApiKey, Customer, List, PaymentMethod, RevealedApiKey, Session, Subscription } from '../api/types.js'
import type { CatalogueDiff, CatalogueInput, SellerPlan } from './billing/engine/catalogue.js'
import type { CustomerInput } from './billing/engine/validate.js'
import {
  BillingError,
  type ApiKeyOwner,
  type CheckResult,
  type CustomerScope,
  type Entitlements,
  type MutationOptions,
  type PageParams,
  type SharedStores,
  type TrackEvent,
  type TrackManyResult,
} from './billing/types.js'
import type { RouteShape } from './routing.js'
import { toBillingError } from './schemas/fields.js'
import { openApiDocument, type OpenApiDocument } from './schemas/openapi.js'
import * as portal from './schemas/portal.js'
import * as s from './schemas/seller.js'
import type { PortalTokenResult } from './token.js'

/** Exactly the engine methods the Seller API calls: the SQLite engine provides them all. */
export interface SellerBilling {
  getSession(scope: CustomerScope): Promise<Session>
  listCustomers(appId: string, page: PageParams): Promise<List<Customer>>
  upsertCustomer(appId: string, customer: CustomerInput): Promise<Customer>
  getCustomer(appId: string, customUid: string): Promise<Customer | null>
  subscribe(scope: CustomerScope, priceId: string): Promise<Subscription>
  attachPaymentMethod(scope: CustomerScope, paymentMethod: string, options?: MutationOptions & { makeDefault?: boolean }): Promise<PaymentMethod>
  applyCatalogue(catalogue: CatalogueInput, options: { dryRun: boolean }): Promise<CatalogueDiff>
  listAppPlans(appId: string): Promise<SellerPlan[]>
  check(scope: CustomerScope, metricOrFlag: string, options?: { amount?: number }): Promise<CheckResult>
  trackMany(appId: string, events: TrackEvent[]): Promise<TrackManyResult>
  entitlements(scope: CustomerScope): Promise<Entitlements>
  createApiKey(scope: CustomerScope, name: string): Promise<RevealedApiKey>
  revokeApiKey(scope: CustomerScope, apiKeyId: string): Promise<ApiKey>
  verifyApiKey(apiKeySecret: string): Promise<ApiKeyOwner | null>
  /** Idempotency-Keys every instance sees (PostgreSQL); without it, in memory. */
  sharedStores?(options?: { now?: () => number }): SharedStores
}

/** The methods `createSellerHandler` checks `billing` for, so a wrong object fails at start-up, not on a request. */
export const SELLER_BILLING_METHODS = [
  'getSession',
  'listCustomers',
  'upsertCustomer',
  'getCustomer',
  'subscribe',
  'attachPaymentMethod',
  'applyCatalogue',
  'listAppPlans',
  'check',
  'trackMany',
  'entitlements',
  'createApiKey',
  'revokeApiKey',
  'verifyApiKey',
] as const satisfies readonly (keyof SellerBilling)[]

export interface SellerContext<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType> {
  billing: SellerBilling
  appId: string
  /** The `:uid` customer of this app; an empty uid on routes without one. */
  scope: CustomerScope
  params: Record<string, string>
  body: z.output<B>
  query: z.output<Q>
  mutation: MutationOptions
  basePath: string
  /** A portal token for one of this app's customers, as `ArchetypeApi(appId, secret)` mints it. */
  mintToken(customUid: string): Promise<PortalTokenResult>
}

export interface SellerRoute<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType> extends RouteShape {
  body?: B
  query?: Q
  run(ctx: SellerContext<B, Q>): Promise<unknown>
}

function route<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType>(definition: SellerRoute<B, Q>): SellerRoute {
  return definition as unknown as SellerRoute
}

const customer = ['v1', 'customers', ':uid']
const uid = { uid: s.CustomerUid }

async function customerDetail(c: SellerContext): Promise<z.output<typeof s.CustomerDetail>> {
  const found = await c.billing.getCustomer(c.appId, c.scope.customUid)
  if (!found) throw new BillingError('not_found', `No such customer "${c.scope.customUid}"`)
  const [session, entitlements] = await Promise.all([c.billing.getSession(c.scope), c.billing.entitlements(c.scope)])
  return { ...found, subscription: session.subscription, entitlements }
}

/** Malformed events are refused one by one (by index); the rest go to the engine, whose own refusals keep their batch index. */
async function trackBatch(c: SellerContext<typeof s.UsageBatch>): Promise<TrackManyResult> {
  const rejected: TrackManyResult['rejected'] = []
  const events: TrackEvent[] = []
  const indexes: number[] = []
  c.body.events.forEach((item, index) => {
    if ('error' in item) {
      const refusal = toBillingError(item.error, (field, predicate) => `${field} ${predicate}`)
      if (refusal.field === undefined) rejected.push({ index, field: 'event', message: 'event must be an object: { customer, metric, amount, id?, at? }' })
      else rejected.push({ index, field: refusal.field, message: refusal.message })
      return
    }
    const { customer: customUid, ...rest } = item.event
    events.push({ customUid, ...rest })
    indexes.push(index)
  })
  const result = events.length > 0 ? await c.billing.trackMany(c.appId, events) : { accepted: 0, duplicates: 0, rejected: [] }
  // The engine names the event's fields as its JavaScript callers do; the wire calls `customUid` `customer`.
  const engineRejected = result.rejected.map((r) => ({ ...r, index: indexes[r.index], field: r.field === 'customUid' ? 'customer' : r.field }))
  return { accepted: result.accepted, duplicates: result.duplicates, rejected: [...rejected, ...engineRejected].sort((a, b) => a.index - b.index) }
}

/** Verify a key of this app, then (with `metric`) check and, when allowed, track: one round trip for an API server. */
async function verifyKey(c: SellerContext<typeof s.KeyVerifyBody>): Promise<z.output<typeof s.KeyVerdict>> {
  const owner = await c.billing.verifyApiKey(c.body.key)
  // Another app's key is no key of this app's.
  if (!owner || owner.appId !== c.appId) return { valid: false, customer: null, api_key_id: null, check: null, tracked: false }
  const verdict = { valid: true, customer: { id: owner.customUid }, api_key_id: owner.apiKeyId, check: null, tracked: false }
  const { metric, amount = 1, id } = c.body
  if (metric === undefined) return verdict
  const check = await c.billing.check({ appId: c.appId, customUid: owner.customUid }, metric, { amount })
  if (!check.allowed) return { ...verdict, check }
  // A flag is no metric: the engine refuses to count it, and the answer says not tracked.
  // `apiKeyId`: the key's `last_used` moves with the call it made.
  const counted = await c.billing.trackMany(c.appId, [{ customUid: owner.customUid, metric, amount, apiKeyId: owner.apiKeyId, ...(id === undefined ? {} : { id }) }])
  return { ...verdict, check, tracked: counted.accepted + counted.duplicates === 1 }
}

export const sellerRoutes: SellerRoute[] = [
  route({
    method: 'POST',
    path: ['v1', 'portal-tokens'],
    summary: 'Mint a portal token for a customer (the same token as `ArchetypeApi(appId, secret)`)',
    auth: true,
    mutation: false,
    body: s.PortalTokenBody,
    response: s.PortalToken,
    run: async (c) => {
      // A token for nobody fails only when the browser uses it: say so here instead.
      if (!(await c.billing.getCustomer(c.appId, c.body.customer))) {
        throw new BillingError('not_found', `No customer "${c.body.customer}" in this app: PUT /v1/customers/{uid} first`, { field: 'customer' })
      }
      return c.mintToken(c.body.customer)
    },
  }),
  route({
    method: 'GET',
    path: ['v1', 'customers'],
    summary: "The app's customers, oldest first, by cursor",
    auth: true,
    mutation: false,
    query: s.CustomerPageQuery,
    response: s.CustomerList,
    run: (c) => c.billing.listCustomers(c.appId, c.query),
  }),
  route({
    method: 'PUT',
    path: customer,
    params: uid,
    summary: 'Create or update a customer by your own id',
    auth: true,
    mutation: true,
    body: s.CustomerBody,
    response: portal.Customer,
    run: (c) => c.billing.upsertCustomer(c.appId, { customUid: c.scope.customUid, ...c.body }),
  }),
  route({
    method: 'GET',
    path: customer,
    params: uid,
    summary: 'A customer with their subscription and entitlements',
    auth: true,
    mutation: false,
    response: s.CustomerDetail,
    run: customerDetail,
  }),
  route({
    method: 'POST',
    path: [...customer, 'subscription'],
    params: uid,
    summary: 'Put a customer on a price (hidden plans too); starts a trial where the plan has one',
    auth: true,
    mutation: true,
    body: s.SubscribeBody,
    response: portal.Subscription,
    run: (c) => c.billing.subscribe(c.scope, c.body.price_id),
  }),
  route({
    method: 'POST',
    path: [...customer, 'payment-methods'],
    params: uid,
    summary: 'Attach a payment method: a sandbox test card (`pm_card_visa`) or a Stripe PaymentMethod id',
    auth: true,
    mutation: true,
    body: portal.AttachPaymentMethodBody,
    response: portal.PaymentMethod,
    run: (c) => c.billing.attachPaymentMethod(c.scope, c.body.payment_method, { ...c.mutation, makeDefault: c.body.make_default }),
  }),
  route({
    method: 'GET',
    path: [...customer, 'entitlements'],
    params: uid,
    summary: "Every metric and flag of the customer's plan: used, limit, remaining",
    auth: true,
    mutation: false,
    response: s.Entitlements,
    run: (c) => c.billing.entitlements(c.scope),
  }),
  route({
    method: 'POST',
    path: [...customer, 'api-keys'],
    params: uid,
    summary: 'Create an API key for a customer; its secret is shown once',
    auth: true,
    mutation: true,
    reveals: 'secret',
    body: portal.ApiKeyBody,
    response: portal.RevealedApiKeyAnswer,
    run: (c) => c.billing.createApiKey(c.scope, c.body.name),
  }),
  route({
    method: 'DELETE',
    path: [...customer, 'api-keys', ':id'],
    params: uid,
    summary: 'Revoke an API key: it stops verifying at once',
    auth: true,
    mutation: true,
    body: portal.EmptyBody,
    response: s.RevokedApiKey,
    run: async (c) => {
      const key = await c.billing.revokeApiKey(c.scope, c.params.id)
      return { id: key.id, deleted: true }
    },
  }),
  route({
    method: 'PUT',
    path: ['v1', 'catalogue'],
    summary: 'Pricing as code: make the plans, prices and metrics what this document declares (`?dry_run=1`: only the diff)',
    auth: true,
    mutation: true,
    query: s.DryRunQuery,
    body: s.Catalogue,
    response: s.CatalogueDiff,
    run: (c) => {
      if (c.body.app.id !== undefined && c.body.app.id !== c.appId) {
        throw new BillingError('invalid_request', `app.id must be this handler's app, "${c.appId}" (or left out)`, { field: 'app.id' })
      }
      return c.billing.applyCatalogue({ ...c.body, app: { ...c.body.app, id: c.appId } }, { dryRun: c.query.dry_run })
    },
  }),
  route({
    method: 'GET',
    path: ['v1', 'plans'],
    summary: "The app's plans, hidden ones too",
    auth: true,
    mutation: false,
    response: s.PlanList,
    run: async (c) => ({ data: await c.billing.listAppPlans(c.appId), has_more: false }),
  }),
  route({
    method: 'POST',
    path: ['v1', 'usage'],
    summary: `Report usage: up to ${s.MAX_USAGE_EVENTS} events, each counted once by its id; refused events are itemised`,
    auth: true,
    mutation: true,
    body: s.UsageBatch,
    response: s.UsageResult,
    run: trackBatch,
  }),
  route({
    method: 'POST',
    path: ['v1', 'keys', 'verify'],
    summary: "Verify a customer's API key; with `metric`, check it and track an allowed call, in one round trip",
    auth: true,
    // Tracking is idempotent by `id`; a verify is asked again on every call.
    mutation: false,
    body: s.KeyVerifyBody,
    response: s.KeyVerdict,
    run: verifyKey,
  }),
  route({
    method: 'GET',
    path: ['openapi.json'],
    summary: 'This API as OpenAPI 3.1 (no secret)',
    auth: false,
    mutation: false,
    response: portal.OpenApiDocument,
    run: async (c) => sellerOpenApiDocument(c.basePath),
  }),
]

const documents = new Map<string, OpenApiDocument>()

/** The Seller API as OpenAPI 3.1, for a handler mounted at `basePath`. */
export function sellerOpenApiDocument(basePath = '/api/seller'): OpenApiDocument {
  let document = documents.get(basePath)
  if (!document) {
    document = openApiDocument(
      {
        title: 'Archetype Portals: Seller API',
        version: '1',
        description:
          'What your backend calls, from any language: portal tokens, customers, the catalogue, usage, API key verification and entitlements. Authenticated by your app secret; mount it on a private route, never in a browser.',
        basePath,
        bearer: { format: 'app secret', description: 'Your app secret (the one that signs portal tokens), compared in constant time.' },
      },
      sellerRoutes,
    )
    documents.set(basePath, document)
  }
  return document
}

