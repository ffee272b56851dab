/**
 * The demo data built in a real Stripe account in test mode, tagged with a run id so it
 * never mixes with anything else there, and removed afterwards: a Billing Meter, the five
 * demo plans as Products with the portal's metadata keys (plus `portal_test_run`), and one
 * customer per demo state, each on its own test clock frozen at the same instant — so
 * Stripe's "now" for them is the backend's `now`, and prorations, trials and new periods
 * start exactly where the Portal API says they do.
 */
import type Stripe from 'stripe'
import { DEMO_PLANS } from '../../src/server/billing/engine/seed.js'

const DAY = 86_400

export interface Catalog {
  runId: string
  /** The instant every test clock is frozen at, and the backend's `now`. */
  now: number
  meter: { id: string; eventName: string }
  products: string[]
  prices: Record<string, string>
}

/** Runs `tasks` a few at a time: Stripe's test mode allows about 25 requests a second. */
export async function pool<T>(tasks: (() => Promise<T>)[], size = 6): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(size, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++
        results[i] = await tasks[i]()
      }
    }),
  )
  return results
}

export async function createCatalog(stripe: Stripe, runId: string): Promise<Catalog> {
  const now = Math.floor(Date.now() / 1000)
  const eventName = `portal_test_${runId}`
  const meter = await stripe.billing.meters.create({
    display_name: `API calls (portal test ${runId})`,
    event_name: eventName,
    default_aggregation: { formula: 'sum' },
    customer_mapping: { type: 'by_id', event_payload_key: 'stripe_customer_id' },
    value_settings: { event_payload_key: 'value' },
  })
  const prices: Record<string, string> = {}
  const products: string[] = []
  for (const spec of DEMO_PLANS) {
    const metadata: Record<string, string> = {
      portal_test_run: runId,
      quota_api_calls: spec.quota === null ? 'unlimited' : String(spec.quota),
      features: JSON.stringify(spec.features),
    }
    if (spec.trialDays) metadata.trial_days = String(spec.trialDays)
    if (spec.featured) metadata.featured = 'true'
    if (spec.hidden) metadata.public = 'false'
    const product = await stripe.products.create({ name: spec.name, description: spec.description, metadata })
    products.push(product.id)
    for (const interval of ['month', 'year'] as const) {
      const price = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: interval === 'month' ? spec.month : spec.year, recurring: { interval } })
      prices[`${spec.id}_${interval}`] = price.id
    }
  }
  return { runId, now, meter: { id: meter.id, eventName }, products, prices }
}

export interface Customers {
  /** Stripe customer id by demo uid. */
  ids: Record<string, string>
  clocks: string[]
}

/** One customer on its own test clock, with cards attached (the first made default). */
async function customer(stripe: Stripe, catalog: Catalog, uid: string, name: string, cards: string[]): Promise<{ id: string; clock: string }> {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: catalog.now, name: `${catalog.runId} ${uid}` })
  const created = await stripe.customers.create({ name, email: `${uid}@example.com`, metadata: { custom_uid: `${catalog.runId}:${uid}` }, test_clock: clock.id })
  for (const [i, token] of cards.entries()) {
    const pm = await stripe.paymentMethods.attach(token, { customer: created.id })
    if (i === 0) await stripe.customers.update(created.id, { invoice_settings: { default_payment_method: pm.id } })
  }
  return { id: created.id, clock: clock.id }
}

/** `count` paid invoices of `amount`, settled outside Stripe: a history without moving the clock. */
async function history(stripe: Stripe, customerId: string, amount: number, description: string, count: number): Promise<void> {
  await pool(
    Array.from({ length: count }, () => async () => {
      const invoice = await stripe.invoices.create({ customer: customerId, auto_advance: false, pending_invoice_items_behavior: 'exclude' })
      await stripe.invoiceItems.create({ customer: customerId, invoice: invoice.id, amount, currency: 'usd', description })
      await stripe.invoices.finalizeInvoice(invoice.id!)
      await stripe.invoices.pay(invoice.id!, { paid_out_of_band: true })
    }),
  )
}

/**
 * The demo customers in their states. `full` also builds what only the read-only checks
 * need (cus_active's twelve invoices, usage on the meter); the customers the mutating
 * checks change are rebuilt per check without it.
 */
