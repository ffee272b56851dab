/**
 * The Portal API's routes (DESIGN.md "Portal API"), each mapped to one `BillingBackend`
 * method. The handler does auth, validation, idempotency and errors; a route only calls.
 */
import type { BillingBackend, CustomerScope, MutationOptions, PageParams } from './billing/types.js'
import { BillingError } from './billing/types.js'
import type { BodyOf, BodySchema } from './validate.js'

export type Method = 'GET' | 'POST' | 'DELETE'

export interface RouteContext<S extends BodySchema = BodySchema> {
  billing: BillingBackend
  /** The token's customer; absent on public routes. */
  scope: CustomerScope
  /** Decoded, validated `:param` segments. */
  params: Record<string, string>
  body: BodyOf<S>
  page: PageParams
  mutation: MutationOptions
}

export interface Route<S extends BodySchema = BodySchema> {
  method: Method
  /** Path segments after the base path; `:name` captures one. */
  path: string[]
  /** False for the pricing portal's public routes: no token. */
  auth: boolean
  /** Honours Idempotency-Key. */
  mutation: boolean
  /**
   * `'secret'`: the success body carries a `secret` shown once. An idempotent replay (and
   * the idempotency store) gets it without the secret, flagged `secret_already_shown`.
   */
  reveals?: 'secret'
  /** Reads `?limit=&starting_after=`. */
  paged?: boolean
  body?: S
  run(ctx: RouteContext<S>): Promise<unknown>
}

/** Keeps each route's body type tied to its own schema. */
function route<S extends BodySchema>(definition: Route<S>): Route {
  return definition as unknown as Route
}

const notFound = (what: string) => new BillingError('not_found', `No such ${what}`)

const priceBody = { price_id: { type: 'string', required: true } } as const satisfies BodySchema

