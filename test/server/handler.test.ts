import { request as httpRequest } from 'node:http'
import { SignJWT } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Invoice, List, PaymentMethod, Plan, PlansResponse, Session, Subscription } from '../../src/api/types.js'
import type { BillingBackend } from '../../src/server/billing/types.js'
import { BillingError } from '../../src/server/billing/types.js'
import { createPortalHandler } from '../../src/server/handler.js'
import type { PortalHandlerOptions } from '../../src/server/handler.js'
import type { TestPortal, TestPortalOptions } from '../helpers/portal.js'
import { TEST_APP_ID, TEST_SECRET, callJson, createTestPortal, listen } from '../helpers/portal.js'

interface Answer<T = unknown> {
  status: number
  headers: Headers
  body: T
  text: string
}

interface Harness {
  portal: TestPortal
  api: string
  token: string
  call<T = unknown>(method: string, path: string, options?: { body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> }): Promise<Answer<T>>
  close(): Promise<void>
}

const scopeOf = (customUid: string) => ({ appId: TEST_APP_ID, customUid })

/** A test portal on a real loopback server, with a cus_active token. */
async function harness(options: TestPortalOptions = {}, wrap?: (billing: BillingBackend) => Partial<PortalHandlerOptions>): Promise<Harness> {
  const portal = createTestPortal(options)
  const handler = wrap ? createPortalHandler({ appId: TEST_APP_ID, secret: TEST_SECRET, billing: portal.billing, now: options.now, onError: () => undefined, ...options.handler, ...wrap(portal.billing) }) : portal.handler
  const server = await listen(handler)
  const api = `${server.url}/api/portal`
  const token = await portal.token('cus_active')
  return {
    portal,
    api,
    token,
    call: (method, path, { body, raw, token: explicit, headers } = {}) =>
      callJson(`${api}${path}`, method, { body, raw, headers, bearer: explicit === null ? null : (explicit ?? token) }),
    async close() {
      await server.close()
      await portal.close()
      // No test here expects an unexplained 500 from the real engine.
      expect(portal.errors).toEqual([])
    },
  }
}

function errorOf(answer: Answer): { code: string; message: string; field?: string } {
  return (answer.body as { error: { code: string; message: string; field?: string } }).error
}

/** A price of another plan than the current one, by direction. */
async function priceFor(h: Harness, planName: string, period: 'month' | 'year' = 'month'): Promise<string> {
  const { body } = await h.call<PlansResponse>('GET', '/plans')
  const plan = body.data.find((p: Plan) => p.name === planName)
  const price = plan?.prices.find((p) => p.period === period)
  if (!price) throw new Error(`no ${period} price for ${planName}`)
  return price.id
}

async function invoiceCount(h: Harness, customUid = 'cus_active'): Promise<number> {
  const list = await h.portal.billing.listInvoices(scopeOf(customUid), { limit: 100 })
  return list.data.length
}