export async function createCustomers(stripe: Stripe, catalog: Catalog, full: boolean): Promise<Customers> {
  const p = catalog.prices
  type Made = readonly [string, { id: string; clock: string }]
  const made = await pool<Made>([
    async () => {
      const c = await customer(stripe, catalog, 'cus_active', 'Ada Lovelace', ['pm_card_visa', 'pm_card_mastercard'])
      await stripe.subscriptions.create({ customer: c.id, items: [{ price: p.pro_month }] })
      if (full) {
        await history(stripe, c.id, 4_900, '1 × Pro (monthly)', 11)
        await stripe.billing.meterEvents.create({ event_name: catalog.meter.eventName, timestamp: catalog.now, payload: { stripe_customer_id: c.id, value: '200000' } })
      }
      return ['cus_active', c] as const
    },
    async () => {
      const c = await customer(stripe, catalog, 'cus_trialing', 'Grace Hopper', [])
      await stripe.subscriptions.create({ customer: c.id, items: [{ price: p.pro_month }], trial_period_days: 14 })
      return ['cus_trialing', c] as const
    },
    async () => {
      // A card that attaches but declines every charge: the first invoice fails, the subscription waits on payment.
      const c = await customer(stripe, catalog, 'cus_past_due', 'Alan Turing', ['pm_card_chargeCustomerFail'])
      await stripe.subscriptions.create({ customer: c.id, items: [{ price: p.starter_month }], payment_behavior: 'allow_incomplete' })
      return ['cus_past_due', c] as const
    },
    async () => {
      const c = await customer(stripe, catalog, 'cus_canceling', 'Katherine Johnson', ['pm_card_visa'])
      const sub = await stripe.subscriptions.create({ customer: c.id, items: [{ price: p.starter_year }] })
      await stripe.subscriptions.update(sub.id, { cancel_at_period_end: true })
      return ['cus_canceling', c] as const
    },
    async () => {
      const c = await customer(stripe, catalog, 'cus_canceled', 'Margaret Hamilton', ['pm_card_mastercard'])
      const sub = await stripe.subscriptions.create({ customer: c.id, items: [{ price: p.pro_month }] })
      await stripe.subscriptions.cancel(sub.id)
      return ['cus_canceled', c] as const
    },
    async () => {
      const c = await customer(stripe, catalog, 'cus_free', 'Edsger Dijkstra', [])
      await stripe.subscriptions.create({ customer: c.id, items: [{ price: p.free_month }] })
      return ['cus_free', c] as const
    },
  ])
  return { ids: Object.fromEntries(made.map(([uid, c]) => [uid, c.id])), clocks: made.map(([, c]) => c.clock) }
}

/** cus_many_invoices: 250 invoices for paging, built once per run (about 750 requests). */
export async function createManyInvoices(stripe: Stripe, catalog: Catalog): Promise<Customers> {
  const c = await customer(stripe, catalog, 'cus_many_invoices', 'Claude Shannon', ['pm_card_visa'])
  await stripe.subscriptions.create({ customer: c.id, items: [{ price: catalog.prices.starter_month }] })
  await history(stripe, c.id, 1_900, '1 × Starter (monthly)', 249)
  return { ids: { cus_many_invoices: c.id }, clocks: [c.clock] }
}

/** Waits until the meter's summary for `customerId` shows `value` (Stripe aggregates meter events asynchronously). */
export async function meterSettled(stripe: Stripe, catalog: Catalog, customerId: string, value: number, timeoutMs = 120_000): Promise<boolean> {
  const start = Math.floor((catalog.now - DAY) / 60) * 60
  const end = Math.ceil((catalog.now + DAY) / 60) * 60
  for (const until = Date.now() + timeoutMs; Date.now() < until; ) {
    const { data } = await stripe.billing.meters.listEventSummaries(catalog.meter.id, { customer: customerId, start_time: start, end_time: end })
    if (data.reduce((sum, s) => sum + s.aggregated_value, 0) >= value) return true
    await new Promise((resolve) => setTimeout(resolve, 5_000))
  }
  return false
}

/** Deleting a test clock deletes its customers and their subscriptions. */
export async function deleteClocks(stripe: Stripe, clocks: string[]): Promise<void> {
  await pool(clocks.map((id) => () => stripe.testHelpers.testClocks.del(id).then(() => undefined)))
}

/** Prices and products cannot be deleted once used: they are archived; the meter is deactivated. */
export async function archiveCatalog(stripe: Stripe, catalog: Catalog): Promise<void> {
  await pool(Object.values(catalog.prices).map((id) => () => stripe.prices.update(id, { active: false }).then(() => undefined)))
  await pool(catalog.products.map((id) => () => stripe.products.update(id, { active: false }).then(() => undefined)))
  await stripe.billing.meters.deactivate(catalog.meter.id)
}
