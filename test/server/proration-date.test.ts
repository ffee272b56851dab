/**
 * Preview equals charge, even when the customer confirms later: the preview returns the
 * moment it priced (`proration_date`), and `POST /subscription` with it charges exactly
 * the preview. Proration runs by the second, so without it a confirm half an hour later
 * is charged a different amount. Checked on the SQLite engine, over the Portal API, and
 * on `stripeBilling` against the Stripe double.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Invoice, SubscriptionPreview } from '../../src/api/types.js'
import { openSqliteBilling } from '../../src/server/billing/sqlite.js'
import { stripeBilling } from '../../src/server/billing/stripe.js'
import type { BillingBackend, CustomerScope } from '../../src/server/billing/types.js'
import { createTestPortal, type TestPortal } from '../helpers/portal.js'
import { expectBillingError, findPrice } from './backend-contract.js'
import { startStripeDouble, type StripeDouble } from './stripe-double/index.js'

const T0 = Date.UTC(2025, 10, 20, 12) / 1000
const LATER = 30 * 60
const scope: CustomerScope = { appId: 'app_demo', customUid: 'cus_active' }

const closers: (() => Promise<unknown> | unknown)[] = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

async function newestInvoice(backend: BillingBackend): Promise<Invoice> {
  const [newest] = (await backend.listInvoices(scope, { limit: 1 })).data
  return backend.getInvoice(scope, newest.id)
}

const linesOf = (x: { lines?: { description: string; amount: number }[] }) => x.lines!.map((l) => ({ description: l.description, amount: l.amount }))

describe('SQLite engine', () => {
  function engine() {
    const clock = { now: T0 }
    const billing = openSqliteBilling({ filename: ':memory:', seed: 'demo', now: () => clock.now })
    closers.push(() => billing.close())
    return { billing, clock }
  }

  it('returns the moment it priced, and charges exactly the preview when confirmed half an hour later with it', async () => {
    const { billing, clock } = engine()
    const preview = await billing.previewSubscriptionChange(scope, 'price_scale_month')
    expect(preview.proration_date).toBe(T0)
    clock.now = T0 + LATER
    const sub = await billing.changeSubscription(scope, 'price_scale_month', { prorationDate: preview.proration_date })
    expect(sub.price_id).toBe('price_scale_month')
    const invoice = await newestInvoice(billing)
    expect(invoice.total).toBe(preview.amount_due_now)
    expect(linesOf(invoice)).toEqual(preview.lines)
    // Invoiced when confirmed; priced as of the preview.
    expect(invoice.created).toBe(T0 + LATER)
    expect(invoice.lines!.map((l) => l.period?.start)).toEqual(preview.lines.map(() => T0))
  })

  it('without it, prices at the moment of the change: half an hour later is a different amount', async () => {
    const { billing, clock } = engine()
    const preview = await billing.previewSubscriptionChange(scope, 'price_scale_month')
    clock.now = T0 + LATER
    await billing.changeSubscription(scope, 'price_scale_month')
    expect((await newestInvoice(billing)).total).toBeLessThan(preview.amount_due_now)
  })

  it('starts a new period at the preview’s moment when the change restarts the cycle (monthly to yearly)', async () => {
    const { billing, clock } = engine()
    const preview = await billing.previewSubscriptionChange(scope, 'price_pro_year')
    clock.now = T0 + LATER
    const sub = await billing.changeSubscription(scope, 'price_pro_year', { prorationDate: preview.proration_date })
    expect(sub.current_period_start).toBe(T0)
    expect((await newestInvoice(billing)).total).toBe(preview.amount_due_now)
  })

  it('refuses a date over an hour old, in the future, or before the current period, naming proration_date', async () => {
    const { billing, clock } = engine()
    clock.now = T0 + 3_601
    await expectBillingError(billing.changeSubscription(scope, 'price_scale_month', { prorationDate: T0 }), 'invalid_request', 'proration_date')
    await expectBillingError(billing.changeSubscription(scope, 'price_scale_month', { prorationDate: clock.now + 1 }), 'invalid_request', 'proration_date')
    // A customer whose period started a minute ago: a moment before it belongs to no preview of this period.
    await billing.createCustomer('app_demo', { customUid: 'cus_new' })
    const fresh = { appId: 'app_demo', customUid: 'cus_new' }
    await billing.attachPaymentMethod(fresh, 'pm_card_visa')
    const started = await billing.changeSubscription(fresh, 'price_scale_month')
    expect(started.current_period_start).toBe(clock.now)
    clock.now += 60
    await expectBillingError(billing.changeSubscription(fresh, 'price_pro_year', { prorationDate: started.current_period_start - 1 }), 'invalid_request', 'proration_date')
    // Nothing was changed or invoiced by the refusals.
    expect((await billing.getSession(scope)).subscription?.price_id).toBe('price_pro_month')
  })
})

describe('Portal API', () => {
  let portal: TestPortal
  const clock = { now: T0 }

  async function call<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
    const token = await portal.token('cus_active')
    const response = await portal.fetch(`${portal.apiUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return { status: response.status, body: (await response.json()) as T }
  }

  function open() {
    clock.now = T0
    portal = createTestPortal({ now: () => clock.now })
    closers.push(() => portal.close())
  }

  it('POST /subscription with the preview’s proration_date charges the preview', async () => {
    open()
    const preview = await call<SubscriptionPreview>('/subscription/preview', { price_id: 'price_scale_month' })
    expect(preview.body.proration_date).toBe(T0)
    clock.now = T0 + LATER
    const changed = await call('/subscription', { price_id: 'price_scale_month', proration_date: preview.body.proration_date })
    expect(changed.status).toBe(200)
    expect((await newestInvoice(portal.billing)).total).toBe(preview.body.amount_due_now)
  })

  it.each([
    ['a string', '1763640000'],
    ['a fraction', T0 + 0.5],
    ['a negative number', -1],
    ['over an hour old', T0 - 3_601],
    ['in the future', T0 + 60],
  ])('400 invalid_request naming proration_date for %s', async (_name, prorationDate) => {
    open()
    const answer = await call<{ error: { code: string; field: string; message: string } }>('/subscription', { price_id: 'price_scale_month', proration_date: prorationDate })
    expect(answer.status).toBe(400)
    expect(answer.body.error).toMatchObject({ code: 'invalid_request', field: 'proration_date' })
    expect(answer.body.error.message).toContain('proration_date')
  })
})

describe('stripeBilling (Stripe double)', () => {
  async function stripe(): Promise<{ backend: BillingBackend; double: StripeDouble; clock: { now: number } }> {
    const clock = { now: Math.floor(Date.now() / 1000) }
    const double = await startStripeDouble({ now: () => clock.now })
    closers.push(() => double.close())
    const backend = stripeBilling({ stripe: double.client(), publicKey: 'pk_demo', now: () => clock.now })
    return { backend, double, clock }
  }

  it('returns proration_date and passes it on as Stripe’s, so the invoice equals the preview', async () => {
    const { backend, double, clock } = await stripe()
    const scale = findPrice((await backend.listPlans(scope)).data, 'Scale', 'month')
    const preview = await backend.previewSubscriptionChange(scope, scale.id)
    expect(preview.proration_date).toBe(clock.now)
    const priced = clock.now
    clock.now += LATER
    await backend.changeSubscription(scope, scale.id, { prorationDate: preview.proration_date })
    const [update] = double.requestsTo('POST', /^\/v1\/subscriptions\/sub_/)
    expect(update.params.proration_date).toBe(String(priced))
    expect((await newestInvoice(backend)).total).toBe(preview.amount_due_now)
  })

  it('refuses a stale proration_date before calling Stripe', async () => {
    const { backend, double, clock } = await stripe()
    const scale = findPrice((await backend.listPlans(scope)).data, 'Scale', 'month')
    await expectBillingError(backend.changeSubscription(scope, scale.id, { prorationDate: clock.now - 3_601 }), 'invalid_request', 'proration_date')
    expect(double.requestsTo('POST', /^\/v1\/subscriptions/)).toEqual([])
  })
})
