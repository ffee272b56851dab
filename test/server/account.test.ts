/**
 * Issue 17, server side, through the real handler on every backend (the SQLite and
 * PostgreSQL engines, `stripeBilling` on the Stripe double): billing details and their
 * validation, paying an open invoice, and the seller controls (`features`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ErrorBody, Plan, PortalFeatures } from '../../src/api/types.js'
import { openSqliteBilling } from '../../src/server/billing/sqlite.js'
import { stripeBilling } from '../../src/server/billing/stripe.js'
import type { BillingBackend } from '../../src/server/billing/types.js'
import { createPortalHandler, type PortalHandlerOptions } from '../../src/server/handler.js'
import { taxIdProblem, TAX_ID_TYPES } from '../../src/server/schemas/billing-details.js'
import { createPortalToken } from '../../src/server/token.js'
import { countingBackend } from '../hardening/support.js'
import { ENGINES } from '../helpers/engines.js'
import { findPrice } from './backend-contract.js'
import { startStripeDouble, type StripeDouble } from './stripe-double/index.js'

const APP_ID = 'app_demo'
const SECRET = 'archetype-portals-test-secret-0123456789abcdef'

interface Backend {
  billing: BillingBackend
  /** Set on the Stripe double: its request log. */
  double?: StripeDouble
  close(): Promise<void>
}

const BACKENDS: { name: string; open(): Promise<Backend> }[] = [
  ...ENGINES.map((kind) => ({
    name: kind.name,
    async open(): Promise<Backend> {
      const opened = await kind.open({ seed: 'demo' })
      return { billing: opened.engine, close: () => opened.close() }
    },
  })),
  {
    name: 'stripe (local double)',
    async open(): Promise<Backend> {
      const now = Math.floor(Date.now() / 1000)
      const double = await startStripeDouble({ now: () => now })
      // API keys are not a Stripe thing: they come from a SQLite engine's demo data.
      const keys = openSqliteBilling({ filename: ':memory:', seed: 'demo', now: () => now })
      const billing = stripeBilling({ stripe: double.client(), apiKeys: keys, publicKey: 'pk_demo', now: () => now })
      return {
        billing,
        double,
        async close() {
          await keys.close()
          await double.close()
        },
      }
    },
  },
]

interface Answer<T = unknown> {
  status: number
  headers: Headers
  body: T
}

/** A Portal API over `billing`, called as the browser calls it; `features` as the seller set them. */
function portal(billing: BillingBackend, features?: PortalHandlerOptions['features']) {
  const errors: unknown[] = []
  const handler = createPortalHandler({ appId: APP_ID, secret: SECRET, billing, features, onError: (e) => errors.push(e) })
  async function call<T = unknown>(uid: string, method: string, path: string, options: { body?: unknown; key?: string } = {}): Promise<Answer<T>> {
    const { token } = await createPortalToken({ appId: APP_ID, secret: SECRET, customUid: uid })
    const headers: Record<string, string> = { authorization: `Bearer ${token}` }
    if (options.key) headers['idempotency-key'] = options.key
    const hasBody = method !== 'GET'
    if (hasBody) headers['content-type'] = 'application/json'
    const response = await handler(new Request(`http://portal.test/api/portal${path}`, { method, headers, body: hasBody ? JSON.stringify(options.body ?? {}) : undefined }))
    return { status: response.status, headers: response.headers, body: (await response.json()) as T }
  }
  return { call, errors }
}

const errorOf = (answer: Answer) => (answer.body as ErrorBody).error

/** A value of each type that fits its format, and one that does not. */
const TAX_IDS: [type: (typeof TAX_ID_TYPES)[number], valid: string, malformed: string][] = [
  ['eu_vat', 'DE123456789', 'DE12345678'],
  ['gb_vat', 'GB123456789', 'GB12345'],
  ['ch_vat', 'CHE-123.456.789 MWST', 'CH-123.456.789'],
  ['no_vat', '123456789MVA', '123456789'],
  ['us_ein', '12-3456789', '12-345678'],
  ['ca_bn', '123456789', '12345678A'],
  ['au_abn', '12345678912', '1234567891'],
  ['in_gst', '12ABCDE3456FGZH', '12ABCDE3456FG'],
  ['jp_cn', '1234567891234', '123456789123'],
  ['br_cnpj', '01.234.456/5432-10', '01.234.456/5432-1'],
]

