/**
 * Rows mapped to the shapes the API returns (plans, prices, subscriptions, invoices and
 * their lines), and a subscription row to the quote's input.
 */
import type { Invoice, InvoiceLine, Plan, Price, Subscription } from '../../../api/types.js'
import type { QuotePrice, QuoteSubscription } from './quote.js'
import type { Db, InvoicesTable, PlansTable, SubscriptionsTable } from './schema.js'

export function toQuoteSubscription(s: SubscriptionsTable & { status: QuoteSubscription['status'] }, price: QuotePrice): QuoteSubscription {
  return {
    status: s.status,
    price,
    current_period_start: s.current_period_start,
    current_period_end: s.current_period_end,
    anchor: s.anchor,
    trial_end: s.trial_end,
  }
}

export function toSubscription(s: SubscriptionsTable, planId: string): Subscription {
  return {
    id: s.id,
    status: s.status,
    plan_id: planId,
    price_id: s.price_id,
    current_period_start: s.current_period_start,
    current_period_end: s.current_period_end,
    cancel_at_period_end: s.cancel_at_period_end === 1,
    trial_end: s.trial_end,
    scheduled_change: s.scheduled_price_id !== null && s.scheduled_at !== null ? { price_id: s.scheduled_price_id, at: s.scheduled_at } : null,
    canceled_at: s.canceled_at,
    ended_at: s.ended_at,
  }
}

export async function subscriptionWire(q: Db, s: SubscriptionsTable): Promise<Subscription> {
  const price = await q.selectFrom('prices').select('plan_id').where('id', '=', s.price_id).executeTakeFirstOrThrow()
  return toSubscription(s, price.plan_id)
}

export function toPlan(
  p: Omit<PlansTable, 'archived_at'>,
  prices: { id: string; period: 'month' | 'year'; amount: number; currency: string }[],
  quotas: { metric: string; quota: number | null; metric_name: string; unit: string }[],
): Plan {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    features: JSON.parse(p.features) as string[],
    flags: JSON.parse(p.flags) as string[],
    quotas: Object.fromEntries(quotas.map((x) => [x.metric, x.quota])),
    metrics: Object.fromEntries(quotas.map((x) => [x.metric, { name: x.metric_name, unit: x.unit }])),
    trial_days: p.trial_days,
    featured: p.featured === 1,
    prices: prices.map(toPrice),
  }
}

export const toPrice = (x: { id: string; period: 'month' | 'year'; amount: number; currency: string }): Price => ({
  id: x.id,
  period: x.period,
  amount: x.amount,
  currency: x.currency,
})

export interface InvoiceUrls {
  /** Where invoice documents live; null gives invoices no links. */
  baseUrl: string | null
}

/** The invoice columns the wire shape is made of. */
export const INVOICE_COLUMNS = ['id', 'number', 'created', 'status', 'total', 'currency', 'bill_to'] as const

export function toInvoice(row: Pick<InvoicesTable, (typeof INVOICE_COLUMNS)[number]>, urls: InvoiceUrls): Invoice {
  return {
    id: row.id,
    number: row.number,
    created: row.created,
    status: row.status,
    total: row.total,
    currency: row.currency,
    pdf_url: urls.baseUrl === null ? null : `${urls.baseUrl}/invoices/${encodeURIComponent(row.id)}.pdf`,
    hosted_url: urls.baseUrl === null ? null : `${urls.baseUrl}/invoices/${encodeURIComponent(row.id)}`,
    bill_to: row.bill_to === null ? null : (JSON.parse(row.bill_to) as Invoice['bill_to']),
  }
}

export function toLine(l: { description: string; amount: number; quantity: number; period_start: number | null; period_end: number | null }): InvoiceLine {
  return {
    description: l.description,
    amount: l.amount,
    quantity: l.quantity,
    period: l.period_start !== null && l.period_end !== null ? { start: l.period_start, end: l.period_end } : null,
  }
}
