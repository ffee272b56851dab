/**
 * Finds the Stripe customer behind a token's `sub`: `resolveCustomer(customUid)` when the
 * seller gives one, else the Customer Search API on `metadata.custom_uid`. Search is
 * rate limited (20 reads a second in live mode) and eventually consistent, so a found id
 * is remembered for a while; the mapping of a uid to a customer id does not change.
 */
import { BillingError, type CustomerScope } from '../types.js'
import type { StripeClient, StripeCustomer } from './client.js'
import { isResourceMissing } from './errors.js'

export type ResolveCustomer = (customUid: string, scope: CustomerScope) => Promise<string | null | undefined> | string | null | undefined

const CACHE_MS = 10 * 60_000
const CACHE_SIZE = 10_000

/** The browser hears "No such customer"; the seller's log hears which uid and where Stripe should have it. */
const noSuchCustomer = (customUid: string) =>
  new BillingError('not_found', 'No such customer', {
    log: `No Stripe customer for uid ${JSON.stringify(customUid)}: a portal token's uid must name an existing customer (metadata.custom_uid = ${JSON.stringify(customUid)}, or what your resolveCustomer returns); create it before minting the token`,
  })

/** A search-query string literal: backslashes and single quotes escaped. */
export const searchLiteral = (value: string): string => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`

export interface CustomerResolver {
  id(scope: CustomerScope): Promise<string>
  /** The customer object, fresh from Stripe (its default payment method matters). */
  get(scope: CustomerScope): Promise<StripeCustomer>
  /** The customer object for an id `id(scope)` gave. */
  retrieve(scope: CustomerScope, customerId: string): Promise<StripeCustomer>
}

export function customerResolver(stripe: StripeClient, resolve: ResolveCustomer | undefined): CustomerResolver {
  const cache = new Map<string, { id: string; at: number }>()

  async function search(customUid: string): Promise<string> {
    const hit = cache.get(customUid)
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.id
    const found = await stripe.customers.search({ query: `metadata['custom_uid']:${searchLiteral(customUid)}`, limit: 2 })
    if (found.data.length === 0) throw noSuchCustomer(customUid)
    // Two customers for one uid is a setup error the seller must see, not a coin toss.
    if (found.data.length > 1) throw new Error(`Two Stripe customers have metadata.custom_uid = ${JSON.stringify(customUid)}; keep one`)
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string)
    cache.set(customUid, { id: found.data[0].id, at: Date.now() })
    return found.data[0].id
  }

  async function id(scope: CustomerScope): Promise<string> {
    if (!resolve) return search(scope.customUid)
    const resolved = await resolve(scope.customUid, scope)
    if (typeof resolved !== 'string' || resolved === '') throw noSuchCustomer(scope.customUid)
    return resolved
  }

  async function get(scope: CustomerScope): Promise<StripeCustomer> {
    return retrieve(scope, await id(scope))
  }

  async function retrieve(scope: CustomerScope, customerId: string): Promise<StripeCustomer> {
    try {
      const customer = await stripe.customers.retrieve(customerId)
      if (customer.deleted) throw noSuchCustomer(scope.customUid)
      return customer
    } catch (error) {
      if (error instanceof BillingError || isResourceMissing(error)) {
        cache.delete(scope.customUid)
        throw noSuchCustomer(scope.customUid)
      }
      throw error
    }
  }

  return { id, get, retrieve }
}
