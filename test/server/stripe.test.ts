/**
 * `stripeBilling` over the real `stripe` client pointed at a local Stripe double
 * (test/server/stripe-double): the backend contract suite that the SQLite engine passes,
 * then what only a Stripe backend does — the requests it sends (paths, form parameters,
 * derived idempotency keys), Stripe's errors as Portal API errors, and what never reaches
 * the browser.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import Stripe from 'stripe'
import { openSqliteBilling } from '../../src/server/billing/sqlite.js'
import { stripeBilling, type StripeBillingOptions, type StripeClient } from '../../src/server/billing/stripe.js'
import { BillingError, type BillingBackend, type CustomerScope } from '../../src/server/billing/types.js'
import { createPortalHandler } from '../../src/server/handler.js'
import { createPortalToken } from '../../src/server/token.js'
import { describeBackendContract, expectBillingError, findPrice } from './backend-contract.js'
import { startStripeDouble, type StripeDouble } from './stripe-double/index.js'
import { DAY } from './stripe-double/world.js'

const APP_ID = 'app_demo'
const SECRET = 'archetype-portals-test-secret-0123456789abcdef'

interface Setup {
  double: StripeDouble
  backend: BillingBackend
  scope(uid: string): CustomerScope
  now: number
  close(): Promise<void>
}

async function setup(overrides: Partial<StripeBillingOptions> = {}): Promise<Setup> {
  const now = Math.floor(Date.now() / 1000)
  const double = await startStripeDouble({ now: () => now })
  // API keys are not a Stripe thing: they come from a SQLite engine's demo data.
  const keys = openSqliteBilling({ filename: ':memory:', seed: 'demo', now: () => now })
  const backend = stripeBilling({
    stripe: double.client(),
    meter: { id: double.demo.meter, metric: 'api_calls', name: 'API calls', unit: 'calls' },
    apiKeys: keys,
    publicKey: 'pk_demo',
    checkout: { successUrl: 'https://app.example.com/welcome', cancelUrl: 'https://app.example.com/pricing' },
    now: () => now,
    ...overrides,
  })
  return {
    double,
    backend,
    now,
    scope: (uid) => ({ appId: APP_ID, customUid: uid }),
    async close() {
      await keys.close()
      await double.close()
    },
  }
}

describeBackendContract('stripe (local double)', async () => {
  const s = await setup()
  return { backend: s.backend, scope: s.scope, cleanup: s.close }
})

describe('stripeBilling over the Stripe double', () => {
  let s: Setup
  beforeEach(async () => {
    s = await setup()
  })
  afterEach(async () => {
    await s.close()
  })

  it('takes the stripe package’s own client', () => {
    const client: StripeClient = new Stripe('sk_test_x')
    expect(typeof stripeBilling({ stripe: client }).getSession).toBe('function')
  })

  async function plans(uid = 'cus_active') {
    return (await s.backend.listPlans(s.scope(uid))).data
  }
  const onlyPortalKeys = () => s.double.requests.filter((r) => r.idempotencyKey?.startsWith('portal-'))

  describe('the requests it sends', () => {
    it('finds the customer by metadata.custom_uid once, then reads in parallel', async () => {
      await s.backend.getSession(s.scope('cus_active'))
      await s.backend.getSession(s.scope('cus_active'))
      const searches = s.double.requestsTo('GET', /^\/v1\/customers\/search$/)
      expect(searches).toHaveLength(1)
      expect(searches[0].params).toEqual({ query: "metadata['custom_uid']:'cus_active'", limit: '2' })
      // The catalog is read once and kept (catalogTtlSeconds, default 60).
      expect(s.double.requestsTo('GET', /^\/v1\/products$/)).toHaveLength(1)
    })

    it('escapes the uid inside the search query', async () => {
      await expectBillingError(s.backend.getSession(s.scope("o'brien\\")), 'not_found')
      expect(s.double.requestsTo('GET', /^\/v1\/customers\/search$/)[0].params.query).toBe("metadata['custom_uid']:'o\\'brien\\\\'")
    })

    it('asks resolveCustomer instead of searching, when given', async () => {
      const resolveCustomer = vi.fn(async (uid: string) => s.double.demo.customers[uid] ?? null)
      const backend = stripeBilling({ stripe: s.double.client(), resolveCustomer })
      expect((await backend.getSession(s.scope('cus_free'))).customer.email).toBe('edsger@example.com')
      await expectBillingError(backend.getSession(s.scope('cus_nobody')), 'not_found')
      expect(resolveCustomer).toHaveBeenCalledWith('cus_free', s.scope('cus_free'))
      expect(s.double.requestsTo('GET', /^\/v1\/customers\/search$/)).toHaveLength(0)
    })

    it('reads usage from the meter over minute-aligned bounds, with a yearly price’s twelve months of quota', async () => {
      const session = await s.backend.getSession(s.scope('cus_canceling'))
      expect(session.usage).toEqual([{ metric: 'api_calls', name: 'API calls', used: 18_000, limit: 50_000 * 12, unit: 'calls' }])
      const [summary] = s.double.requestsTo('GET', /\/event_summaries$/)
      expect(summary.path).toBe(`/v1/billing/meters/${s.double.demo.meter}/event_summaries`)
      expect(summary.params.customer).toBe(s.double.demo.customers.cus_canceling)
      expect(Number(summary.params.start_time) % 60).toBe(0)
      expect(Number(summary.params.end_time) % 60).toBe(0)
      expect(Number(summary.params.end_time)).toBeGreaterThan(s.now)
    })

    it('shows no usage without a meter, and hides API keys without a store', async () => {
      const backend = stripeBilling({ stripe: s.double.client() })
      const session = await backend.getSession(s.scope('cus_active'))
      expect(session.usage).toEqual([])
      expect(session.api_keys_enabled).toBe(false)
      expect(await backend.listApiKeys(s.scope('cus_active'))).toBeNull()
      await expectBillingError(backend.rollApiKey(s.scope('cus_active'), 'key_x'), 'not_found')
    })

    it('upgrades with one prorated, always-invoiced update under a key derived from the Portal API’s', async () => {
      const scale = findPrice(await plans(), 'Scale', 'month')
      await s.backend.changeSubscription(s.scope('cus_active'), scale.id, { idempotencyKey: 'portal-key-1' })
      const [update] = s.double.requestsTo('POST', /^\/v1\/subscriptions\/sub_/)
      const sub = s.double.world.subscriptions.get(update.path.split('/').pop() as string)!
      expect(update.params).toEqual({
        items: [{ id: sub.items.data[0].id, price: scale.id, quantity: '1' }],
        proration_behavior: 'always_invoice',
        proration_date: String(s.now),
        payment_behavior: 'error_if_incomplete',
      })
      expect(update.idempotencyKey).toMatch(/^portal-[\w-]{43}-update$/)
      expect(onlyPortalKeys()).toEqual([update])
    })

    it('derives different Stripe keys for two customers sending the same Idempotency-Key', async () => {
      await s.backend.setupPaymentMethod(s.scope('cus_active'), { idempotencyKey: 'same' })
      await s.backend.setupPaymentMethod(s.scope('cus_free'), { idempotencyKey: 'same' })
      const [a, b] = s.double.requestsTo('POST', /^\/v1\/setup_intents$/)
      expect(a.idempotencyKey).toMatch(/-setup$/)
      expect(a.idempotencyKey).not.toBe(b.idempotencyKey)
      expect(b.replayed).toBe(false)
    })

    it('sends no key of its own when the Portal API request had none', async () => {
      await s.backend.setupPaymentMethod(s.scope('cus_active'))
      await s.backend.cancelSubscription(s.scope('cus_active'), true)
      expect(onlyPortalKeys()).toEqual([])
    })

    it('keeps two handler instances from charging twice: the same key is one Stripe write', async () => {
      const other = stripeBilling({ stripe: s.double.client(), now: () => s.now })
      const scale = findPrice(await plans(), 'Scale', 'month')
      const invoicesBefore = s.double.world.invoices.size
      s.double.gate('POST', /^\/v1\/subscriptions\/sub_/, 2)
      const [a, b] = await Promise.all([
        s.backend.changeSubscription(s.scope('cus_active'), scale.id, { idempotencyKey: 'double-click' }),
        other.changeSubscription(s.scope('cus_active'), scale.id, { idempotencyKey: 'double-click' }),
      ])
      expect(a).toEqual(b)
      expect(s.double.requestsTo('POST', /^\/v1\/subscriptions\/sub_/).map((r) => r.replayed)).toEqual([false, true])
      expect(s.double.world.invoices.size).toBe(invoicesBefore + 1)
    })

    it('schedules a downgrade in two writes, and a retry after a failed second write resumes it', async () => {
      const starter = findPrice(await plans(), 'Starter', 'month')
      const session = await s.backend.getSession(s.scope('cus_active'))
      s.double.fail('POST', /^\/v1\/subscription_schedules\/sub_sched_/, { status: 500, error: { type: 'api_error', message: 'Stripe is having a moment' } })
      await expect(s.backend.changeSubscription(s.scope('cus_active'), starter.id, { idempotencyKey: 'downgrade' })).rejects.not.toBeInstanceOf(BillingError)
      const sub = await s.backend.changeSubscription(s.scope('cus_active'), starter.id, { idempotencyKey: 'downgrade' })
      expect(sub.scheduled_change).toEqual({ price_id: starter.id, at: session.subscription!.current_period_end })

      const creates = s.double.requestsTo('POST', /^\/v1\/subscription_schedules$/)
      expect(creates).toHaveLength(1)
      expect(creates[0].params).toEqual({ from_subscription: session.subscription!.id })
      expect(creates[0].idempotencyKey).toMatch(/-schedule$/)
      const updates = s.double.requestsTo('POST', /^\/v1\/subscription_schedules\/sub_sched_/)
      expect(updates.map((u) => u.status)).toEqual([500, 200])
      expect(updates[1].idempotencyKey).toBe(updates[0].idempotencyKey)
      expect(updates[1].params).toMatchObject({
        end_behavior: 'release',
        proration_behavior: 'none',
        phases: [
          { items: [{ price: session.price!.id, quantity: '1' }], start_date: String(session.subscription!.current_period_start), end_date: String(session.subscription!.current_period_end) },
          { items: [{ price: starter.id, quantity: '1' }] },
        ],
      })
    })

    it('keeps a subscription’s other items (metered overage) in both phases of a downgrade', async () => {
      const overage = [...s.double.world.prices.values()].find((p) => p.recurring.usage_type === 'metered')!
      const session = await s.backend.getSession(s.scope('cus_active'))
      s.double.world.addItem(session.subscription!.id, overage.id)
      const starter = findPrice(await plans(), 'Starter', 'month')
      const sub = await s.backend.changeSubscription(s.scope('cus_active'), starter.id)
      expect(sub.scheduled_change?.price_id).toBe(starter.id)
      const [update] = s.double.requestsTo('POST', /^\/v1\/subscription_schedules\/sub_sched_/)
      expect((update.params.phases as { items: unknown }[]).map((p) => p.items)).toEqual([
        [{ price: session.price!.id, quantity: '1' }, { price: overage.id }],
        [{ price: starter.id, quantity: '1' }, { price: overage.id }],
      ])
      expect((await s.backend.getSession(s.scope('cus_active'))).upcoming_invoice?.amount_due).toBe(starter.amount)
    })

    it('starts a trial with trial_period_days and no charge', async () => {
      const starter = findPrice(await plans('cus_canceled'), 'Starter', 'month')
      await s.backend.changeSubscription(s.scope('cus_canceled'), starter.id)
      const [create] = s.double.requestsTo('POST', /^\/v1\/subscriptions$/)
      expect(create.params).toEqual({
        customer: s.double.demo.customers.cus_canceled,
        items: [{ price: starter.id, quantity: '1' }],
        trial_period_days: '14',
        payment_behavior: 'error_if_incomplete',
        // This request's mark: a concurrent start with another mark is refused by Stripe (test/hardening/security-stripe.test.ts).
        metadata: { portal_request: expect.any(String) },
      })
      expect(create.idempotencyKey).toMatch(/^portal-start-/)
    })

    it('begins adding a card with a SetupIntent for this customer', async () => {
      const setup = await s.backend.setupPaymentMethod(s.scope('cus_free'), { idempotencyKey: 'add-card' })
      const [request] = s.double.requestsTo('POST', /^\/v1\/setup_intents$/)
      expect(request.params).toEqual({ customer: s.double.demo.customers.cus_free, usage: 'off_session', automatic_payment_methods: { enabled: 'true' } })
      expect(setup).toEqual({ provider: 'stripe', client_secret: [...s.double.world.setupIntents.values()][0].client_secret })
    })

    it('keeps a card the browser confirmed (already attached by the SetupIntent), and can make it the default', async () => {
      const customer = s.double.demo.customers.cus_active
      const confirmed = s.double.world.addCard({ customer, brand: 'amex', last4: '8431', outcome: 'succeed' })
      const pm = await s.backend.attachPaymentMethod(s.scope('cus_active'), confirmed.id, { makeDefault: true })
      expect(pm).toMatchObject({ id: confirmed.id, brand: 'amex', last4: '8431', is_default: true })
      expect(s.double.requestsTo('POST', /\/attach$/)).toEqual([])
      expect(s.double.world.customers.get(customer)!.invoice_settings.default_payment_method).toBe(confirmed.id)
    })

    it('attaches a method that is no one’s, and refuses another customer’s naming payment_method', async () => {
      const loose = s.double.world.addCard({ customer: null, brand: 'visa', last4: '1111', outcome: 'succeed' })
      expect((await s.backend.attachPaymentMethod(s.scope('cus_free'), loose.id)).is_default).toBe(true)
      expect(s.double.requestsTo('POST', /\/attach$/)[0].params).toEqual({ customer: s.double.demo.customers.cus_free })

      const [theirs] = (await s.backend.listPaymentMethods(s.scope('cus_many_invoices'))).data
      await expectBillingError(s.backend.attachPaymentMethod(s.scope('cus_active'), theirs.id), 'invalid_request', 'payment_method')
      await expectBillingError(s.backend.attachPaymentMethod(s.scope('cus_active'), 'pm_unknown'), 'invalid_request', 'payment_method')
      expect(s.double.requestsTo('POST', /\/attach$/)).toHaveLength(1)
    })

    it('attaches the sandbox’s declining test card as Stripe’s own (pm_card_chargeDeclined)', async () => {
      await expectBillingError(s.backend.attachPaymentMethod(s.scope('cus_free'), 'pm_card_declined'), 'payment_failed')
      expect(s.double.requestsTo('POST', /\/attach$/).map((r) => r.path)).toEqual(['/v1/payment_methods/pm_card_chargeDeclined/attach'])
    })

    it('never detaches another customer’s card', async () => {
      const [theirs] = (await s.backend.listPaymentMethods(s.scope('cus_many_invoices'))).data
      await expectBillingError(s.backend.removePaymentMethod(s.scope('cus_active'), theirs.id), 'not_found')
      expect(s.double.requestsTo('POST', /\/detach$/)).toEqual([])
    })

    it('pays a past-due invoice with a newly added default card', async () => {
      const scope = s.scope('cus_past_due')
      expect((await s.backend.getSession(scope)).subscription?.status).toBe('past_due')
      const visa = await s.backend.attachPaymentMethod(scope, 'pm_card_visa', { makeDefault: true, idempotencyKey: 'new-card' })
      const [pay] = s.double.requestsTo('POST', /^\/v1\/invoices\/in_[^/]+\/pay$/)
      expect(pay.params).toEqual({ payment_method: visa.id })
      expect(pay.idempotencyKey).toMatch(/-pay-in_/)
      expect((await s.backend.getSession(scope)).subscription?.status).toBe('active')
      expect((await s.backend.listInvoices(scope, { limit: 1 })).data[0].status).toBe('paid')
    })

    it('starts a Stripe Checkout for the pricing portal, with the plan’s trial', async () => {
      const starter = findPrice((await s.backend.listPublicPlans('pk_demo')).data, 'Starter', 'month')
      const { url } = await s.backend.createCheckout('pk_demo', starter.id, { idempotencyKey: 'visitor' })
      expect(url).toMatch(/^https:\/\/checkout\./)
      const [request] = s.double.requestsTo('POST', /^\/v1\/checkout\/sessions$/)
      expect(request.params).toEqual({
        mode: 'subscription',
        line_items: [{ price: starter.id, quantity: '1' }],
        success_url: 'https://app.example.com/welcome',
        cancel_url: 'https://app.example.com/pricing',
        subscription_data: { trial_period_days: '14' },
      })
      expect(request.idempotencyKey).toMatch(/-checkout$/)
    })

    it('answers no pricing page without a publicKey', async () => {
      const backend = stripeBilling({ stripe: s.double.client() })
      await expectBillingError(backend.listPublicPlans('pk_demo'), 'not_found')
    })

    it('offers only flat monthly and yearly prices of active products as plans', async () => {
      const all = await plans()
      const pro = all.find((p) => p.name === 'Pro')!
      const proPrices = [...s.double.world.prices.values()].filter((p) => p.product === pro.id)
      expect(proPrices).toHaveLength(4) // plus a metered overage price and an archived one
      expect(pro.prices.map((p) => p.amount)).toEqual([4_900, 49_000])
      expect(all.map((p) => p.name)).not.toContain('Onboarding call')
    })
  })

  describe('cancellation dates and metric names', () => {
    it('dates cancellations with the subscription’s own canceled_at and ended_at, not the portal’s clock', async () => {
      // The demo's: asked five days ago to cancel at the period end; canceled at once twenty days ago.
      expect((await s.backend.getSession(s.scope('cus_canceling'))).subscription).toMatchObject({ canceled_at: s.now - 5 * DAY, ended_at: null })
      expect((await s.backend.getSession(s.scope('cus_canceled'))).subscription).toMatchObject({ canceled_at: s.now - 20 * DAY, ended_at: s.now - 20 * DAY })
      // What Stripe shows once a period-end cancellation took effect: asked then, ended later.
      const [sub] = [...s.double.world.subscriptions.values()].filter((x) => x.customer === s.double.demo.customers.cus_canceling)
      Object.assign(sub, { status: 'canceled', ended_at: s.now - DAY })
      expect((await s.backend.getSession(s.scope('cus_canceling'))).subscription).toMatchObject({ status: 'canceled', canceled_at: s.now - 5 * DAY, ended_at: s.now - DAY })
    })

    it('cancels at the period end through cancel_at_period_end, which Stripe dates; resuming clears the date', async () => {
      const scope = s.scope('cus_active')
      expect(await s.backend.cancelSubscription(scope, true)).toMatchObject({ cancel_at_period_end: true, canceled_at: s.now, ended_at: null })
      expect(await s.backend.resumeSubscription(scope)).toMatchObject({ cancel_at_period_end: false, canceled_at: null, ended_at: null })
      expect(s.double.requestsTo('POST', /^\/v1\/subscriptions\/sub_/).map((r) => r.params)).toEqual([{ cancel_at_period_end: 'true' }, { cancel_at_period_end: 'false' }])
      expect(await s.backend.cancelSubscription(scope, false)).toMatchObject({ status: 'canceled', canceled_at: s.now, ended_at: s.now })
      expect(s.double.requestsTo('DELETE', /^\/v1\/subscriptions\/sub_/)).toHaveLength(1)
    })

    it('names each plan’s metered quota by its meter’s name and unit, on every read of a plan', async () => {
      const named = { api_calls: { name: 'API calls', unit: 'calls' } }
      for (const plan of (await s.backend.listPublicPlans('pk_demo')).data) expect(plan.metrics).toEqual(named)
      expect((await s.backend.getSession(s.scope('cus_active'))).plan?.metrics).toEqual(named)
      // A plan read from Stripe's objects (an archived price), not the catalog, is named too.
      const archived = [...s.double.world.prices.values()].find((p) => !p.active)!
      const [sub] = [...s.double.world.subscriptions.values()].filter((x) => x.customer === s.double.demo.customers.cus_free)
      sub.items.data[0].price = archived
      const session = await s.backend.getSession(s.scope('cus_free'))
      expect(session.price?.id).toBe(archived.id)
      expect(session.plan?.metrics).toEqual(named)
    })

    it('names only what a meter names: no meter, a meter without a name, or a quota no meter counts name nothing', async () => {
      const pro = [...s.double.world.products.values()].find((p) => p.name === 'Pro')!
      pro.metadata.quota_seats = '5'
      const metricsOf = async (backend: BillingBackend) => (await backend.listPlans(s.scope('cus_active'))).data.find((p) => p.name === 'Pro')?.metrics
      expect(await metricsOf(s.backend)).toEqual({ api_calls: { name: 'API calls', unit: 'calls' } })
      expect(await metricsOf(stripeBilling({ stripe: s.double.client() }))).toEqual({})
      expect(await metricsOf(stripeBilling({ stripe: s.double.client(), meter: { id: s.double.demo.meter, metric: 'api_calls' } }))).toEqual({})
      expect(await metricsOf(stripeBilling({ stripe: s.double.client(), meter: { id: s.double.demo.meter, metric: 'api_calls', name: 'Requests' } }))).toEqual({
        api_calls: { name: 'Requests', unit: '' },
      })
    })
  })

  describe('Stripe’s errors', () => {
    it('turns a declined card into payment_failed with Stripe’s message, changing nothing', async () => {
      const scope = s.scope('cus_past_due')
      const pro = findPrice(await plans('cus_past_due'), 'Pro', 'month')
      const error = await expectBillingError(s.backend.changeSubscription(scope, pro.id), 'payment_failed', 'payment_method')
      expect(error.message).toBe('Your card was declined.')
      expect((await s.backend.getSession(scope)).plan?.name).toBe('Starter')
    })

    it('turns Stripe’s rate limit into rate_limited with its Retry-After, and a 429 from the handler', async () => {
      s.double.fail('GET', /^\/v1\/customers\/search$/, { status: 429, error: { type: 'rate_limit_error', code: 'rate_limit', message: 'Too many requests' }, headers: { 'retry-after': '7' } }, 2)
      const error = await expectBillingError(s.backend.getSession(s.scope('cus_active')), 'rate_limited')
      expect(error.retryAfter).toBe(7)
      const response = await call(s.backend, 'cus_active', '/session')
      expect(response.status).toBe(429)
      expect(response.headers.get('retry-after')).toBe('7')
    })

    it('turns a reused Stripe idempotency key into conflict', async () => {
      s.double.fail('POST', /^\/v1\/setup_intents$/, { status: 400, error: { type: 'idempotency_error', message: 'Keys for idempotent requests can only be used with the same parameters' } })
      await expectBillingError(s.backend.setupPaymentMethod(s.scope('cus_active'), { idempotencyKey: 'k' }), 'conflict')
    })

    it('answers a wrong secret key as a generic 500, its details for onError alone', async () => {
      const backend = stripeBilling({ stripe: s.double.client({ apiKey: 'sk_test_wrong_key_1234' }) })
      const onError = vi.fn()
      const response = await call(backend, 'cus_active', '/session', { onError })
      expect(response.status).toBe(500)
      const text = await response.text()
      expect(JSON.parse(text).error.code).toBe('server')
      expect(text).not.toMatch(/sk_|Invalid API Key|Stripe/)
      expect(String(onError.mock.calls[0][0])).toMatch(/StripeAuthenticationError/)
    })

    it('answers Stripe being unreachable as a generic 500', async () => {
      const backend = stripeBilling({ stripe: new Stripe('sk_test_x', { host: '127.0.0.1', port: 9, protocol: 'http', maxNetworkRetries: 0 }) })
      const onError = vi.fn()
      const response = await call(backend, 'cus_active', '/session', { onError })
      expect(response.status).toBe(500)
      expect(String(onError.mock.calls[0][0])).toMatch(/StripeConnectionError/)
    })

    it('names the product and key of product metadata it cannot read', async () => {
      const pro = [...s.double.world.products.values()].find((p) => p.name === 'Pro')!
      pro.metadata.quota_api_calls = 'lots'
      const onError = vi.fn()
      expect((await call(s.backend, 'cus_active', '/plans', { onError })).status).toBe(500)
      expect(String(onError.mock.calls[0][0])).toContain(`Stripe product ${pro.id}: metadata.quota_api_calls must be a whole number or "unlimited"`)
    })
  })

  it('shows the browser the customer’s own ids only: no Stripe customer id, no key', async () => {
    const body = await (await call(s.backend, 'cus_active', '/session')).text()
    expect(JSON.parse(body).customer.id).toBe('cus_active')
    expect(body).not.toContain(s.double.demo.customers.cus_active)
    expect(body).not.toContain('sk_test')
    const methods = await (await call(s.backend, 'cus_active', '/payment-methods')).text()
    expect(methods).not.toContain(s.double.demo.customers.cus_active)
  })

  it('passes the Portal API’s Idempotency-Key through the handler to Stripe', async () => {
    const response = await call(s.backend, 'cus_active', '/payment-methods/setup', { method: 'POST', idempotencyKey: 'browser-key' })
    expect(await response.json()).toMatchObject({ provider: 'stripe', client_secret: expect.stringMatching(/^seti_.+_secret_/) })
    expect(s.double.requestsTo('POST', /^\/v1\/setup_intents$/)[0].idempotencyKey).toMatch(/^portal-.+-setup$/)
  })
})

describe('stripeBilling options', () => {
  const stripe = new Stripe('sk_test_x')
  it.each([
    [{}, /`stripe` must be an instance of the stripe package/],
    [{ stripe: { customers: {} } }, /`stripe` must be an instance/],
    [{ stripe, meter: { metric: 'api_calls' } }, /`meter.id` must be a Billing Meter id/],
    [{ stripe, meter: [{ id: 'mtr_1', metric: 'api calls' }] }, /`meter\[0\].metric` must be a quota key/],
    [{ stripe, meter: { id: 'mtr_1', metric: 'api_calls', name: 42 } }, /`meter.name` must be a string/],
    [{ stripe, meter: [{ id: 'mtr_1', metric: 'api_calls', unit: ['calls'] }] }, /`meter\[0\].unit` must be a string/],
    [{ stripe, checkout: { successUrl: '/welcome', cancelUrl: 'https://x.test' } }, /`checkout.successUrl` must be an absolute http\(s\) URL/],
    [{ stripe, apiKeys: {} }, /`apiKeys` must have listApiKeys, rollApiKey, createApiKey, revokeApiKey/],
    [{ stripe, catalogTtlSeconds: -1 }, /`catalogTtlSeconds`/],
    [{ stripe, resolveCustomer: 'cus_1' }, /`resolveCustomer` must be a function/],
  ])('refuses %j naming the option', (options, message) => {
    expect(() => stripeBilling(options as unknown as StripeBillingOptions)).toThrow(message)
  })
})

/** One Portal API request through the real handler over `backend`, as the browser sends it. */
async function call(
  backend: BillingBackend,
  uid: string,
  path: string,
  options: { method?: string; idempotencyKey?: string; onError?: (error: unknown) => void } = {},
): Promise<Response> {
  const handler = createPortalHandler({ appId: APP_ID, secret: SECRET, billing: backend, onError: options.onError ?? (() => undefined) })
  const { token } = await createPortalToken({ appId: APP_ID, secret: SECRET, customUid: uid })
  const headers: Record<string, string> = { authorization: `Bearer ${token}` }
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey
  if (options.method === 'POST') headers['content-type'] = 'application/json'
  return handler(new Request(`http://portal.test/api/portal${path}`, { method: options.method ?? 'GET', headers, body: options.method === 'POST' ? '{}' : undefined }))
}
