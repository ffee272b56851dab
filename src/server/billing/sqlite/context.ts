/** What every group of engine methods shares: the database, the clock, transactions and the customer lookup. */
import type { Kysely } from 'kysely'
import type { CustomerScope } from '../types.js'
import type { BillingDatabase, CustomersTable, SubscriptionsTable } from './schema.js'
import { findCustomer, findSubscription, isLive, renewSubscription, type Db, type InvoiceUrls } from './store.js'

export type Live = SubscriptionsTable & { status: 'trialing' | 'active' | 'past_due' }

export interface EngineContext {
  db: Kysely<BillingDatabase>
  /** The engine's clock, whole Unix seconds. */
  now(): number
  /** Runs `fn` in one write transaction. Inside it, use its handle, never `db` (one connection: it would wait forever). */
  tx<T>(fn: (q: Db) => Promise<T>): Promise<T>
  urls: InvoiceUrls
  /** Base of checkout links. */
  baseUrl: string
  /** The customer (or `not_found`), with its subscription renewed up to now. */
  customerNow(q: Db, scope: CustomerScope): Promise<CustomersTable>
  /** The customer's subscription unless there is none or it is canceled. */
  liveSubscription(q: Db, customer: CustomersTable): Promise<Live | undefined>
}

export function createContext(db: Kysely<BillingDatabase>, now: () => number, baseUrl: string | null): EngineContext {
  const tx = <T>(fn: (q: Db) => Promise<T>): Promise<T> => db.transaction().execute(fn)

  /**
   * Renewals also happen lazily on access, so a portal never shows a period that has
   * ended. Outside a transaction the renewal takes one of its own.
   */
  async function customerNow(q: Db, scope: CustomerScope): Promise<CustomersTable> {
    const customer = await findCustomer(q, scope.appId, scope.customUid)
    const sub = await findSubscription(q, customer.subscription_id)
    if (!isLive(sub) || sub.current_period_end > now()) return customer
    if (q.isTransaction) {
      await renewSubscription(q, sub.id, now())
      return findCustomer(q, scope.appId, scope.customUid)
    }
    return tx((t) => customerNow(t, scope))
  }

  async function liveSubscription(q: Db, customer: CustomersTable): Promise<Live | undefined> {
    const sub = await findSubscription(q, customer.subscription_id)
    return isLive(sub) ? sub : undefined
  }

  return { db, now, tx, urls: { baseUrl }, baseUrl: baseUrl ?? '', customerNow, liveSubscription }
}
