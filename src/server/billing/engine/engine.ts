/**
 * The billing engine: every `BillingBackend` method plus what a seller calls (apps,
 * plans, customers, usage, API keys, moving the clock). Written against Kysely with
 * portable SQL, so the dialect is the only difference: `../sqlite.ts` opens it on a
 * SQLite file, `../postgres.ts` on PostgreSQL. The methods live in one module per group;
 * this file composes them.
 */
import type { Kysely } from 'kysely'
import type { ApiKey, Customer, List, Plan, RevealedApiKey, Subscription, UsageAlert, UsageLimit, UsageReport } from '../../../api/types.js'
import type { ApiKeyChange, ApiKeyOwner, BillingBackend, CheckResult, CustomerScope, Entitlements, MeteringBackend, MutationOptions, PageParams, TrackEvent, TrackManyResult, UsageAlertInput, UsageQuery } from '../types.js'
import { apiKeyMethods } from './api-keys.js'
import { billingDetailsMethods } from './billing-details.js'
import { catalogueMethods, type CatalogueDiff, type CatalogueInput, type SellerPlan } from './catalogue.js'
import { createContext, type DialectTraits } from './context.js'
import { customerListMethods } from './customer-list.js'
import { invoiceMethods } from './invoices.js'
import { meteringMethods } from './metering.js'
import { paymentMethodMethods } from './payment-methods.js'
import { publicPlanMethods } from './public-plans.js'
import { renewSubscription } from './renewal.js'
import type { BillingDatabase } from './schema.js'
import { sellerMethods, type App } from './seller.js'
import { sessionMethods } from './session.js'
import { subscriptionMethods } from './subscriptions.js'
import { usageControlMethods, type UsageAlertOptions } from './usage-controls.js'
import type { AppInput, CustomerInput, MetricInput, PlanInput } from './validate.js'

export type { App, SellerPlan }

export interface EngineOptions extends UsageAlertOptions {
  /** The clock, in Unix seconds. */
  now: () => number
  /** Base of invoice documents and checkout pages; null gives invoices no links (and checkouts a relative path). */
  baseUrl: string | null
  /** Default false: one free trial per customer; true gives every new subscription on a trial plan its trial. */
  allowRepeatTrials?: boolean
  /** The most live API keys one customer may hold (default 10); one more is a `conflict` naming it. */
  maxApiKeysPerCustomer?: number
  /** Releases the database; called by `close()`. */
  onClose?: () => Promise<void> | void
  /** What differs on the database at hand; default SQLite's. */
  traits?: DialectTraits
}

/** The embedded engine: a `BillingBackend` plus the calls a seller makes. */
export interface BillingEngine extends BillingBackend, MeteringBackend {
  createApp(input: AppInput): Promise<App>
  createMetric(appId: string, metric: MetricInput): Promise<void>
  createPlan(appId: string, plan: PlanInput): Promise<Plan>
  createCustomer(appId: string, customer: CustomerInput): Promise<Customer>
  /** Pricing as code: makes the app match `catalogue` (creating the app when missing) and returns what changed; idempotent. */
  applyCatalogue(catalogue: CatalogueInput, options?: { dryRun?: boolean }): Promise<CatalogueDiff>
  /** Creates the customer, or updates the email and name given. A portal token's `sub` must name a customer first. */
  upsertCustomer(appId: string, customer: CustomerInput): Promise<Customer>
  getCustomer(appId: string, customUid: string): Promise<Customer | null>
  /** Every plan of the app as the seller sees them (hidden ones too); archived ones with `includeArchived`. */
  listAppPlans(appId: string, options?: { includeArchived?: boolean }): Promise<SellerPlan[]>
  /** The app's customers, oldest first; `starting_after` is a customer's own id. */
  listCustomers(appId: string, page: PageParams): Promise<List<Customer>>
  /** Puts a customer on a price as the seller: like `changeSubscription`, but hidden plans are allowed. */
  subscribe(scope: CustomerScope, priceId: string): Promise<Subscription>
  /** @deprecated `track(scope, metric, quantity, { at })`, which it calls. */
  recordUsage(scope: CustomerScope, metric: string, quantity: number, at?: number): Promise<void>
  /** May the customer use `amount` (default 1) more of a metric, or do they have a flag? See docs/metering.md. */
  check(scope: CustomerScope, metricOrFlag: string, options?: { amount?: number }): Promise<CheckResult>
  /** Counts usage at `at` (default now) in the period that contains it; an `id` seen before is not counted twice. */
  track(scope: CustomerScope, metric: string, amount: number, options?: { id?: string; at?: number }): Promise<{ duplicate: boolean }>
  /** Many events of one app's customers in one transaction; bad events are itemised in `rejected`, the rest counted. */
  trackMany(appId: string, events: TrackEvent[]): Promise<TrackManyResult>
  /** Every metric and flag of the customer's plan, with used / limit / remaining. */
  entitlements(scope: CustomerScope): Promise<Entitlements>
  createApiKey(scope: CustomerScope, name: string): Promise<RevealedApiKey>
  revokeApiKey(scope: CustomerScope, apiKeyId: string): Promise<ApiKey>
  /** The owner of an API key (and marks it used unless `markUsed: false`), or null for an unknown, revoked or rolled key. */
  verifyApiKey(apiKeySecret: string, options?: { markUsed?: boolean }): Promise<ApiKeyOwner | null>
  onApiKeyChange(listener: (change: ApiKeyChange) => void): () => void
  /** Usage of a metric per UTC day or hour in the current or previous period, with a linear forecast (docs/metering.md). */
  getUsage(scope: CustomerScope, query: UsageQuery): Promise<UsageReport>
  /** The customer's overage cap on a metric of an overage plan; null stops at the quota. */
  setUsageLimit(scope: CustomerScope, metric: string, maxOverageAmount: number | null, options?: MutationOptions): Promise<UsageLimit>
  listUsageAlerts(scope: CustomerScope): Promise<List<UsageAlert>>
  createUsageAlert(scope: CustomerScope, alert: UsageAlertInput, options?: MutationOptions): Promise<UsageAlert>
  deleteUsageAlert(scope: CustomerScope, alertId: string, options?: MutationOptions): Promise<void>
  /** Renews every subscription whose period has ended: cancellations, scheduled changes, renewal invoices. */
  renew(): Promise<{ renewed: number }>
  /** Moves the engine's clock forward to `unixSeconds`, then renews. */
  advanceTo(unixSeconds: number): Promise<{ renewed: number }>
  /** The engine's current time, Unix seconds. */
  now(): number
  close(): Promise<void>
}

