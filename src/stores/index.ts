import { atom, type ReadableAtom } from 'nanostores'
import type { PortalApi } from '../api/portal-api.js'
import type { ApiKey, BillingDetails, Invoice, List, PaymentMethod, PlansResponse, PortalError, PublicPlansResponse, Session, UsageMeter } from '../api/types.js'
import { createPager, type PagerStore } from './pager.js'
import { createResource, onListeners, type LoadOptions, type Resource, type ResourceStore } from './resource.js'
import { createUsageStores, type UsageStores } from './usage.js'

export type { PagerStore, Resource, ResourceStore, UsageStores }

/** Invoices per page of the `invoices` store. */
export const INVOICE_PAGE_SIZE = 10

/**
 * One nanostore per Portal API resource, shared by everything on the page that uses the
 * same client. Each loads when it gets its first subscriber; a mutation invalidates the
 * stores it changes (see `../flows/`).
 */
export interface PortalStores extends UsageStores {
  /** `GET /session`: customer, subscription, plan, price, usage and the upcoming invoice. */
  account: ResourceStore<Session>
  /** The usage meters of `account` (no request of its own). */
  usage: ReadableAtom<Resource<UsageMeter[]>>
  /** `GET /plans`: what the customer may switch to, and `current_price_id`. */
  plans: ResourceStore<PlansResponse>
  /** `GET /invoices`, newest first; `more()` loads the next page. */
  invoices: PagerStore<Invoice>
  /** `GET /invoices/:id`: one invoice with its `lines`, kept once loaded (a paid one reloads after `payInvoice`). */
  invoice(id: string): ResourceStore<Invoice>
  /** `GET /payment-methods` */
  paymentMethods: ResourceStore<List<PaymentMethod>>
  /** `GET /customer`: billing details (name, email, address, tax IDs). */
  billingDetails: ResourceStore<BillingDetails>
  /** `GET /api-keys`; `not_found` when the backend keeps no keys (not reported). */
  apiKeys: ResourceStore<List<ApiKey>>
  /** `GET /public/:publicKey/plans`: the pricing page's plans, no token needed. */
  publicPlans(publicKey: string): ResourceStore<PublicPlansResponse>
}

export interface StoresInternals extends PortalStores {
  /** Every store loaded so far, for `invalidateAll`. */
  invalidateAll(): void
}

export function createStores(api: PortalApi, options: { signal: AbortSignal; report: (error: PortalError) => void }): StoresInternals {
  const { signal, report } = options
  const all: { invalidate(): void }[] = []
  const track = <S extends { invalidate(): void }>(store: S): S => (all.push(store), store)
  const resource = <T>(load: (options: LoadOptions) => Promise<T>, onError: (error: PortalError) => void = report, dedupeMs?: number) =>
    track(createResource(load, { signal, onError, dedupeMs }))
  // A backend without a feature (keys, usage alerts) answers 404: a fact to show (the part hides), not a failure to report.
  const unlessNotFound = (error: PortalError) => error.code !== 'not_found' && report(error)
  /** One store per set of arguments (an id, a query's fields), made on first use and kept. */
  const keyed = <T, A extends unknown[]>(make: (...args: A) => ResourceStore<T>) => {
    const made = new Map<string, ResourceStore<T>>()
    return (...args: A): ResourceStore<T> => {
      const key = args.join('\n')
      let store = made.get(key)
      if (!store) made.set(key, (store = make(...args)))
      return store
    }
  }

  const account = resource(api.session)
  // Derived by hand rather than with nanostores' `computed`: the headless entry's budget.
  const usage = atom<Resource<UsageMeter[]>>({ status: 'loading' })
  let stopUsage: (() => void) | undefined
  onListeners(
    usage,
    () => (stopUsage = account.subscribe((state) => usage.set({ ...state, data: state.data?.usage } as Resource<UsageMeter[]>))),
    () => stopUsage?.(),
  )
  return {
    account,
    usage,
    plans: resource(api.plans),
    invoices: track(createPager((page, options) => api.invoices({ limit: INVOICE_PAGE_SIZE, ...page }, options), { signal, onError: report })),
    // An issued invoice does not change: once loaded, its lines are kept.
    invoice: keyed<Invoice, [id: string]>((id) => resource((options) => api.invoice(id, options), report, Infinity)),
    paymentMethods: resource(api.paymentMethods),
    billingDetails: resource(api.billingDetails),
    // A backend without keys answers 404: a fact to show (the card hides), not a failure to report.
    apiKeys: resource(api.apiKeys, unlessNotFound),
    publicPlans: keyed<PublicPlansResponse, [publicKey: string]>((publicKey) => resource((options) => api.publicPlans(publicKey, options))),
    ...createUsageStores(api, resource, keyed, unlessNotFound),
    invalidateAll: () => all.forEach((store) => store.invalidate()),
  }
}
