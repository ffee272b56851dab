/** Invoice list (cursor-paged, newest first) and one invoice with its lines. */
import type { Invoice, List } from '../../../api/types.js'
import { BillingError, type CustomerScope, type PageParams } from '../types.js'
import { findCustomer } from './lookups.js'
import { toInvoice, toLine } from './wire.js'
import type { EngineContext } from './context.js'

export function invoiceMethods(ctx: EngineContext) {
  const { db, urls, customerNow } = ctx

  async function listInvoices(scope: CustomerScope, page: PageParams): Promise<List<Invoice>> {
    const limit = page.limit
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new BillingError('invalid_request', 'limit must be an integer from 1 to 100', { field: 'limit' })
    const customer = await customerNow(db, scope)
    let query = db
      .selectFrom('invoices')
      .select(['id', 'number', 'created', 'status', 'total', 'currency'])
      .where('customer_id', '=', customer.id)
    if (page.starting_after !== undefined) {
      const cursor = await db
        .selectFrom('invoices')
        .select(['created', 'seq'])
        .where('id', '=', page.starting_after)
        .where('customer_id', '=', customer.id)
        .executeTakeFirst()
      if (!cursor) throw new BillingError('invalid_request', 'starting_after is not an invoice of this customer', { field: 'starting_after' })
      query = query.where((eb) =>
        eb.or([eb('created', '<', cursor.created), eb.and([eb('created', '=', cursor.created), eb('seq', '<', cursor.seq)])]),
      )
    }
    const rows = await query.orderBy('created', 'desc').orderBy('seq', 'desc').limit(limit + 1).execute()
    return { data: rows.slice(0, limit).map((r) => toInvoice(r, urls)), has_more: rows.length > limit }
  }

  async function getInvoice(scope: CustomerScope, invoiceId: string): Promise<Invoice> {
    const customer = await findCustomer(db, scope.appId, scope.customUid)
    const row = await db
      .selectFrom('invoices')
      .select(['id', 'number', 'created', 'status', 'total', 'currency'])
      .where('id', '=', invoiceId)
      .where('customer_id', '=', customer.id)
      .executeTakeFirst()
    if (!row) throw new BillingError('not_found', 'No such invoice')
    const lines = await db
      .selectFrom('invoice_lines')
      .select(['description', 'amount', 'quantity', 'period_start', 'period_end'])
      .where('invoice_id', '=', row.id)
      .orderBy('position')
      .execute()
    return { ...toInvoice(row, urls), lines: lines.map(toLine) }
  }

  return { listInvoices, getInvoice }
}
