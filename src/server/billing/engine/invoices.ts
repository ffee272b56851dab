/** Invoice list (cursor-paged, newest first), one invoice with its lines, and paying an open one. */
import type { Invoice, List } from '../../../api/types.js'
import { BillingError, type CustomerScope, type PageParams } from '../types.js'
import { chargeError, collectOpenInvoices } from './charging.js'
import { findCustomer } from './lookups.js'
import type { Db, InvoicesTable } from './schema.js'
import { INVOICE_COLUMNS, toInvoice, toLine } from './wire.js'
import type { EngineContext } from './context.js'

const noSuchInvoice = () => new BillingError('not_found', 'No such invoice')

export function invoiceMethods(ctx: EngineContext) {
  const { db, urls, customerNow, tx, now } = ctx

  async function listInvoices(scope: CustomerScope, page: PageParams): Promise<List<Invoice>> {
    const limit = page.limit
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new BillingError('invalid_request', 'limit must be an integer from 1 to 100', { field: 'limit' })
    const customer = await customerNow(db, scope)
    let query = db.selectFrom('invoices').select(INVOICE_COLUMNS).where('customer_id', '=', customer.id)
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

  const findInvoice = (q: Db, customerId: string, invoiceId: string) =>
    q.selectFrom('invoices').select(INVOICE_COLUMNS).where('id', '=', invoiceId).where('customer_id', '=', customerId).executeTakeFirst()

  async function withLines(q: Db, row: Pick<InvoicesTable, (typeof INVOICE_COLUMNS)[number]>): Promise<Invoice> {
    const lines = await q
      .selectFrom('invoice_lines')
      .select(['description', 'amount', 'quantity', 'period_start', 'period_end'])
      .where('invoice_id', '=', row.id)
      .orderBy('position')
      .execute()
    return { ...toInvoice(row, urls), lines: lines.map(toLine) }
  }

  async function getInvoice(scope: CustomerScope, invoiceId: string): Promise<Invoice> {
    const customer = await findCustomer(db, scope.appId, scope.customUid)
    const row = await findInvoice(db, customer.id, invoiceId)
    if (!row) throw noSuchInvoice()
    return withLines(db, row)
  }

  /** Pays one open invoice with the default card; the customer's lock makes a second payment see it paid. */
  async function payInvoice(scope: CustomerScope, invoiceId: string): Promise<Invoice> {
    return tx(async (q) => {
      const customer = await customerNow(q, scope)
      const row = await findInvoice(q, customer.id, invoiceId)
      if (!row) throw noSuchInvoice()
      if (row.status !== 'open') throw new BillingError('conflict', `Invoice ${row.number} is ${row.status}, not open: there is nothing to pay`)
      const charge = await collectOpenInvoices(q, customer, now(), row.id)
      if (!charge?.ok) throw chargeError(charge ?? { ok: false, reason: 'no_payment_method' }, 'Add a payment method to pay this invoice.')
      return withLines(q, { ...row, status: 'paid' })
    })
  }

  return { listInvoices, getInvoice, payInvoice }
}
