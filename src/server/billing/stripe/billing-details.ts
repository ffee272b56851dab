/**
 * Billing details on a Stripe customer: `name`, `email`, `address` and its Tax IDs (a list
 * of its own under the customer). An invoice's `bill_to` is what Stripe copied onto it
 * when it was finalized (`customer_name`, `customer_address`...), so a later edit never
 * rewrites it, as on the engine.
 */
import type { Address, BillingDetails, BillingDetailsUpdate, BillTo, TaxId } from '../../../api/types.js'
import { toAddress, toTaxIds } from '../../schemas/billing-details.js'
import type { StripeAddress, StripeClient, StripeCustomer, StripeInvoice, StripeRequestOptions } from './client.js'

type Keys = (step: string) => StripeRequestOptions | undefined

/** Stripe's address (every field nullable) as the Portal API's, or null without a line and a country. */
function fromStripeAddress(a: StripeAddress | null | undefined): Address | null {
  if (!a || !a.line1 || !a.country) return null
  return { line1: a.line1, line2: a.line2 || null, city: a.city ?? '', postal_code: a.postal_code || null, state: a.state || null, country: a.country }
}

const fromStripeTaxIds = (ids: Array<{ type: string; value: string | null }>): TaxId[] =>
  ids.filter((t) => t.value !== null).map((t) => ({ type: t.type as TaxId['type'], value: t.value as string }))

/** An invoice's copy of the details; null before Stripe finalized it (a draft copies nothing yet). */
export function billToOf(invoice: StripeInvoice): BillTo | null {
  if (invoice.status === 'draft' || invoice.customer_email === undefined) return null
  return {
    name: invoice.customer_name ?? '',
    email: invoice.customer_email ?? '',
    address: fromStripeAddress(invoice.customer_address),
    tax_ids: fromStripeTaxIds(invoice.customer_tax_ids ?? []),
  }
}

export async function readBillingDetails(stripe: StripeClient, customer: StripeCustomer, customUid: string): Promise<BillingDetails> {
  const { data } = await stripe.customers.listTaxIds(customer.id, { limit: 100 })
  // Stripe lists the newest first; the customer gave them oldest first.
  return { id: customUid, name: customer.name ?? '', email: customer.email ?? '', address: fromStripeAddress(customer.address), tax_ids: fromStripeTaxIds([...data].reverse()) }
}

/** Writes the fields given; Tax IDs are made to match the list (removed ones deleted, new ones created). */
export async function writeBillingDetails(stripe: StripeClient, customer: StripeCustomer, update: BillingDetailsUpdate, key: Keys): Promise<StripeCustomer> {
  let updated = customer
  const address = update.address === undefined ? undefined : update.address === null ? '' : toAddress(update.address)
  if (update.name !== undefined || update.email !== undefined || address !== undefined) {
    const params = {
      ...(update.name !== undefined && { name: update.name.trim() }),
      ...(update.email !== undefined && { email: update.email.trim() }),
      // '' unsets a field on Stripe.
      ...(address !== undefined && { address: address === '' ? ('' as const) : { ...address, line2: address.line2 ?? '', postal_code: address.postal_code ?? '', state: address.state ?? '' } }),
    }
    updated = await stripe.customers.update(customer.id, params, key('details'))
  }
  if (update.tax_ids !== undefined) {
    const wanted = toTaxIds(update.tax_ids)
    const same = (a: { type: string; value: string }, b: { type: string; value: string }) => a.type === b.type && a.value === b.value
    const { data: existing } = await stripe.customers.listTaxIds(customer.id, { limit: 100 })
    for (const old of existing) if (!wanted.some((w) => same(w, old))) await stripe.customers.deleteTaxId(customer.id, old.id, {}, key(`tax-delete-${old.id}`))
    for (const [i, taxId] of wanted.entries()) if (!existing.some((e) => same(e, taxId))) await stripe.customers.createTaxId(customer.id, taxId, key(`tax-create-${i}`))
  }
  return updated
}