describe('tax ID formats (format only, no lookup)', () => {
  it('covers every type the Portal API accepts', () => {
    expect(TAX_IDS.map(([type]) => type).sort()).toEqual([...TAX_ID_TYPES].sort())
  })

  it.each(TAX_IDS)('%s takes %s and refuses %s, saying what it expected', (type, valid, malformed) => {
    expect(taxIdProblem(type, valid)).toBeNull()
    expect(taxIdProblem(type, malformed)).toMatch(/expected .+/)
  })

  it('checks an EU VAT number by its member state’s prefix', () => {
    const valid = ['ATU12345678', 'BE0123456789', 'BG123456789', 'CY12345678Z', 'CZ12345678', 'DK12345678', 'EE123456789', 'EL123456789', 'ESA1234567Z', 'FI12345678', 'FRAB123456789', 'HR12345678901', 'HU12345678', 'IE1234567WA', 'IT12345678901', 'LT123456789', 'LU12345678', 'LV12345678901', 'MT12345678', 'NL123456789B01', 'PL1234567890', 'PT123456789', 'RO1234567890', 'SE123456789001', 'SI12345678', 'SK1234567890', 'XI123456789', 'nl 1234.567.89 b01']
    for (const value of valid) expect(taxIdProblem('eu_vat', value), value).toBeNull()
    expect(taxIdProblem('eu_vat', 'NL123456789')).toBe('is not a NL VAT number: expected NL then 9 digits, B and 2 digits, like NL123456789B01')
    expect(taxIdProblem('eu_vat', 'ATU1234567')).toContain('ATU then 8 digits')
    // A German number under the Austrian prefix is not an Austrian number.
    expect(taxIdProblem('eu_vat', 'AT123456789')).toContain('AT VAT number')
    expect(taxIdProblem('eu_vat', 'GB123456789')).toContain('member-state prefix')
    expect(taxIdProblem('eu_vat', 'US123456789')).toContain('member-state prefix')
  })
})

