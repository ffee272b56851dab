/** Charging the sandbox's default card, and paying open invoices with it. */
import { BillingError } from '../types.js'
import type { CustomersTable, Db } from './schema.js'

export type ChargeResult = { ok: true; paymentMethodId: string } | { ok: false; reason: 'no_payment_method' | 'declined' }

/** Charges the customer's default card (the sandbox decides by the card's test token). */
export async function chargeDefault(q: Db, customerId: string): Promise<ChargeResult> {
  const card = await q
    .selectFrom('payment_methods')
    .select(['id', 'charge_outcome'])
    .where('customer_id', '=', customerId)
    .where('is_default', '=', 1)
    .where('detached_at', 'is', null)
    .executeTakeFirst()
  if (!card) return { ok: false, reason: 'no_payment_method' }
  if (card.charge_outcome === 'decline') return { ok: false, reason: 'declined' }
  return { ok: true, paymentMethodId: card.id }
}

/** `payment_failed` naming the card: the decline, or `noCard` when there is none. */
export function chargeError(result: Exclude<ChargeResult, { ok: true }>, noCard = 'Add a payment method before choosing a paid plan.'): BillingError {
  return new BillingError('payment_failed', result.reason === 'declined' ? 'Your card was declined.' : noCard, { field: 'payment_method' })
}

/**
 * Tries to pay the customer's open invoices (only `invoiceId`, when given) with the default
 * card, then sets the live subscription's status: `past_due` while any invoice stays open,
 * `active` once none does. A new default card and `payInvoice` both come here. Returns the
 * charge's outcome, or null when there was nothing to pay.
 */
export async function collectOpenInvoices(q: Db, customer: Pick<CustomersTable, 'id' | 'subscription_id'>, at: number, invoiceId?: string): Promise<ChargeResult | null> {
  const open = await q.selectFrom('invoices').select('id').where('customer_id', '=', customer.id).where('status', '=', 'open').execute()
  const toPay = invoiceId === undefined ? open : open.filter((i) => i.id === invoiceId)
  let stillOpen = open.length
  let charge: ChargeResult | null = null
  if (toPay.length > 0) {
    charge = await chargeDefault(q, customer.id)
    if (charge.ok) {
      await q.updateTable('invoices').set({ status: 'paid', paid_at: at }).where('customer_id', '=', customer.id).where('id', 'in', toPay.map((i) => i.id)).execute()
      stillOpen -= toPay.length
    }
  }
  if (customer.subscription_id) {
    await q
      .updateTable('subscriptions')
      .set({ status: stillOpen > 0 ? 'past_due' : 'active' })
      .where('id', '=', customer.subscription_id)
      .where('status', 'in', stillOpen > 0 ? ['active'] : ['past_due'])
      .execute()
  }
  return charge
}