describe('Portal API happy paths for cus_active over loopback HTTP', () => {
  let h: Harness
  beforeEach(async () => {
    h = await harness()
  })
  afterEach(() => h.close())

  it('GET /session: the dashboard in one round trip, JSON and no-store', async () => {
    const answer = await h.call<Session>('GET', '/session')
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(answer.headers.get('cache-control')).toBe('no-store')
    expect(answer.body.subscription?.status).toBe('active')
    expect(answer.body.plan?.name).toBe('Pro')
    expect(answer.body.usage.length).toBeGreaterThan(0)
  })

  it('GET /invoices pages by cursor; GET /invoices/:id has lines', async () => {
    const first = await h.call<List<Invoice>>('GET', '/invoices?limit=5')
    expect(first.status).toBe(200)
    expect(first.body.data).toHaveLength(5)
    expect(first.body.has_more).toBe(true)
    const second = await h.call<List<Invoice>>('GET', `/invoices?limit=5&starting_after=${first.body.data[4].id}`)
    expect(second.body.data).toHaveLength(5)
    expect(second.body.data.map((i) => i.id)).not.toContain(first.body.data[0].id)
    const byDefault = await h.call<List<Invoice>>('GET', '/invoices')
    expect(byDefault.body.data).toHaveLength(10)

    const one = await h.call<Invoice>('GET', `/invoices/${first.body.data[0].id}`)
    expect(one.status).toBe(200)
    expect(one.body.id).toBe(first.body.data[0].id)
    expect(Array.isArray(one.body.lines)).toBe(true)
  })

  it('payment methods: list, setup, attach, make default, remove', async () => {
    const listed = await h.call<List<PaymentMethod>>('GET', '/payment-methods')
    expect(listed.status).toBe(200)
    expect(listed.body.data).toHaveLength(2)
    expect(listed.body.data.filter((m) => m.is_default)).toHaveLength(1)

    const setup = await h.call<{ provider: string }>('POST', '/payment-methods/setup')
    expect(setup.status).toBe(200)
    expect(setup.body.provider).toBe('sandbox')

    const attached = await h.call<PaymentMethod>('POST', '/payment-methods', { body: { payment_method: 'pm_card_mastercard' } })
    expect(attached.status).toBe(200)
    expect(attached.body.last4).toMatch(/^\d{4}$/)

    const made = await h.call<PaymentMethod>('POST', `/payment-methods/${attached.body.id}/default`)
    expect(made.status).toBe(200)
    expect(made.body.is_default).toBe(true)

    const other = listed.body.data[0].id
    const removed = await h.call('DELETE', `/payment-methods/${other}`)
    expect(removed.status).toBe(200)
    expect(removed.body).toEqual({ id: other, deleted: true })
    const after = await h.call<List<PaymentMethod>>('GET', '/payment-methods')
    expect(after.body.data.map((m) => m.id)).not.toContain(other)
  })

  it('a declined test card is a 402 payment_failed', async () => {
    const answer = await h.call('POST', '/payment-methods', { body: { payment_method: 'pm_card_declined' } })
    expect(answer.status).toBe(402)
    expect(errorOf(answer).code).toBe('payment_failed')
  })

  it('plans, preview and an upgrade that charges what the preview said', async () => {
    const plans = await h.call<PlansResponse>('GET', '/plans')
    expect(plans.status).toBe(200)
    expect(plans.body.current_price_id).toEqual(expect.any(String))
    const scale = await priceFor(h, 'Scale')

    const preview = await h.call<{ amount_due_now: number; effective: string }>('POST', '/subscription/preview', { body: { price_id: scale } })
    expect(preview.status).toBe(200)
    expect(preview.body.effective).toBe('now')

    const before = await invoiceCount(h)
    const changed = await h.call<Subscription>('POST', '/subscription', { body: { price_id: scale } })
    expect(changed.status).toBe(200)
    expect(changed.body.price_id).toBe(scale)
    expect(await invoiceCount(h)).toBe(before + 1)
    const newest = (await h.portal.billing.listInvoices(scopeOf('cus_active'), { limit: 1 })).data[0]
    expect(newest.total).toBe(preview.body.amount_due_now)
  })

  it('a downgrade is scheduled, and DELETE /subscription/scheduled-change undoes it', async () => {
    const starter = await priceFor(h, 'Starter')
    const scheduled = await h.call<Subscription>('POST', '/subscription', { body: { price_id: starter } })
    expect(scheduled.status).toBe(200)
    expect(scheduled.body.scheduled_change?.price_id).toBe(starter)
    const undone = await h.call<Subscription>('DELETE', '/subscription/scheduled-change')
    expect(undone.status).toBe(200)
    expect(undone.body.scheduled_change).toBeNull()
  })

  it('cancel at period end, then resume', async () => {
    const canceled = await h.call<Subscription>('POST', '/subscription/cancel', { body: { at_period_end: true } })
    expect(canceled.status).toBe(200)
    expect(canceled.body.cancel_at_period_end).toBe(true)
    const resumed = await h.call<Subscription>('POST', '/subscription/resume')
    expect(resumed.status).toBe(200)
    expect(resumed.body.cancel_at_period_end).toBe(false)
  })

  it('cancel now ends the subscription', async () => {
    const canceled = await h.call<Subscription>('POST', '/subscription/cancel', { body: { at_period_end: false } })
    expect(canceled.status).toBe(200)
    expect(canceled.body.status).toBe('canceled')
  })

  it('API keys: masked list, and a roll reveals the new key once', async () => {
    const keys = await h.call<List<{ id: string; masked: string }>>('GET', '/api-keys')
    expect(keys.status).toBe(200)
    expect(keys.body.data.length).toBeGreaterThan(0)
    const rolled = await h.call<{ id: string; secret: string; masked: string }>('POST', `/api-keys/${keys.body.data[0].id}/roll`)
    expect(rolled.status).toBe(200)
    expect(rolled.body.secret).toEqual(expect.any(String))
    const again = await h.call('GET', '/api-keys')
    expect(again.text).not.toContain(rolled.body.secret)
  })

  it('API keys: create reveals the secret once, past the maximum is 409 naming it, and a revoke stops the key', async () => {
    const created = await h.call<{ id: string; name: string; secret: string; masked: string }>('POST', '/api-keys', { body: { name: 'CI' } })
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({ name: 'CI', secret: expect.stringMatching(/^ak_live_/) })
    expect((await h.portal.billing.verifyApiKey(created.body.secret))?.customUid).toBe('cus_active')
    expect((await h.call('GET', '/api-keys')).text).not.toContain(created.body.secret)
    const blank = await h.call<{ error: { code: string; field?: string } }>('POST', '/api-keys', { body: { name: '' } })
    expect(blank.status).toBe(400)
    const missing = await h.call<{ error: { code: string } }>('POST', '/api-keys', { body: {} })
    expect(missing.status).toBe(400)
    // cus_active holds 3 keys now; the default maximum is 10.
    for (let i = 0; i < 7; i++) expect((await h.call('POST', '/api-keys', { body: { name: `K${i}` } })).status).toBe(200)
    const over = await h.call<{ error: { code: string; message: string } }>('POST', '/api-keys', { body: { name: 'Eleventh' } })
    expect(over.status).toBe(409)
    expect(over.body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('10 API keys') })

    const revoked = await h.call('DELETE', `/api-keys/${created.body.id}`)
    expect(revoked.status).toBe(200)
    expect(revoked.body).toEqual({ id: created.body.id, deleted: true })
    expect(await h.portal.billing.verifyApiKey(created.body.secret)).toBeNull()
    expect((await h.call('DELETE', `/api-keys/${created.body.id}`)).status).toBe(404)
    // Another customer's key is not found, never revoked.
    const theirs = await h.portal.billing.createApiKey(scopeOf('cus_free'), 'Theirs')
    expect((await h.call('DELETE', `/api-keys/${theirs.id}`)).status).toBe(404)
    expect(await h.portal.billing.verifyApiKey(theirs.secret)).not.toBeNull()
  })

  it('public plans and checkout need no token', async () => {
    const plans = await h.call<{ data: Plan[] }>('GET', '/public/pk_demo/plans', { token: null })
    expect(plans.status).toBe(200)
    expect(plans.body.data.length).toBeGreaterThan(0)
    const price = plans.body.data.find((p) => p.prices.some((x) => x.amount > 0))!.prices[0].id
    const checkout = await h.call<{ url: string }>('POST', '/public/pk_demo/checkout', { token: null, body: { price_id: price } })
    expect(checkout.status).toBe(200)
    expect(checkout.body.url).toEqual(expect.any(String))
    expect(checkout.headers.get('cache-control')).toBe('no-store')
  })
})

