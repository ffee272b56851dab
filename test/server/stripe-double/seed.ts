/**
 * The demo data as a Stripe account would hold it (the same plans, customers, states,
 * invoice histories and usage as the SQLite engine's `seed: 'demo'`): products with the
 * portal's metadata keys, monthly and yearly prices, a Billing Meter for `api_calls`, one
 * customer per state found by `metadata.custom_uid`. Times are relative to the double's clock.
 */
import { DEMO_PLANS } from '../../../src/server/billing/engine/seed.js'
import { addInterval, DAY, type Subscription, type World } from './world.js'

export interface DemoIds {
  meter: string
  /** Stripe customer id by custom_uid. */
  customers: Record<string, string>
  /** Price id by `<plan>_<month|year>`, e.g. `pro_month`. */
  prices: Record<string, string>
  /** Product id by plan key. */
  products: Record<string, string>
}

export function seedDemo(world: World): DemoIds {
  const now = world.now()
  const ids: DemoIds = { meter: '', customers: {}, prices: {}, products: {} }
  const meter = world.addMeter({ event_name: 'api_calls', display_name: 'API calls' })
  ids.meter = meter.id

  DEMO_PLANS.forEach((spec, i) => {
    const metadata: Record<string, string> = { quota_api_calls: spec.quota === null ? 'unlimited' : String(spec.quota) }
    // Both spellings the portal reads: a JSON array and a `|`-separated list.
    metadata.features = i % 2 === 0 ? JSON.stringify(spec.features) : spec.features.join('|')
    if (spec.trialDays) metadata.trial_days = String(spec.trialDays)
    if (spec.featured) metadata.featured = 'true'
    if (spec.hidden) metadata.public = 'false'
    const product = world.addProduct({ name: spec.name, description: spec.description, metadata })
    ids.products[spec.id] = product.id
    ids.prices[`${spec.id}_month`] = world.addPrice({ product: product.id, amount: spec.month, interval: 'month' }).id
    ids.prices[`${spec.id}_year`] = world.addPrice({ product: product.id, amount: spec.year, interval: 'year' }).id
  })
  // Not plans: an overage price billed by the meter, an archived price, and a product that sells no subscription.
  world.addPrice({ product: ids.products.pro, amount: 50, interval: 'month', usage: 'metered', meter: meter.id })
  world.addPrice({ product: ids.products.pro, amount: 3_900, interval: 'month', active: false })
  world.addProduct({ name: 'Onboarding call', description: 'A one-off service.' })

  const customer = (uid: string, name: string, email: string) => {
    const c = world.addCustomer({ name, email, metadata: { custom_uid: uid }, created: now - 800 * 30 * DAY })
    ids.customers[uid] = c.id
    return c.id
  }
  const card = (c: string, brand: string, last4: string, isDefault: boolean, outcome: 'succeed' | 'decline' = 'succeed', age = 100) => {
    const pm = world.addCard({ customer: c, brand, last4, outcome, created: now - age * DAY })
    if (isDefault) world.customer(c).invoice_settings.default_payment_method = pm.id
  }
  const usage = (c: string, from: number, total: number, days: number) => {
    const each = Math.floor(total / days)
    for (let i = 0; i < days; i++) {
      world.meterEvents.push({ meter: meter.id, customer: c, value: i === days - 1 ? total - each * (days - 1) : each, timestamp: from + i * DAY + 3_600 })
    }
  }
  const subscribe = (c: string, price: string, start: number, status: Subscription['status'] = 'active', created?: number) => {
    const interval = world.price(ids.prices[price]).recurring.interval
    return world.addSubscription({ customer: c, price: ids.prices[price], start, end: addInterval(start, interval), status, created })
  }
  /** One invoice per past period, oldest first, the last for the period starting at the subscription's. */
  const history = (c: string, sub: Subscription, count: number, options: { lastOpen?: boolean; overageAt?: number } = {}) => {
    const price = sub.items.data[0].price
    const start = sub.items.data[0].current_period_start
    for (let k = count - 1; k >= 0; k--) {
      const from = addInterval(start, price.recurring.interval, -k)
      const to = addInterval(start, price.recurring.interval, -k + 1)
      const lines = [world.periodLine(price, from, to, sub)]
      if (options.overageAt === k) {
        // 262,000 calls on a 250,000 quota, billed at $0.50 per 1,000 the period after.
        lines.unshift(world.line({ description: 'API calls beyond quota (12,000 calls)', amount: 600, quantity: 12, start: addInterval(from, price.recurring.interval, -1), end: from, price, sub }))
      }
      world.addInvoice({ customer: c, sub, lines, created: from, status: k === 0 && options.lastOpen ? 'open' : 'paid' })
    }
  }

  {
    const c = customer('cus_active', 'Ada Lovelace', 'ada@example.com')
    const start = now - 10 * DAY
    const sub = subscribe(c, 'pro_month', start, 'active', addInterval(start, 'month', -11))
    history(c, sub, 12, { overageAt: 3 })
    usage(c, start, 200_000, 10)
    card(c, 'visa', '4242', true)
    card(c, 'mastercard', '4444', false, 'succeed', 50)
  }
  {
    const c = customer('cus_trialing', 'Grace Hopper', 'grace@example.com')
    const start = now - 4 * DAY
    const end = start + 14 * DAY
    world.addSubscription({ customer: c, price: ids.prices.pro_month, start, end, status: 'trialing', trialEnd: end })
    usage(c, start, 3_200, 4)
  }
  {
    const c = customer('cus_past_due', 'Alan Turing', 'alan@example.com')
    const sub = subscribe(c, 'starter_month', now - 3 * DAY, 'past_due')
    history(c, sub, 6, { lastOpen: true })
    usage(c, now - 3 * DAY, 12_000, 3)
    card(c, 'visa', '0341', true, 'decline')
  }
  {
    const c = customer('cus_canceling', 'Katherine Johnson', 'katherine@example.com')
    const sub = subscribe(c, 'starter_year', now - 200 * DAY)
    // Asked five days ago, as the SQLite demo's.
    Object.assign(sub, { cancel_at_period_end: true, cancel_at: sub.items.data[0].current_period_end, canceled_at: now - 5 * DAY })
    history(c, sub, 1)
    usage(c, now - 20 * DAY, 18_000, 18)
    card(c, 'visa', '4242', true)
  }
  {
    const c = customer('cus_canceled', 'Margaret Hamilton', 'margaret@example.com')
    const sub = subscribe(c, 'pro_month', now - 45 * DAY)
    history(c, sub, 3)
    Object.assign(sub, { status: 'canceled', canceled_at: now - 20 * DAY, ended_at: now - 20 * DAY })
    card(c, 'mastercard', '4444', true)
  }
  {
    const c = customer('cus_free', 'Edsger Dijkstra', 'edsger@example.com')
    subscribe(c, 'free_month', now - 8 * DAY)
    usage(c, now - 8 * DAY, 420, 7)
  }
  {
    const c = customer('cus_many_invoices', 'Claude Shannon', 'claude@example.com')
    const sub = subscribe(c, 'starter_month', now - 5 * DAY)
    history(c, sub, 250)
    usage(c, now - 5 * DAY, 9_000, 5)
    card(c, 'visa', '4242', true)
  }
  return ids
}
