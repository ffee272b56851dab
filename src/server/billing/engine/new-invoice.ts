/** Writing an invoice: its number, gap-free and unique per app, then the row and its lines. */
import { billToNow } from './billing-details.js'
import { newId } from './ids.js'
import { sum } from './proration.js'
import type { DraftLine } from './quote.js'
import type { Db } from './schema.js'

/** Takes the app's next invoice number: the row update serialises concurrent writers. */
async function nextInvoiceNumber(q: Db, appId: string): Promise<{ seq: number; number: string }> {
  const row = await q
    .updateTable('apps')
    .set((eb) => ({ next_invoice_seq: eb('next_invoice_seq', '+', 1) }))
    .where('id', '=', appId)
    .returning(['next_invoice_seq', 'invoice_prefix'])
    .executeTakeFirstOrThrow()
  const seq = row.next_invoice_seq - 1
  return { seq, number: formatInvoiceNumber(row.invoice_prefix, seq) }
}

/** An invoice line as its row: the invoice's own insert and the demo seed write lines alike. */
export const lineRow = (invoiceId: string, l: DraftLine, position: number) => ({
  id: newId('il'),
  invoice_id: invoiceId,
  position,
  kind: l.kind,
  description: l.description,
  amount: l.amount,
  quantity: l.quantity,
  period_start: l.period?.start ?? null,
  period_end: l.period?.end ?? null,
})

export const formatInvoiceNumber = (prefix: string, seq: number): string => `${prefix}-${String(seq).padStart(4, '0')}`

export interface NewInvoice {
  appId: string
  customerId: string
  subscriptionId: string | null
  currency: string
  lines: DraftLine[]
  at: number
  status: 'open' | 'paid'
}

export async function insertInvoice(q: Db, inv: NewInvoice): Promise<{ id: string; number: string; total: number }> {
  const { seq, number } = await nextInvoiceNumber(q, inv.appId)
  const id = newId('in')
  const total = sum(inv.lines.map((l) => l.amount))
  // A copy: editing the billing details later does not rewrite an issued invoice.
  const billTo = await billToNow(q, inv.customerId)
  await q
    .insertInto('invoices')
    .values({
      id,
      app_id: inv.appId,
      customer_id: inv.customerId,
      subscription_id: inv.subscriptionId,
      number,
      seq,
      status: inv.status,
      currency: inv.currency,
      total,
      created: inv.at,
      paid_at: inv.status === 'paid' ? inv.at : null,
      bill_to: billTo,
    })
    .execute()
  if (inv.lines.length > 0) {
    await q
      .insertInto('invoice_lines')
      .values(
        inv.lines.map((l, position) => lineRow(id, l, position)),
      )
      .execute()
  }
  return { id, number, total }
}
