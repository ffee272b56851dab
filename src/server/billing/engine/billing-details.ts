/** A customer's billing details, and the copy each invoice keeps of them (`bill_to`). */
import type { BillingDetails, BillingDetailsUpdate, BillTo } from '../../../api/types.js'
import { toAddress, toTaxIds } from '../../schemas/billing-details.js'
import type { CustomerScope } from '../types.js'
import type { EngineContext } from './context.js'
import { findCustomer } from './lookups.js'
import type { CustomersTable, Db } from './schema.js'

type DetailsRow = Pick<CustomersTable, 'custom_uid' | 'name' | 'email' | 'address' | 'tax_ids'>

const billTo = (c: DetailsRow): BillTo => ({
  name: c.name,
  email: c.email,
  address: c.address === null ? null : (JSON.parse(c.address) as BillTo['address']),
  tax_ids: JSON.parse(c.tax_ids) as BillTo['tax_ids'],
})

const toBillingDetails = (c: DetailsRow): BillingDetails => ({ id: c.custom_uid, ...billTo(c) })

/** The customer's details now, as JSON for a new invoice's `bill_to` (read in the invoice's transaction). */
export async function billToNow(q: Db, customerId: string): Promise<string> {
  const row = await q.selectFrom('customers').select(['custom_uid', 'name', 'email', 'address', 'tax_ids']).where('id', '=', customerId).executeTakeFirstOrThrow()
  return JSON.stringify(billTo(row))
}

export function billingDetailsMethods(ctx: EngineContext) {
  const { db, tx, lockCustomer } = ctx

  async function getBillingDetails(scope: CustomerScope): Promise<BillingDetails> {
    return toBillingDetails(await findCustomer(db, scope.appId, scope.customUid))
  }

  async function updateBillingDetails(scope: CustomerScope, update: BillingDetailsUpdate): Promise<BillingDetails> {
    return tx(async (q) => {
      const customer = await lockCustomer(q, scope)
      const changes = {
        ...(update.name !== undefined && { name: update.name.trim() }),
        ...(update.email !== undefined && { email: update.email.trim() }),
        ...(update.address !== undefined && { address: update.address === null ? null : JSON.stringify(toAddress(update.address)) }),
        ...(update.tax_ids !== undefined && { tax_ids: JSON.stringify(toTaxIds(update.tax_ids)) }),
      }
      if (Object.keys(changes).length > 0) await q.updateTable('customers').set(changes).where('id', '=', customer.id).execute()
      return toBillingDetails({ ...customer, ...changes })
    })
  }

  return { getBillingDetails, updateBillingDetails }
}
