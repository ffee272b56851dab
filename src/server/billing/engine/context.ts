/** What every group of engine methods shares: the database, the clock, transactions and the customer lookup. */
import type { Kysely } from 'kysely'
import type { CustomerScope } from '../types.js'
import type { BillingDatabase, CustomersTable, Db, SubscriptionsTable } from './schema.js'
import { findCustomer, findSubscription, isLive } from './lookups.js'
import { renewSubscription } from './renewal.js'
import type { InvoiceUrls } from './wire.js'

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
  /**
   * The customer (or `not_found`), its row locked until the transaction ends: every
   * mutation of a customer takes it first, so two server processes on one PostgreSQL
   * database change a customer one at a time (SQLite's single writer already does).
   */
  lockCustomer(q: Db, scope: CustomerScope): Promise<CustomersTable>
  /** Locks the row of customer `customerId` (by id), as `lockCustomer` does. */
  lockCustomerById(q: Db, customerId: string): Promise<void>
  /**
   * Locks the app's row, when it exists, until the transaction ends: changes to an app's
   * catalogue run one at a time across processes, each reading what the last committed.
   */
  lockApp(q: Db, appId: string): Promise<void>
}

/** What differs between the databases the engine runs on; SQLite's by default. */
export interface DialectTraits {
  /** `SELECT … FOR UPDATE` exists (PostgreSQL); SQLite rejects it and needs none. */
  rowLocks: boolean
  /** A deadlock or serialization failure: the transaction is run again (at most 3 times). */
  isTransient?(error: unknown): boolean
}

export const SQLITE_TRAITS: DialectTraits = { rowLocks: false }

export function createContext(db: Kysely<BillingDatabase>, now: () => number, baseUrl: string | null, traits: DialectTraits = SQLITE_TRAITS): EngineContext {
  async function tx<T>(fn: (q: Db) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction().execute(fn)
      } catch (error) {
        if (attempt >= 3 || !traits.isTransient?.(error)) throw error
      }
    }
  }

  const lockCustomer = (q: Db, scope: CustomerScope) => findCustomer(q, scope.appId, scope.customUid, traits.rowLocks && q.isTransaction)
  async function lockCustomerById(q: Db, customerId: string): Promise<void> {
    if (traits.rowLocks) await q.selectFrom('customers').select('id').where('id', '=', customerId).forUpdate().execute()
  }
  async function lockApp(q: Db, appId: string): Promise<void> {
    if (traits.rowLocks && q.isTransaction) await q.selectFrom('apps').select('id').where('id', '=', appId).forUpdate().execute()
  }

  /**
   * Renewals also happen lazily on access, so a portal never shows a period that has
   * ended. Outside a transaction the renewal takes one of its own.
   */
  async function customerNow(q: Db, scope: CustomerScope): Promise<CustomersTable> {
    const customer = await lockCustomer(q, scope)
    const sub = await findSubscription(q, customer.subscription_id)
    if (!isLive(sub) || sub.current_period_end > now()) return customer
    if (q.isTransaction) {
      await renewSubscription(q, sub.id, now())
      return lockCustomer(q, scope)
    }
    return tx((t) => customerNow(t, scope))
  }

  async function liveSubscription(q: Db, customer: CustomersTable): Promise<Live | undefined> {
    const sub = await findSubscription(q, customer.subscription_id)
    return isLive(sub) ? sub : undefined
  }

  return { db, now, tx, urls: { baseUrl }, baseUrl: baseUrl ?? '', customerNow, liveSubscription, lockCustomer, lockCustomerById, lockApp }
}