export const routes: Route[] = [
  route({ method: 'GET', path: ['session'], auth: true, mutation: false, run: (c) => c.billing.getSession(c.scope) }),

  route({ method: 'GET', path: ['invoices'], auth: true, mutation: false, paged: true, run: (c) => c.billing.listInvoices(c.scope, c.page) }),
  route({ method: 'GET', path: ['invoices', ':id'], auth: true, mutation: false, run: (c) => c.billing.getInvoice(c.scope, c.params.id) }),

  route({ method: 'GET', path: ['payment-methods'], auth: true, mutation: false, run: (c) => c.billing.listPaymentMethods(c.scope) }),
  route({
    method: 'POST',
    path: ['payment-methods'],
    auth: true,
    mutation: true,
    body: { payment_method: { type: 'string', required: true }, make_default: { type: 'boolean' } },
    run: (c) =>
      c.billing.attachPaymentMethod(c.scope, c.body.payment_method, { ...c.mutation, makeDefault: c.body.make_default }),
  }),
  route({ method: 'POST', path: ['payment-methods', 'setup'], auth: true, mutation: true, body: {}, run: (c) => c.billing.setupPaymentMethod(c.scope, c.mutation) }),
  route({
    method: 'POST',
    path: ['payment-methods', ':id', 'default'],
    auth: true,
    mutation: true,
    body: {},
    run: (c) => c.billing.setDefaultPaymentMethod(c.scope, c.params.id, c.mutation),
  }),
  route({
    method: 'DELETE',
    path: ['payment-methods', ':id'],
    auth: true,
    mutation: true,
    body: {},
    run: async (c) => {
      await c.billing.removePaymentMethod(c.scope, c.params.id, c.mutation)
      return { id: c.params.id, deleted: true }
    },
  }),

  route({ method: 'GET', path: ['plans'], auth: true, mutation: false, run: (c) => c.billing.listPlans(c.scope) }),
  route({
    method: 'POST',
    path: ['subscription', 'preview'],
    auth: true,
    // A preview changes nothing; a repeated one should see the current state.
    mutation: false,
    body: priceBody,
    run: (c) => c.billing.previewSubscriptionChange(c.scope, c.body.price_id),
  }),
  route({
    method: 'POST',
    path: ['subscription'],
    auth: true,
    mutation: true,
    // `proration_date`: the preview's, so the charge equals what the customer was shown.
    body: { ...priceBody, proration_date: { type: 'integer' } },
    run: (c) => c.billing.changeSubscription(c.scope, c.body.price_id, { ...c.mutation, prorationDate: c.body.proration_date }),
  }),
  route({
    method: 'DELETE',
    path: ['subscription', 'scheduled-change'],
    auth: true,
    mutation: true,
    body: {},
    run: (c) => c.billing.cancelScheduledChange(c.scope, c.mutation),
  }),
  route({
    method: 'POST',
    path: ['subscription', 'cancel'],
    auth: true,
    mutation: true,
    body: { at_period_end: { type: 'boolean' } },
    // Left out, cancel at the period end: the customer keeps what they paid for.
    run: (c) => c.billing.cancelSubscription(c.scope, c.body.at_period_end ?? true, c.mutation),
  }),
  route({ method: 'POST', path: ['subscription', 'resume'], auth: true, mutation: true, body: {}, run: (c) => c.billing.resumeSubscription(c.scope, c.mutation) }),

  route({
    method: 'GET',
    path: ['api-keys'],
    auth: true,
    mutation: false,
    run: async (c) => {
      const keys = await c.billing.listApiKeys(c.scope)
      if (keys === null) throw notFound('resource: this backend keeps no API keys')
      return keys
    },
  }),
  route({
    method: 'POST',
    path: ['api-keys'],
    auth: true,
    mutation: true,
    reveals: 'secret',
    body: { name: { type: 'string', required: true } },
    run: (c) => c.billing.createApiKey(c.scope, c.body.name, c.mutation),
  }),
  route({
    method: 'DELETE',
    path: ['api-keys', ':id'],
    auth: true,
    mutation: true,
    body: {},
    run: async (c) => {
      await c.billing.revokeApiKey(c.scope, c.params.id, c.mutation)
      return { id: c.params.id, deleted: true }
    },
  }),
  route({ method: 'POST', path: ['api-keys', ':id', 'roll'], auth: true, mutation: true, reveals: 'secret', body: {}, run: (c) => c.billing.rollApiKey(c.scope, c.params.id, c.mutation) }),

  route({ method: 'GET', path: ['public', ':publicKey', 'plans'], auth: false, mutation: false, run: (c) => c.billing.listPublicPlans(c.params.publicKey) }),
  route({
    method: 'POST',
    path: ['public', ':publicKey', 'checkout'],
    auth: false,
    mutation: true,
    body: priceBody,
    run: (c) => c.billing.createCheckout(c.params.publicKey, c.body.price_id, c.mutation),
  }),
]

export interface RouteMatch {
  route: Route
  params: Record<string, string>
}

/**
 * Finds the route for a path and method. `allowed` lists the methods the path answers
 * (empty: 404; otherwise a 405 or a preflight). A segment that cannot be an id fits no route.
 */
export function matchRoute(
  segments: string[],
  method: string,
  parseParam: (segment: string) => string | null,
): { match: RouteMatch | null; allowed: Method[] } {
  const allowed: Method[] = []
  let match: RouteMatch | null = null
  for (const candidate of routes) {
    if (candidate.path.length !== segments.length) continue
    const params: Record<string, string> = {}
    let fits = true
    for (let i = 0; i < segments.length && fits; i++) {
      const part = candidate.path[i]
      if (part.startsWith(':')) {
        const value = parseParam(segments[i])
        if (value !== null) params[part.slice(1)] = value
        fits = value !== null
      } else {
        fits = part === segments[i]
      }
    }
    if (!fits) continue
    // `/payment-methods/setup` is also `/payment-methods/:id`: the literal route wins for its method.
    if (!allowed.includes(candidate.method)) allowed.push(candidate.method)
    if (candidate.method === method && !match) match = { route: candidate, params }
  }
  return { match, allowed }
}
