/**
 * `stripeBilling({ stripe })`: the Portal API answered from a Stripe account.
 *
 *   import Stripe from 'stripe'
 *   const billing = stripeBilling({ stripe: new Stripe(process.env.STRIPE_SECRET_KEY), meter: { id: 'mtr_...', metric: 'api_calls' } })
 *   createPortalHandler({ appId, secret, billing })
 *
 * The `stripe` package is the seller's own instance (an optional peer dependency); this
 * module never imports it, so `@archetypeapi/portals/server` loads without it. How plans,
 * quotas and plan changes map onto Stripe: docs/stripe.md.
 */
import type { BillingBackend } from './types.js'
import { createStripeBackend, type ApiKeyStore, type StripeBackend, type StripeMeter } from './stripe/backend.js'
import type { StripeClient, StripeProduct } from './stripe/client.js'
import type { ResolveCustomer } from './stripe/customers.js'

export type { StripeClient, StripeProduct, StripeMeter, ResolveCustomer, StripeBackend }
export { CatalogError } from './stripe/catalog.js'

export interface StripeBillingOptions {
  /** `new Stripe(secretKey)` from the `stripe` package (v17 or later). */
  stripe: StripeClient
  /**
   * The Stripe customer id for a token's `sub` (your user id). Default: the customer whose
   * `metadata.custom_uid` equals it, found with the Customer Search API.
   */
  resolveCustomer?: ResolveCustomer
  /** Billing Meters whose usage the dashboard shows against each plan's `quota_<metric>`. */
  meter?: StripeMeter | StripeMeter[]
  /**
   * Where API keys live (for example an `openSqliteBilling()` engine); without it the
   * dashboard hides them. With it, `createApiKeyGuard({ billing })` works on this backend:
   * keys are verified there and tracked usage goes through its ledger to the Stripe meter.
   */
  apiKeys?: ApiKeyStore
  /** The pricing portal's public key; the public routes answer for it alone (without it, not at all). */
  publicKey?: string
  /** Where Stripe Checkout returns a visitor of the pricing portal. */
  checkout?: { successUrl: string; cancelUrl: string }
  /** Keeps only the products that are this portal's plans (default: every active product with a monthly or yearly price). */
  includeProduct?: (product: StripeProduct) => boolean
  /** Seconds the products and prices are reused before they are read again. Default 60; 0 reads them on every request. */
  catalogTtlSeconds?: number
  /**
   * Default false: one free trial per customer. A customer any of whose subscriptions (the
   * latest 100, canceled ones and Checkout's included) had a trial starts the next one paid.
   * True gives every new subscription on a trial plan its trial.
   */
  allowRepeatTrials?: boolean
  /** Seconds `check` reuses a meter summary (adding what this instance tracked since). Default 60. */
  meterSummaryTtlSeconds?: number
  /** The clock in Unix seconds (proration dates, meter windows). Default the system clock; tests pass Stripe test clocks' time. */
  now?: () => number
}

const fail = (message: string): never => {
  throw new TypeError(`stripeBilling: ${message}`)
}

function checkMeters(meter: StripeBillingOptions['meter']): StripeMeter[] {
  if (meter === undefined) return []
  const meters = Array.isArray(meter) ? meter : [meter]
  meters.forEach((m, i) => {
    const at = Array.isArray(meter) ? `meter[${i}]` : 'meter'
    if (!m || typeof m !== 'object') fail(`\`${at}\` must be { id, metric, name?, unit? }`)
    if (typeof m.id !== 'string' || m.id === '') fail(`\`${at}.id\` must be a Billing Meter id (mtr_...)`)
    if (typeof m.metric !== 'string' || !/^[a-z0-9_]+$/i.test(m.metric)) fail(`\`${at}.metric\` must be a quota key such as "api_calls"`)
    if (m.name !== undefined && typeof m.name !== 'string') fail(`\`${at}.name\` must be a string such as "API calls"`)
    if (m.unit !== undefined && typeof m.unit !== 'string') fail(`\`${at}.unit\` must be a string such as "calls"`)
    if (m.eventName !== undefined && (typeof m.eventName !== 'string' || m.eventName === '')) fail(`\`${at}.eventName\` must be the meter's event_name, such as "api_calls"`)
  })
  return meters
}

export function stripeBilling(options: StripeBillingOptions): StripeBackend {
  if (!options || typeof options !== 'object') fail('needs an options object: stripeBilling({ stripe: new Stripe(secretKey) })')
  const stripe = options.stripe as Partial<StripeClient> | undefined
  if (!stripe || typeof stripe !== 'object' || !stripe.customers || !stripe.subscriptions || !stripe.invoices) {
    fail('`stripe` must be an instance of the stripe package: new Stripe(secretKey)')
  }
  if (!stripe?.billing?.meters || !stripe.invoices?.createPreview) fail('`stripe` is too old: stripeBilling needs the stripe package v17 or later')
  if (options.resolveCustomer !== undefined && typeof options.resolveCustomer !== 'function') fail('`resolveCustomer` must be a function (customUid) => Stripe customer id')
  if (options.includeProduct !== undefined && typeof options.includeProduct !== 'function') fail('`includeProduct` must be a function (product) => boolean')
  if (options.now !== undefined && typeof options.now !== 'function') fail('`now` must be a function returning Unix seconds')
  if (options.allowRepeatTrials !== undefined && typeof options.allowRepeatTrials !== 'boolean') fail('`allowRepeatTrials` must be a boolean')
  if (options.publicKey !== undefined && (typeof options.publicKey !== 'string' || options.publicKey === '')) fail('`publicKey` must be a non-empty string')
  const apiKeys = options.apiKeys
  const keyMethods = ['listApiKeys', 'rollApiKey', 'createApiKey', 'revokeApiKey'] as const
  if (apiKeys !== undefined && keyMethods.some((m) => typeof apiKeys?.[m] !== 'function')) {
    fail(`\`apiKeys\` must have ${keyMethods.join(', ')} (for example an openSqliteBilling() engine)`)
  }
  const checkout = options.checkout
  if (checkout !== undefined) {
    for (const field of ['successUrl', 'cancelUrl'] as const) {
      if (typeof checkout?.[field] !== 'string' || !/^https?:\/\//.test(checkout[field])) fail(`\`checkout.${field}\` must be an absolute http(s) URL`)
    }
  }
  const ttl = options.catalogTtlSeconds ?? 60
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0) fail('`catalogTtlSeconds` must be a number of seconds, 0 or more')
  return createStripeBackend({
    stripe: options.stripe,
    resolveCustomer: options.resolveCustomer,
    meters: checkMeters(options.meter),
    apiKeys,
    publicKey: options.publicKey,
    checkout,
    includeProduct: options.includeProduct,
    catalogTtlSeconds: ttl,
    allowRepeatTrials: options.allowRepeatTrials ?? false,
    meterSummaryTtlSeconds: options.meterSummaryTtlSeconds,
    now: options.now ?? (() => Date.now() / 1000),
  })
}