describe.each(BACKENDS)('issue 17 on $name', (kind) => {
  let backend: Backend
  beforeAll(async () => {
    backend = await kind.open()
  })
  afterAll(async () => {
    await backend.close()
  })
  const plansOf = async (call: ReturnType<typeof portal>['call']) => (await call<{ data: Plan[] }>('cus_active', 'GET', '/plans')).body.data

  describe('billing details', () => {
    it('reads and writes them over GET and POST /customer', async () => {
      const { call } = portal(backend.billing)
      const before = await call('cus_canceling', 'GET', '/customer')
      expect(before.status).toBe(200)
      expect(before.body).toMatchObject({ id: 'cus_canceling', address: null, tax_ids: [] })
      const body = { name: 'Turing Ltd', address: { line1: '1 Bletchley Park', line2: '', city: 'Milton Keynes', postal_code: 'MK3 6EB', country: 'GB' }, tax_ids: [{ type: 'gb_vat', value: ' GB 123 4567 89 ' }] }
      const saved = await call('cus_canceling', 'POST', '/customer', { body })
      expect(saved.status).toBe(200)
      const expected = { id: 'cus_canceling', name: 'Turing Ltd', email: (before.body as { email: string }).email, address: { line1: '1 Bletchley Park', line2: null, city: 'Milton Keynes', postal_code: 'MK3 6EB', state: null, country: 'GB' }, tax_ids: [{ type: 'gb_vat', value: 'GB 123 4567 89' }] }
      expect(saved.body).toEqual(expected)
      expect((await call('cus_canceling', 'GET', '/customer')).body).toEqual(expected)
    })

    it.each([
      [{ address: { line1: '1 Main St', city: 'Springfield', country: 'XX' } }, 'address.country', 'ISO 3166-1 alpha-2'],
      [{ address: { line1: '1 Main St', city: 'Berlin', country: 'de' } }, 'address.country', 'ISO 3166-1 alpha-2'],
      [{ address: { city: 'Berlin', country: 'DE' } }, 'address.line1', 'Missing required field'],
      [{ email: 'not-an-email' }, 'email', 'email address'],
      [{ tax_ids: [{ type: 'xx_vat', value: '123' }] }, 'tax_ids[0].type', 'eu_vat, gb_vat'],
      [{ tax_ids: [{ type: 'gb_vat', value: 'GB123456789' }, { type: 'eu_vat', value: 'FR123' }] }, 'tax_ids[1].value', 'is not a FR VAT number: expected FR then 2 letters or digits and 9 digits'],
      [{ nickname: 'x' }, 'nickname', 'Unknown field'],
    ])('refuses %j naming %s', async (body, field, message) => {
      const { call } = portal(backend.billing)
      const answer = await call('cus_free', 'POST', '/customer', { body })
      expect(answer.status).toBe(400)
      expect(errorOf(answer)).toMatchObject({ code: 'invalid_request', field })
      expect(errorOf(answer).message).toContain(message)
      expect((await call('cus_free', 'GET', '/customer')).body).toMatchObject({ address: null, tax_ids: [] })
    })

    it.each(TAX_IDS)('refuses a malformed %s value, naming tax_ids[1].value and its format', async (type, _valid, malformed) => {
      const { call } = portal(backend.billing)
      const answer = await call('cus_free', 'POST', '/customer', { body: { tax_ids: [{ type: 'us_ein', value: '12-3456789' }, { type, value: malformed }] } })
      expect(answer.status).toBe(400)
      expect(errorOf(answer)).toMatchObject({ code: 'invalid_request', field: 'tax_ids[1].value' })
      expect(errorOf(answer).message).toMatch(/^Field `tax_ids\[1\]\.value` is not an? .+: expected .+/)
    })
  })

  describe('POST /invoices/:id/pay', () => {
    const openInvoiceOf = async (call: ReturnType<typeof portal>['call'], uid: string) =>
      (await call<{ data: { id: string; status: string }[] }>(uid, 'GET', '/invoices?limit=100')).body.data.find((i) => i.status === 'open')

    it('answers a declined card with 402 payment_failed and its message', async () => {
      const { call } = portal(backend.billing)
      const open = (await openInvoiceOf(call, 'cus_past_due'))!
      const answer = await call('cus_past_due', 'POST', `/invoices/${open.id}/pay`)
      expect(answer.status).toBe(402)
      expect(errorOf(answer)).toMatchObject({ code: 'payment_failed', message: 'Your card was declined.' })
    })

    it('answers 409 for an invoice that is not open', async () => {
      const { call } = portal(backend.billing)
      const [paid] = (await call<{ data: { id: string; status: string }[] }>('cus_active', 'GET', '/invoices?limit=1')).body.data
      expect(paid.status).toBe('paid')
      const answer = await call('cus_active', 'POST', `/invoices/${paid.id}/pay`)
      expect(answer.status).toBe(409)
      expect(errorOf(answer).code).toBe('conflict')
    })

    it('pays once: two tabs at once get one 200 and one 409, and a retry under the first key replays its answer', async () => {
      const counted = countingBackend(backend.billing)
      const { call } = portal(counted.billing)
      const uid = 'cus_past_due'
      const open = (await openInvoiceOf(call, uid))!
      const methods = (await call<{ data: { id: string; is_default: boolean }[] }>(uid, 'GET', '/payment-methods')).body.data
      // A working default card that has not settled anything yet: added aside, then the declining one removed.
      await call(uid, 'POST', '/payment-methods', { body: { payment_method: 'pm_card_visa', make_default: false } })
      await call(uid, 'DELETE', `/payment-methods/${methods.find((m) => m.is_default)!.id}`)
      const paidAtStripe = () => backend.double?.requestsTo('POST', /^\/v1\/invoices\/[^/]+\/pay$/).filter((r) => r.status === 200).length ?? 0
      const before = paidAtStripe()

      const tabs = await Promise.all(['tab-1', 'tab-2'].map((key) => call(uid, 'POST', `/invoices/${open.id}/pay`, { key })))
      expect(tabs.map((t) => t.status).sort()).toEqual([200, 409])
      const first = tabs.find((t) => t.status === 200)!
      expect(first.body).toMatchObject({ id: open.id, status: 'paid' })
      const firstKey = tabs[0] === first ? 'tab-1' : 'tab-2'

      const retry = await call(uid, 'POST', `/invoices/${open.id}/pay`, { key: firstKey })
      expect(retry.status).toBe(200)
      expect(retry.headers.get('idempotent-replayed')).toBe('true')
      expect(retry.body).toEqual(first.body)
      // The retry never reached the backend: two calls (the tabs), one charge.
      expect(counted.calls.get('payInvoice')).toBe(2)
      if (backend.double) expect(paidAtStripe() - before).toBe(1)
      expect((await call<{ subscription: { status: string } }>(uid, 'GET', '/session')).body.subscription.status).toBe('active')
      // Without a key, paying again is refused: the invoice is no longer open.
      expect((await call(uid, 'POST', `/invoices/${open.id}/pay`)).status).toBe(409)
    })
  })

  describe('seller controls', () => {
    const PRICE = { price_id: 'price_x' }
    /** Every route a feature gates; `:id`s that do not exist: the refusal comes before any lookup. */
    const GATED: [feature: keyof PortalFeatures, method: string, path: string, body?: object][] = [
      ['changePlan', 'GET', '/plans'],
      ['changePlan', 'POST', '/subscription/preview', PRICE],
      ['changePlan', 'POST', '/subscription', PRICE],
      ['changePlan', 'DELETE', '/subscription/scheduled-change'],
      ['cancel', 'POST', '/subscription/cancel'],
      ['paymentMethods', 'GET', '/payment-methods'],
      ['paymentMethods', 'POST', '/payment-methods', { payment_method: 'pm_card_visa' }],
      ['paymentMethods', 'POST', '/payment-methods/setup'],
      ['paymentMethods', 'POST', '/payment-methods/pm_nope/default'],
      ['paymentMethods', 'DELETE', '/payment-methods/pm_nope'],
      ['invoices', 'GET', '/invoices'],
      ['invoices', 'GET', '/invoices/in_nope'],
      ['invoices', 'POST', '/invoices/in_nope/pay'],
      ['billingDetails', 'GET', '/customer'],
      ['billingDetails', 'POST', '/customer', { name: 'Off' }],
      ['apiKeys', 'GET', '/api-keys'],
      ['apiKeys', 'POST', '/api-keys', { name: 'Off' }],
      ['apiKeys', 'POST', '/api-keys/key_nope/roll'],
      ['apiKeys', 'DELETE', '/api-keys/key_nope'],
    ]

    it.each(GATED)('features.%s: false answers %s %s with 403 forbidden naming the feature', async (feature, method, path, body) => {
      const off = portal(backend.billing, { [feature]: false })
      // cus_canceled: what the default portal then does to it leaves the other tests' customers alone.
      const answer = await off.call('cus_canceled', method, path, { body })
      expect(answer.status).toBe(403)
      expect(errorOf(answer).code).toBe('forbidden')
      expect(errorOf(answer).message).toContain(`features.${feature}: true`)
      // On by default: the same request reaches the backend (and answers whatever it answers).
      expect((await portal(backend.billing).call('cus_canceled', method, path, { body })).status).not.toBe(403)
    })

    it('leaves what is off unchanged (a refused POST /customer writes nothing)', async () => {
      await portal(backend.billing, { billingDetails: false }).call('cus_trialing', 'POST', '/customer', { body: { name: 'Changed' } })
      expect((await portal(backend.billing).call<{ name: string }>('cus_trialing', 'GET', '/customer')).body.name).not.toBe('Changed')
    })

    it('sends the resolved features in GET /session', async () => {
      const defaults = await portal(backend.billing).call<{ features: PortalFeatures }>('cus_active', 'GET', '/session')
      expect(defaults.body.features).toEqual({ changePlan: true, cancel: true, paymentMethods: true, invoices: true, billingDetails: true, apiKeys: true, plans: null })
      const some = await portal(backend.billing, { cancel: 'at_period_end', apiKeys: 'read_only', invoices: false, plans: ['p1', 'p1', 'p2'] }).call<{ features: PortalFeatures }>('cus_active', 'GET', '/session')
      expect(some.body.features).toEqual({ changePlan: true, cancel: 'at_period_end', paymentMethods: true, invoices: false, billingDetails: true, apiKeys: 'read_only', plans: ['p1', 'p2'] })
    })

    it("apiKeys: 'read_only' lists keys and refuses creating, rolling and revoking them", async () => {
      const { call } = portal(backend.billing, { apiKeys: 'read_only' })
      const list = await call<{ data: { id: string }[] }>('cus_active', 'GET', '/api-keys')
      expect(list.status).toBe(200)
      const id = list.body.data[0].id
      for (const [method, path, body] of [['POST', '/api-keys', { name: 'New' }], ['POST', `/api-keys/${id}/roll`], ['DELETE', `/api-keys/${id}`]] as const) {
        const answer = await call('cus_active', method, path, { body })
        expect(answer.status, `${method} ${path}`).toBe(403)
        expect(errorOf(answer).message).toContain('features.apiKeys')
      }
      expect((await call<{ data: unknown[] }>('cus_active', 'GET', '/api-keys')).body.data).toEqual(list.body.data)
    })

    it("cancel: 'at_period_end' refuses cancelling at once and allows it at the period end", async () => {
      const { call } = portal(backend.billing, { cancel: 'at_period_end' })
      const now = await call('cus_trialing', 'POST', '/subscription/cancel', { body: { at_period_end: false } })
      expect(now.status).toBe(403)
      expect(errorOf(now).message).toContain('features.cancel')
      expect((await call<{ subscription: { status: string } }>('cus_trialing', 'GET', '/session')).body.subscription.status).toBe('trialing')
      const later = await call('cus_trialing', 'POST', '/subscription/cancel', { body: {} })
      expect(later.status).toBe(200)
      expect(later.body).toMatchObject({ cancel_at_period_end: true })
    })

    it("changePlan: 'upgrades_only': each price of GET /plans says (change_allowed) what its preview then answers", async () => {
      const { call } = portal(backend.billing, { changePlan: 'upgrades_only' })
      // Monthly, yearly, in a trial, set to cancel, free: where a price per month and the backend's rule part.
      for (const uid of ['cus_active', 'cus_canceling', 'cus_trialing', 'cus_free']) {
        const plans = await call<{ data: Plan[]; current_price_id: string }>(uid, 'GET', '/plans')
        for (const price of plans.body.data.flatMap((plan) => plan.prices)) {
          if (price.id === plans.body.current_price_id) {
            expect(price.change_allowed, `${uid} ${price.id}`).toBe(false)
            continue
          }
          const preview = await call<{ effective: string }>(uid, 'POST', '/subscription/preview', { body: { price_id: price.id } })
          expect(preview.status === 403, `${uid} → ${price.id}: ${JSON.stringify(preview.body)}`).toBe(!price.change_allowed)
          if (preview.status === 200) expect(preview.body.effective, `${uid} → ${price.id}`).toBe(price.change_effective)
        }
      }
      const of = async (uid: string, name: string, period: 'month' | 'year') => findPrice((await call<{ data: Plan[] }>(uid, 'GET', '/plans')).body.data, name, period)
      // Yearly Starter to monthly Pro costs more a month, yet waits for the period end: refused, and said so.
      expect(await of('cus_canceling', 'Pro', 'month')).toMatchObject({ change_effective: 'period_end', change_allowed: false })
      expect(await of('cus_canceling', 'Pro', 'year')).toMatchObject({ change_effective: 'now', change_allowed: true })
      // In a trial a cheaper plan applies at once: allowed.
      expect(await of('cus_trialing', 'Starter', 'month')).toMatchObject({ change_effective: 'now', change_allowed: true })
      // Without the restriction every other price is allowed, whenever it applies.
      const open = await portal(backend.billing).call<{ data: Plan[] }>('cus_canceling', 'GET', '/plans')
      expect(findPrice(open.body.data, 'Pro', 'month')).toMatchObject({ change_effective: 'period_end', change_allowed: true })
    })

    it("changePlan: 'upgrades_only' refuses a downgrade (preview and change) and allows an upgrade", async () => {
      const { call } = portal(backend.billing, { changePlan: 'upgrades_only' })
      const plans = await plansOf(call)
      const starter = findPrice(plans, 'Starter', 'month').id
      for (const path of ['/subscription/preview', '/subscription']) {
        const answer = await call('cus_active', 'POST', path, { body: { price_id: starter } })
        expect(answer.status, path).toBe(403)
        expect(errorOf(answer).message).toContain('features.changePlan')
      }
      expect((await call<{ subscription: { scheduled_change: unknown } }>('cus_active', 'GET', '/session')).body.subscription.scheduled_change).toBeNull()
      const scale = findPrice(plans, 'Scale', 'month').id
      expect((await call('cus_active', 'POST', '/subscription/preview', { body: { price_id: scale } })).status).toBe(200)
      expect((await call('cus_active', 'POST', '/subscription', { body: { price_id: scale } })).body).toMatchObject({ price_id: scale, status: 'active' })
    })

    it('plans: lists only the allowed prices, and refuses switching to any other', async () => {
      const all = await plansOf(portal(backend.billing).call)
      const starter = findPrice(all, 'Starter', 'month').id
      const proYear = findPrice(all, 'Pro', 'year').id
      const { call, errors } = portal(backend.billing, { plans: [starter, proYear] })
      const listed = await plansOf(call)
      expect(listed.map((p) => [p.name, p.prices.map((x) => x.id)])).toEqual([
        ['Starter', [starter]],
        ['Pro', [proYear]],
      ])
      const scale = findPrice(all, 'Scale', 'month').id
      for (const path of ['/subscription/preview', '/subscription']) {
        const answer = await call('cus_free', 'POST', path, { body: { price_id: scale } })
        expect(answer.status, path).toBe(403)
        expect(errorOf(answer).message).toContain('features.plans')
      }
      const preview = await call('cus_active', 'POST', '/subscription/preview', { body: { price_id: proYear } })
      expect(preview.status, String(errors[0])).toBe(200)
    })
  })

  describe('a plan change while the subscription is set to cancel at the period end', () => {
    type Preview = { effective: string; amount_due_now: number; lines: { description: string; amount: number }[] }
    it('is previewed as the change will be made (withdrawing the cancellation), and priced as without it', async () => {
      const { call, errors } = portal(backend.billing)
      const uid = 'cus_canceling'
      expect((await call<{ subscription: { cancel_at_period_end: boolean } }>(uid, 'GET', '/session')).body.subscription.cancel_at_period_end).toBe(true)
      const proYear = findPrice(await plansOf(call), 'Pro', 'year').id
      const canceling = await call<Preview>(uid, 'POST', '/subscription/preview', { body: { price_id: proYear } })
      expect(canceling.status, String(errors[0])).toBe(200)
      expect(canceling.body).toMatchObject({ effective: 'now' })
      expect(canceling.body.amount_due_now).toBeGreaterThan(0)

      // The same customer without the cancellation: the same change, the same lines.
      expect((await call(uid, 'POST', '/subscription/resume')).status).toBe(200)
      const resumed = (await call<Preview>(uid, 'POST', '/subscription/preview', { body: { price_id: proYear } })).body
      expect(canceling.body.lines.map((l) => l.description)).toEqual(resumed.lines.map((l) => l.description))
      // The engines price to the second: a second may pass between the two.
      expect(Math.abs(canceling.body.amount_due_now - resumed.amount_due_now)).toBeLessThanOrEqual(1)

      // And making the change withdraws the cancellation, as the preview said.
      expect((await call(uid, 'POST', '/subscription/cancel', { body: { at_period_end: true } })).status).toBe(200)
      const changed = await call(uid, 'POST', '/subscription', { body: { price_id: proYear } })
      expect(changed.status, String(errors[0])).toBe(200)
      expect(changed.body).toMatchObject({ price_id: proYear, cancel_at_period_end: false })
    })
  })
})