export function createEngine(db: Kysely<BillingDatabase>, options: EngineOptions): BillingEngine {
  let clockOverride: number | null = null
  const now = (): number => clockOverride ?? Math.floor(options.now())
  const ctx = createContext(db, now, options.baseUrl, options.traits)
  const { tx } = ctx
  const { getSession } = sessionMethods(ctx)
  const { listInvoices, getInvoice, payInvoice } = invoiceMethods(ctx)
  const { getBillingDetails, updateBillingDetails } = billingDetailsMethods(ctx)
  const { listPaymentMethods, setupPaymentMethod, attachPaymentMethod, setDefaultPaymentMethod, removePaymentMethod } = paymentMethodMethods(ctx)
  const { listPlans, previewSubscriptionChange, applyChange, cancelScheduledChange, cancelSubscription, resumeSubscription } = subscriptionMethods(ctx, { allowRepeatTrials: options.allowRepeatTrials ?? false })
  const { listApiKeys, rollApiKey, revokeApiKey, createApiKey, verifyApiKey, onApiKeyChange } = apiKeyMethods(ctx, { maxPerCustomer: options.maxApiKeysPerCustomer })
  const usage = usageControlMethods(ctx, { onUsageAlert: options.onUsageAlert, usageAlertWebhook: options.usageAlertWebhook, onError: options.onError })
  const { check, track, trackMany, entitlements } = meteringMethods(ctx, { afterTrack: usage.evaluateAlerts })
  const { listPublicPlans, createCheckout } = publicPlanMethods(ctx)
  const { createApp, createMetric, createPlan, createCustomer, upsertCustomer, getCustomer } = sellerMethods(ctx)
  const { applyCatalogue, listAppPlans } = catalogueMethods(ctx)

  async function renew(): Promise<{ renewed: number }> {
    const t = now()
    const due = await db.selectFrom('subscriptions').select(['id', 'customer_id']).where('status', '!=', 'canceled').where('current_period_end', '<=', t).execute()
    let renewed = 0
    // Under the customer's lock renewSubscription re-reads the period, so instances renewing at once invoice each period once.
    for (const { id, customer_id } of due) renewed += await tx(async (q) => (await ctx.lockCustomerById(q, customer_id), renewSubscription(q, id, t)))
    return { renewed }
  }

  async function advanceTo(unixSeconds: number): Promise<{ renewed: number }> {
    if (!Number.isSafeInteger(unixSeconds)) throw new RangeError('advanceTo() takes Unix seconds')
    if (unixSeconds < now()) throw new RangeError(`advanceTo(${unixSeconds}) would move the clock back from ${now()}`)
    clockOverride = unixSeconds
    return renew()
  }

  let closed = false
  return {
    getSession,
    listInvoices,
    getInvoice,
    payInvoice: (scope, id) => payInvoice(scope, id),
    getBillingDetails,
    updateBillingDetails: (scope, update) => updateBillingDetails(scope, update),
    listPaymentMethods,
    setupPaymentMethod: (scope) => setupPaymentMethod(scope),
    attachPaymentMethod: (scope, token, o) => attachPaymentMethod(scope, token, o),
    setDefaultPaymentMethod: (scope, id) => setDefaultPaymentMethod(scope, id),
    removePaymentMethod: (scope, id) => removePaymentMethod(scope, id),
    listPlans,
    previewSubscriptionChange,
    changeSubscription: (scope, priceId, o) => applyChange(scope, priceId, false, o?.prorationDate),
    cancelScheduledChange: (scope) => cancelScheduledChange(scope),
    cancelSubscription: (scope, atPeriodEnd) => cancelSubscription(scope, atPeriodEnd),
    resumeSubscription: (scope) => resumeSubscription(scope),
    listApiKeys,
    rollApiKey: (scope, id) => rollApiKey(scope, id),
    listPublicPlans,
    createCheckout: (publicKey, priceId) => createCheckout(publicKey, priceId),
    createApp,
    createMetric,
    createPlan,
    createCustomer,
    applyCatalogue,
    upsertCustomer,
    getCustomer,
    listAppPlans,
    ...customerListMethods(ctx),
    subscribe: (scope, priceId) => applyChange(scope, priceId, true),
    recordUsage: async (scope, metric, quantity, at) => {
      await track(scope, metric, quantity, { at })
    },
    check,
    track,
    trackMany,
    entitlements,
    getUsage: usage.getUsage,
    setUsageLimit: usage.setUsageLimit,
    listUsageAlerts: usage.listUsageAlerts,
    createUsageAlert: usage.createUsageAlert,
    deleteUsageAlert: usage.deleteUsageAlert,
    createApiKey,
    revokeApiKey: (scope, id) => revokeApiKey(scope, id),
    verifyApiKey,
    onApiKeyChange,
    renew,
    advanceTo,
    now,
    async close() {
      if (closed) return
      closed = true
      usage.close()
      await db.destroy()
      await options.onClose?.()
    },
  }
}