describe('errors', () => {
  let h: Harness
  beforeEach(async () => {
    h = await harness()
  })
  afterEach(() => h.close())

  it.each<[string, string, string, unknown, string]>([
    ['a missing price_id', 'POST', '/subscription', {}, 'price_id'],
    ['a numeric price_id', 'POST', '/subscription', { price_id: 5 }, 'price_id'],
    ['an empty price_id', 'POST', '/subscription/preview', { price_id: '' }, 'price_id'],
    ['an unknown field', 'POST', '/subscription', { price_id: 'x', coupon: 'FREE' }, 'coupon'],
    ['a string at_period_end', 'POST', '/subscription/cancel', { at_period_end: 'yes' }, 'at_period_end'],
    ['a body on a route that takes none', 'POST', '/subscription/resume', { now: true }, 'now'],
    ['a string make_default', 'POST', '/payment-methods', { payment_method: 'pm_card_visa', make_default: 'yes' }, 'make_default'],
  ])('400 invalid_request for %s, naming the field', async (_name, method, path, body, field) => {
    const answer = await h.call(method, path, { body })
    expect(answer.status).toBe(400)
    expect(errorOf(answer)).toMatchObject({ code: 'invalid_request', field })
    expect(errorOf(answer).message).toContain(field)
  })

  it.each([
    ['malformed JSON', '{"price_id":'],
    ['a JSON array', '["price_pro"]'],
    ['JSON null', 'null'],
  ])('400 invalid_request for %s', async (_name, raw) => {
    const answer = await h.call('POST', '/subscription', { raw })
    expect(answer.status).toBe(400)
    expect(errorOf(answer).code).toBe('invalid_request')
  })

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=1.5', 'limit'],
    ['starting_after=', 'starting_after'],
    ['starting_after=%3Cscript%3E', 'starting_after'],
  ])('400 for ?%s naming %s', async (query, field) => {
    const answer = await h.call('GET', `/invoices?${query}`)
    expect(answer.status).toBe(400)
    expect(errorOf(answer).field).toBe(field)
  })

  it('a backend BillingError keeps its code (unknown price -> not a 500)', async () => {
    const answer = await h.call('POST', '/subscription', { body: { price_id: 'price_does_not_exist' } })
    expect(answer.status).toBeGreaterThanOrEqual(400)
    expect(answer.status).toBeLessThan(500)
  })

  it('401 unauthorized without a token, with a garbage token, or with another app`s token', async () => {
    const none = await h.call('GET', '/session', { token: null })
    expect(none.status).toBe(401)
    expect(errorOf(none).code).toBe('unauthorized')
    expect(none.headers.get('www-authenticate')).toContain('Bearer')

    const garbage = await h.call('GET', '/session', { token: 'not.a.token' })
    expect(errorOf(garbage).code).toBe('unauthorized')

    const otherApp = await new SignJWT({ sub: 'cus_active', jti: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('archetype-portals')
      .setAudience('app_other')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(TEST_SECRET))
    const foreign = await h.call('GET', '/session', { token: otherApp })
    expect(foreign.status).toBe(401)
    expect(errorOf(foreign).code).toBe('unauthorized')
  })

  it('401 session_expired for an expired token', async () => {
    const expired = await new SignJWT({ sub: 'cus_active', jti: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('archetype-portals')
      .setAudience(TEST_APP_ID)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(TEST_SECRET))
    const answer = await h.call('GET', '/session', { token: expired })
    expect(answer.status).toBe(401)
    expect(errorOf(answer).code).toBe('session_expired')
  })

  it('404 not_found for another customer`s invoice, payment method and API key, never 403', async () => {
    const otherInvoice = (await h.portal.billing.listInvoices(scopeOf('cus_many_invoices'), { limit: 1 })).data[0].id
    const card = await h.portal.billing.attachPaymentMethod(scopeOf('cus_free'), 'pm_card_visa')
    const otherKey = (await h.portal.billing.createApiKey(scopeOf('cus_free'), 'Theirs')).id

    const answers = [
      await h.call('GET', `/invoices/${otherInvoice}`),
      await h.call('POST', `/payment-methods/${card.id}/default`),
      await h.call('DELETE', `/payment-methods/${card.id}`),
      await h.call('POST', `/api-keys/${otherKey}/roll`),
    ]
    for (const answer of answers) {
      expect(answer.status).toBe(404)
      expect(errorOf(answer).code).toBe('not_found')
    }
    // Nothing happened to the other customer's card.
    const theirs = await h.portal.billing.listPaymentMethods(scopeOf('cus_free'))
    expect(theirs.data.map((m) => m.id)).toContain(card.id)
  })

  it('404 for unknown routes, ids and paths outside the base path', async () => {
    expect((await h.call('GET', '/nope')).status).toBe(404)
    expect((await h.call('GET', '/invoices/inv_missing')).status).toBe(404)
    expect((await h.call('GET', '/invoices/a%2Fb')).status).toBe(404)
    const outside = await fetch(h.api.replace('/api/portal', '/elsewhere/session'), { headers: { authorization: `Bearer ${h.token}` } })
    expect(outside.status).toBe(404)
  })

  it('405 for a wrong method on a known path, with Allow', async () => {
    const answer = await h.call('GET', '/subscription')
    expect(answer.status).toBe(405)
    expect(answer.headers.get('allow')).toBe('POST')
    expect(errorOf(answer).code).toBe('invalid_request')
    const put = await h.call('PUT', '/session')
    expect(put.status).toBe(405)
    expect(put.headers.get('allow')).toBe('GET')
  })

  it('413 for a body over 64 KB by Content-Length', async () => {
    const answer = await h.call('POST', '/subscription', { raw: JSON.stringify({ price_id: 'x'.repeat(70_000) }) })
    expect(answer.status).toBe(413)
    expect(errorOf(answer).code).toBe('invalid_request')
  })

  it('413 for a chunked body over 64 KB (no Content-Length to trust)', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${h.api}/subscription`, { method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'transfer-encoding': 'chunked' } }, (res) => {
        let text = ''
        res.on('data', (chunk) => (text += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      })
      // The server answers and closes without reading the rest: a broken pipe here is expected.
      req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)))
      for (let i = 0; i < 6; i++) req.write('x'.repeat(16_384))
      req.end()
    })
    expect(status).toBe(413)
    expect(JSON.parse(body).error.code).toBe('invalid_request')
  })

  it('500 server with a generic message; the error itself goes to onError only', async () => {
    const seen: unknown[] = []
    const broken = await harness({}, (billing) => ({
      billing: { ...billing, getSession: () => Promise.reject(new Error('SQLITE_CORRUPT at /secret/path/db.sqlite')) },
      onError: (error) => seen.push(error),
    }))
    try {
      const answer = await broken.call('GET', '/session')
      expect(answer.status).toBe(500)
      expect(errorOf(answer).code).toBe('server')
      expect(answer.text).not.toContain('SQLITE')
      expect(answer.text).not.toContain('/secret/path')
      expect(seen).toHaveLength(1)
      expect((seen[0] as Error).message).toContain('SQLITE_CORRUPT')
    } finally {
      await broken.close()
    }
  })

  it('GET /api-keys is 404 when the backend keeps no keys', async () => {
    const keyless = await harness({}, (billing) => ({ billing: { ...billing, listApiKeys: async () => null } }))
    try {
      const answer = await keyless.call('GET', '/api-keys')
      expect(answer.status).toBe(404)
      expect(errorOf(answer).code).toBe('not_found')
    } finally {
      await keyless.close()
    }
  })

  it('a BillingError maps its status, code, field and retry-after', async () => {
    const limited = await harness({}, (billing) => ({
      billing: { ...billing, listPlans: () => Promise.reject(new BillingError('rate_limited', 'Slow down', { retryAfter: 7, field: 'price_id' })) },
    }))
    try {
      const answer = await limited.call('GET', '/plans')
      expect(answer.status).toBe(429)
      expect(errorOf(answer)).toEqual({ code: 'rate_limited', message: 'Slow down', field: 'price_id' })
      expect(answer.headers.get('retry-after')).toBe('7')
    } finally {
      await limited.close()
    }
  })
})

describe('idempotency', () => {
  let h: Harness
  beforeEach(async () => {
    h = await harness()
  })
  afterEach(() => h.close())

  it('the same key and body replay the first response; another body is 409', async () => {
    const headers = { 'idempotency-key': 'cancel-1' }
    const first = await h.call('POST', '/subscription/cancel', { body: { at_period_end: true }, headers })
    expect(first.status).toBe(200)
    expect(first.headers.get('idempotent-replayed')).toBeNull()

    // Between the two calls the state changes; the replay still answers the first response.
    await h.portal.billing.resumeSubscription(scopeOf('cus_active'))
    const replay = await h.call('POST', '/subscription/cancel', { body: { at_period_end: true }, headers })
    expect(replay.status).toBe(200)
    expect(replay.text).toBe(first.text)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    const session = await h.portal.billing.getSession(scopeOf('cus_active'))
    expect(session.subscription?.cancel_at_period_end).toBe(false)

    const other = await h.call('POST', '/subscription/cancel', { body: { at_period_end: false }, headers })
    expect(other.status).toBe(409)
    expect(errorOf(other).code).toBe('conflict')
  })

  it('replays an error response too (a declined card is not retried by the same key)', async () => {
    const headers = { 'idempotency-key': 'declined-1' }
    const first = await h.call('POST', '/payment-methods', { body: { payment_method: 'pm_card_declined' }, headers })
    const again = await h.call('POST', '/payment-methods', { body: { payment_method: 'pm_card_declined' }, headers })
    expect(first.status).toBe(402)
    expect(again.status).toBe(402)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
  })

  it('keys are scoped by customer', async () => {
    const headers = { 'idempotency-key': 'shared-key' }
    await h.call('POST', '/subscription/cancel', { body: { at_period_end: true }, headers })
    const other = await h.call('POST', '/subscription/cancel', { body: { at_period_end: true }, headers, token: await h.portal.token('cus_trialing') })
    expect(other.headers.get('idempotent-replayed')).toBeNull()
  })

  it('refuses a key over 255 characters, naming the header', async () => {
    const answer = await h.call('POST', '/subscription/resume', { headers: { 'idempotency-key': 'k'.repeat(256) } })
    expect(answer.status).toBe(400)
    expect(errorOf(answer).field).toBe('Idempotency-Key')
  })

  it('20 concurrent plan changes with one key give one invoice', async () => {
    const scale = await priceFor(h, 'Scale')
    const before = await invoiceCount(h)
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => h.call('POST', '/subscription', { body: { price_id: scale }, headers: { 'idempotency-key': 'upgrade-once' } })),
    )
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200))
    expect(new Set(answers.map((a) => a.text)).size).toBe(1)
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(19)
    expect(await invoiceCount(h)).toBe(before + 1)
  })

  it('runs a slow backend once for 20 concurrent requests with one key', async () => {
    let calls = 0
    const slow = await harness({}, (billing) => ({
      billing: {
        ...billing,
        changeSubscription: async (scope, priceId, options) => {
          calls += 1
          // Yield to the event loop, so the other 19 requests arrive while this one runs.
          for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
          return billing.changeSubscription(scope, priceId, options)
        },
      },
    }))
    try {
      const scale = await priceFor(slow, 'Scale')
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => slow.call('POST', '/subscription', { body: { price_id: scale }, headers: { 'idempotency-key': 'slow-once' } })),
      )
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200))
      expect(calls).toBe(1)
    } finally {
      await slow.close()
    }
  })

  it('passes the key on to the backend', async () => {
    const keys: (string | undefined)[] = []
    const spying = await harness({}, (billing) => ({
      billing: {
        ...billing,
        resumeSubscription: (scope, options) => {
          keys.push(options?.idempotencyKey)
          return billing.resumeSubscription(scope, options)
        },
      },
    }))
    try {
      await spying.call('POST', '/subscription/resume', { headers: { 'idempotency-key': 'resume-42' } })
      expect(keys).toEqual(['resume-42'])
    } finally {
      await spying.close()
    }
  })
})

describe('CORS', () => {
  const allowed = 'https://app.example'
  let h: Harness
  beforeEach(async () => {
    h = await harness({ handler: { allowedOrigins: [allowed] } })
  })
  afterEach(() => h.close())

  it('answers a preflight from an allowed origin', async () => {
    const answer = await h.call('OPTIONS', '/subscription', {
      token: null,
      headers: { origin: allowed, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, idempotency-key' },
    })
    expect(answer.status).toBe(204)
    expect(answer.headers.get('access-control-allow-origin')).toBe(allowed)
    expect(answer.headers.get('access-control-allow-methods')).toContain('POST')
    expect(answer.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key')
    expect(answer.headers.get('vary')).toBe('Origin')
  })

  it('lets an allowed origin read responses, and no other', async () => {
    const ok = await h.call('GET', '/session', { headers: { origin: allowed } })
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed)
    expect(ok.headers.get('vary')).toBe('Origin')
    const evil = await h.call('GET', '/session', { headers: { origin: 'https://evil.example' } })
    expect(evil.headers.get('access-control-allow-origin')).toBeNull()
    const preflight = await h.call('OPTIONS', '/session', { token: null, headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } })
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('sends no CORS headers when no origin is allowed', async () => {
    const plain = await harness()
    try {
      const answer = await plain.call('GET', '/session', { headers: { origin: allowed } })
      expect(answer.headers.get('access-control-allow-origin')).toBeNull()
    } finally {
      await plain.close()
    }
  })
})

describe('public plans caching', () => {
  let h: Harness
  beforeEach(async () => {
    h = await harness({ handler: { publicKey: 'pk_demo' } })
  })
  afterEach(() => h.close())

  it('is cacheable for a minute with a strong ETag, and 304 on If-None-Match', async () => {
    const first = await h.call('GET', '/public/pk_demo/plans', { token: null })
    expect(first.headers.get('cache-control')).toBe('public, max-age=60')
    const etag = first.headers.get('etag')!
    expect(etag).toMatch(/^"[\w-]+"$/)
    const again = await h.call('GET', '/public/pk_demo/plans', { token: null, headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
    expect(again.text).toBe('')
    expect(again.headers.get('etag')).toBe(etag)
    const weak = await h.call('GET', '/public/pk_demo/plans', { token: null, headers: { 'if-none-match': `"other", W/${etag}` } })
    expect(weak.status).toBe(304)
    const stale = await h.call('GET', '/public/pk_demo/plans', { token: null, headers: { 'if-none-match': '"stale"' } })
    expect(stale.status).toBe(200)
  })

  it('answers 404 for any public key but the configured one', async () => {
    const answer = await h.call('GET', '/public/pk_other/plans', { token: null })
    expect(answer.status).toBe(404)
    expect(errorOf(answer).code).toBe('not_found')
  })
})

describe('rate limiting', () => {
  it('answers 429 with Retry-After past `max` per customer per window, and recovers', async () => {
    let clock = Math.floor(Date.now() / 1000)
    const h = await harness({ now: () => clock, handler: { rateLimit: { windowMs: 60_000, max: 3 } } })
    try {
      for (let i = 0; i < 3; i++) expect((await h.call('GET', '/session')).status).toBe(200)
      const limited = await h.call('GET', '/session')
      expect(limited.status).toBe(429)
      expect(errorOf(limited).code).toBe('rate_limited')
      expect(limited.headers.get('retry-after')).toBe('60')

      // Another customer has their own budget; a fresh token for the same one does not.
      expect((await h.call('GET', '/session', { token: await h.portal.token('cus_free') })).status).toBe(200)
      expect((await h.call('GET', '/session', { token: await h.portal.token('cus_active') })).status).toBe(429)

      clock += 60
      expect((await h.call('GET', '/session')).status).toBe(200)
    } finally {
      await h.close()
    }
  })

  it('is off by default', async () => {
    const h = await harness()
    try {
      const statuses = await Promise.all(Array.from({ length: 30 }, () => h.call('GET', '/plans').then((a) => a.status)))
      expect(statuses.every((s) => s === 200)).toBe(true)
    } finally {
      await h.close()
    }
  })
})

describe('basePath', () => {
  it('serves under a custom prefix (trailing slash ignored) and nothing outside it', async () => {
    const portal = createTestPortal({ handler: { basePath: '/billing/' } })
    try {
      const auth = { authorization: `Bearer ${await portal.token('cus_active')}` }
      expect(portal.apiUrl).toBe('http://portal.test/billing')
      expect((await portal.fetch('/billing/session', { headers: auth })).status).toBe(200)
      expect((await portal.fetch('/api/portal/session', { headers: auth })).status).toBe(404)
      expect((await portal.fetch('/billingx/session', { headers: auth })).status).toBe(404)
    } finally {
      await portal.close()
    }
  })
})

describe('createPortalHandler options', () => {
  let portal: TestPortal
  beforeEach(() => {
    portal = createTestPortal({ seed: false })
  })
  afterEach(() => portal.close())

  it.each<[string, Partial<PortalHandlerOptions>, RegExp]>([
    ['a short secret', { secret: 'short' }, /secret/],
    ['no billing', { billing: undefined }, /billing/],
    ['a bad origin', { allowedOrigins: ['app.example.com'] }, /allowedOrigins\[0\]/],
    ['a relative basePath', { basePath: 'api' }, /basePath/],
    ['a zero rate limit', { rateLimit: { windowMs: 1000, max: 0 } }, /rateLimit\.max/],
    ['a millisecond clock', { now: () => Date.now() }, /`now`.*Unix seconds/],
  ])('throws a TypeError naming the option for %s', (_name, patch, pattern) => {
    expect(() => createPortalHandler({ appId: TEST_APP_ID, secret: TEST_SECRET, billing: portal.billing, ...patch })).toThrow(pattern)
  })
})