describe('createPortalHandler({ features }) checks the option', () => {
  const billing = openSqliteBilling({ filename: ':memory:' })
  afterAll(() => billing.close())
  const make = (features: unknown) => () => createPortalHandler({ appId: APP_ID, secret: SECRET, billing, features: features as PortalHandlerOptions['features'] })

  it.each([
    ['off', '`features` must be an object'],
    [{ cancel: 'yes' }, '`features.cancel` must be true, "at_period_end" or false (got "yes")'],
    [{ changePlan: 'downgrades_only' }, '`features.changePlan` must be true, "upgrades_only" or false'],
    [{ apiKeys: 'read' }, '`features.apiKeys` must be true, "read_only" or false'],
    [{ invoices: 'read_only' }, '`features.invoices` must be true or false'],
    [{ plans: [] }, '`features.plans` must be a non-empty array of price ids'],
    [{ plans: ['price_a', 7] }, '`features.plans` must be a non-empty array of price ids'],
    [{ billing_details: false }, 'Unknown option `features.billing_details`'],
  ])('refuses %j with a TypeError naming the option', (features, message) => {
    expect(make(features)).toThrow(TypeError)
    expect(make(features)).toThrow(message)
  })

  it('takes every legal value', () => {
    expect(make({ changePlan: 'upgrades_only', cancel: false, paymentMethods: false, invoices: true, billingDetails: false, apiKeys: 'read_only', plans: ['price_a'] })).not.toThrow()
  })
})
