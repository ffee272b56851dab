/**
 * The Seller API over loopback HTTP on the real SQLite engine: each route, and each
 * refusal the issue names (secret, another app, batch limit, malformed events, replayed
 * Idempotency-Key, oversized body). Every 200 is also checked against its response schema
 * (test/helpers/seller.ts).
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Customer, List, PaymentMethod, RevealedApiKey, Session, Subscription } from '../../src/api/types.js'
import { createSellerHandler, SELLER_MAX_BODY_BYTES, type SellerBilling } from '../../src/server/seller.js'
import { sellerOpenApiDocument, sellerRoutes } from '../../src/server/seller-routes.js'
import type { OpenApiDocument } from '../../src/server/schemas/openapi.js'
import { verifyPortalToken } from '../../src/server/token.js'
import { expectDocumentMirrorsRoutes, expectValidOpenApi } from '../helpers/openapi-check.js'
import { TEST_APP_ID, TEST_SECRET, listen } from '../helpers/portal.js'
import { createTestSeller, type Answer, type TestSeller } from '../helpers/seller.js'

const OTHER_SECRET = 'another-apps-secret-0123456789abcdefghijklmnop'
const errorOf = (answer: Answer) => (answer.body as { error: { code: string; message: string; field?: string } }).error

let seller: TestSeller
beforeEach(async () => {
  seller = await createTestSeller()
})
afterEach(() => seller.close())

describe('Seller API routes on the SQLite engine', () => {
  it('POST /v1/portal-tokens mints the token the Portal API accepts for that customer', async () => {
    const minted = await seller.call<{ token: string; expires_at: number }>('POST', '/v1/portal-tokens', { body: { customer: 'cus_active' } })
    expect(minted.status).toBe(200)
    expect(minted.headers.get('cache-control')).toBe('no-store')
    const claims = await verifyPortalToken(minted.body.token, { appId: TEST_APP_ID, secret: TEST_SECRET })
    expect(claims.customUid).toBe('cus_active')
    expect(minted.body.expires_at - Math.floor(Date.now() / 1000)).toBeGreaterThan(3500)
    const session = await seller.portal.fetch(`${seller.portal.apiUrl}/session`, { headers: { authorization: `Bearer ${minted.body.token}` } })
    expect(((await session.json()) as Session).customer.id).toBe('cus_active')
  })

  it('GET /v1/customers pages by cursor through every customer once, and refuses a cursor that is no customer', async () => {
    const seen: string[] = []
    let after: string | undefined
    for (;;) {
      const page = await seller.call<List<Customer>>('GET', `/v1/customers?limit=3${after ? `&starting_after=${encodeURIComponent(after)}` : ''}`)
      expect(page.status).toBe(200)
      seen.push(...page.body.data.map((c) => c.id))
      if (!page.body.has_more) break
      after = page.body.data.at(-1)!.id
    }
    expect(seen).toContain('cus_active')
    expect(new Set(seen).size).toBe(seen.length)
    const everyone = await seller.call<List<Customer>>('GET', '/v1/customers?limit=100')
    expect(everyone.body.data.map((c) => c.id)).toEqual(seen)
    // app_other has a `cus_active` of its own: none of its customers are listed here.
    expect(everyone.body.data.filter((c) => c.name === 'Other Customer')).toEqual([])
    const bad = await seller.call('GET', '/v1/customers?starting_after=nobody')
    expect(bad.status).toBe(400)
    expect(errorOf(bad).field).toBe('starting_after')
  })

  it('subscribes a customer, attaches a card, creates an API key and verifies it, naming the customer', async () => {
    await seller.portal.billing.createCustomer(TEST_APP_ID, { customUid: 'user@example.com', email: 'user@example.com' })
    const path = `/v1/customers/${encodeURIComponent('user@example.com')}`
    const card = await seller.call<PaymentMethod>('POST', `${path}/payment-methods`, { body: { payment_method: 'pm_card_visa' } })
    expect(card.status).toBe(200)
    expect(card.body).toMatchObject({ brand: 'visa', is_default: true })
    const plans = await seller.portal.billing.listPublicPlans('pk_demo')
    const pro = plans.data.find((p) => p.name === 'Pro')!.prices.find((p) => p.period === 'month')!
    const subscribed = await seller.call<Subscription>('POST', `${path}/subscription`, { body: { price_id: pro.id } })
    expect(subscribed.status).toBe(200)
    expect(subscribed.body.price_id).toBe(pro.id)

    const key = await seller.call<RevealedApiKey>('POST', `${path}/api-keys`, { body: { name: 'Production' } })
    expect(key.status).toBe(200)
    expect(key.body.secret).toEqual(expect.any(String))
    const verdict = await seller.call('POST', '/v1/keys/verify', { body: { key: key.body.secret } })
    expect(verdict.body).toEqual({ valid: true, customer: { id: 'user@example.com' }, api_key_id: key.body.id, check: null, tracked: false })
    const unknown = await seller.call('POST', '/v1/keys/verify', { body: { key: 'sk_live_not_a_key' } })
    expect(unknown.body).toMatchObject({ valid: false, customer: null })
  })

  it('answers unknown routes 404 and other methods 405, and the customer of a route must exist', async () => {
    expect((await seller.call('GET', '/v1/nothing')).status).toBe(404)
    const wrong = await seller.call('DELETE', '/v1/customers')
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('GET')
    const nobody = await seller.call('POST', '/v1/customers/nobody/api-keys', { body: { name: 'x' } })
    expect(nobody.status).toBe(404)
  })
})

describe('Seller API refusals', () => {
  it.each<[string, Record<string, string>]>([
    ['no Authorization header', {}],
    ['an empty Bearer', { authorization: 'Bearer ' }],
    ['a wrong secret', { authorization: `Bearer ${TEST_SECRET}x` }],
    ['the secret with its last character changed', { authorization: `Bearer ${TEST_SECRET.slice(0, -1)}g` }],
    ['a Basic credential', { authorization: `Basic ${btoa(`app_demo:${TEST_SECRET}`)}` }],
    ['a portal token instead of the secret', { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x' }],
  ])('401 unauthorized for %s, touching nothing', async (_name, headers) => {
    const before = (await seller.portal.billing.listApiKeys({ appId: TEST_APP_ID, customUid: 'cus_active' }))!.data.length
    const answer = await seller.call('POST', '/v1/customers/cus_active/api-keys', { secret: null, headers, body: { name: 'sneaky' } })
    expect(answer.status).toBe(401)
    expect(errorOf(answer).code).toBe('unauthorized')
    expect((await seller.portal.billing.listApiKeys({ appId: TEST_APP_ID, customUid: 'cus_active' }))!.data).toHaveLength(before)
  })

  it('another app’s secret opens only that app’s handler, and its keys do not verify here', async () => {
    const { billing } = seller.portal
    await billing.createApp({ id: 'app_second', name: 'Other' })
    await billing.createCustomer('app_second', { customUid: 'their_user' })
    const theirKey = await billing.createApiKey({ appId: 'app_second', customUid: 'their_user' }, 'theirs')
    const other = createSellerHandler({ appId: 'app_second', secret: OTHER_SECRET, billing: billing as unknown as SellerBilling })
    const served = await listen(other)
    try {
      const refused = await seller.call('GET', '/v1/customers', { secret: OTHER_SECRET })
      expect(refused.status).toBe(401)
      const theirs = await fetch(`${served.url}/api/seller/v1/customers`, { headers: { authorization: `Bearer ${OTHER_SECRET}` } })
      expect(((await theirs.json()) as List<Customer>).data.map((c) => c.id)).toEqual(['their_user'])
      const mine = await fetch(`${served.url}/api/seller/v1/customers`, { headers: { authorization: `Bearer ${TEST_SECRET}` } })
      expect(mine.status).toBe(401)

      const verdict = await seller.call('POST', '/v1/keys/verify', { body: { key: theirKey.secret } })
      expect(verdict.body).toMatchObject({ valid: false, customer: null })
      const token = await seller.call('POST', '/v1/portal-tokens', { body: { customer: 'their_user' } })
      const claims = await verifyPortalToken((token.body as { token: string }).token, { appId: TEST_APP_ID, secret: TEST_SECRET })
      expect(claims.customUid).toBe('their_user') // a token of app_demo: it reaches nothing of app_second
    } finally {
      await served.close()
    }
  })

  it('413 for a batch over 1,000 events, naming the limit', async () => {
    const events = Array.from({ length: 1001 }, (_, i) => ({ customer: 'cus_active', metric: 'api_calls', amount: 1, id: `e${i}` }))
    const answer = await seller.call('POST', '/v1/usage', { body: { events } })
    expect(answer.status).toBe(413)
    expect(errorOf(answer)).toMatchObject({ code: 'invalid_request', field: 'events' })
    expect(errorOf(answer).message).toContain('1000')
  })

  it('itemises malformed events by index and field', async () => {
    const answer = await seller.call('POST', '/v1/usage', {
      body: { events: [{ customer: 'cus_active', metric: 'api_calls', amount: 0 }, 'nonsense', { customer: 'cus_active', metric: 'api_calls', amount: 1, colour: 'red' }, { metric: 'api_calls', amount: 2 }] },
    })
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({
      accepted: 0,
      duplicates: 0,
      rejected: [
        { index: 0, field: 'amount', message: 'amount must be a positive whole number' },
        { index: 1, field: 'event', message: 'event must be an object: { customer, metric, amount, id?, at? }' },
        { index: 2, field: 'colour', message: 'Unknown field `colour`' },
        { index: 3, field: 'customer', message: 'Missing required field `customer`' },
      ],
    })
  })

  it('replays an Idempotency-Key: the same answer once, marked; another body with it is a 409', async () => {
    const headers = { 'idempotency-key': 'create-key-1' }
    const first = await seller.call<RevealedApiKey>('POST', '/v1/customers/cus_active/api-keys', { body: { name: 'CI' }, headers })
    const again = await seller.call<RevealedApiKey>('POST', '/v1/customers/cus_active/api-keys', { body: { name: 'CI' }, headers })
    expect(again.status).toBe(200)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.body.id).toBe(first.body.id)
    const keys = (await seller.portal.billing.listApiKeys({ appId: TEST_APP_ID, customUid: 'cus_active' }))!.data
    expect(keys.filter((k) => k.name === 'CI')).toHaveLength(1)
    const clash = await seller.call('POST', '/v1/customers/cus_active/api-keys', { body: { name: 'Other' }, headers })
    expect(clash.status).toBe(409)
  })

  it('413 for a body over the Seller API’s limit, whether Content-Length says so or not', async () => {
    const huge = JSON.stringify({ events: [{ customer: 'cus_active', metric: 'api_calls', amount: 1, id: 'x'.repeat(SELLER_MAX_BODY_BYTES) }] })
    const declared = await seller.call('POST', '/v1/usage', { raw: huge })
    expect(declared.status).toBe(413)
    expect(errorOf(declared).message).toContain(String(SELLER_MAX_BODY_BYTES))
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(64 * 1024)))
        controller.close()
      },
    })
    const streamed = await seller.handler(new Request('http://seller.test/api/seller/v1/usage', { method: 'POST', headers: { authorization: `Bearer ${TEST_SECRET}` }, body: chunks, duplex: 'half' } as RequestInit))
    expect(streamed.status).toBe(413)
  })

  it('takes a batch bigger than the Portal API’s 64 KB through toNodeListener', async () => {
    const events = Array.from({ length: 1000 }, (_, i) => ({ customer: 'c'.repeat(60), metric: 'api_calls', amount: 0, id: `event-${i}-${'x'.repeat(40)}` }))
    const answer = await seller.call<{ rejected: unknown[] }>('POST', '/v1/usage', { body: { events } })
    expect(JSON.stringify({ events }).length).toBeGreaterThan(64 * 1024)
    expect(answer.status).toBe(200)
    expect(answer.body.rejected).toHaveLength(1000)
  })

  it('is never CORS-enabled: no Access-Control headers, and a preflight is refused', async () => {
    const origin = { origin: 'https://app.example.com' }
    const read = await seller.call('GET', '/v1/customers', { headers: origin })
    expect([...read.headers.keys()].filter((h) => h.startsWith('access-control'))).toEqual([])
    const preflight = await seller.call('OPTIONS', '/v1/customers', { secret: null, headers: { ...origin, 'access-control-request-method': 'GET' } })
    expect(preflight.status).toBe(405)
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('refuses bad options by name', () => {
    const billing = seller.portal.billing as unknown as SellerBilling
    expect(() => createSellerHandler({ appId: '', secret: TEST_SECRET, billing })).toThrow(/appId/)
    expect(() => createSellerHandler({ appId: 'a', secret: 'short', billing })).toThrow(/secret.*32 bytes/)
    expect(() => createSellerHandler({ appId: 'a', secret: TEST_SECRET, billing: {} as SellerBilling })).toThrow(/billing.*lacks/)
    expect(() => createSellerHandler({ appId: 'a', secret: TEST_SECRET, billing, now: () => Date.now() })).toThrow(/Unix seconds/)
    expect(() => createSellerHandler({ appId: 'a', secret: TEST_SECRET, billing, basePath: 'api' })).toThrow(/basePath/)
  })
})

describe('the Seller API’s OpenAPI document', () => {
  it('is valid OpenAPI 3.1, served without the secret at {basePath}/openapi.json, as the build writes it', async () => {
    const document = sellerOpenApiDocument()
    await expectValidOpenApi(document)
    const served = await seller.call<OpenApiDocument>('GET', '/openapi.json', { secret: null })
    expect(served.status).toBe(200)
    expect(served.body).toEqual(JSON.parse(JSON.stringify(document)))
    expect(served.body.servers).toEqual([{ url: '/api/seller' }])
    const file = resolve(import.meta.dirname, '../../dist/openapi/seller.json')
    if (!existsSync(file)) throw new Error('dist/openapi/seller.json is missing: run `node build.mjs` first (npm test does)')
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(served.body)
  })

  it('documents every served route, and every documented route is served', async () => {
    const count = await expectDocumentMirrorsRoutes(sellerOpenApiDocument(), sellerRoutes, (method, path) =>
      seller.call(method, path, method === 'GET' || method === 'DELETE' ? {} : { body: {} }).catch(() => ({ status: 0, body: null })),
    )
    expect(count).toBe(sellerRoutes.length)
    const { paths } = sellerOpenApiDocument()
    expect((paths['/v1/customers/{uid}'].put as { parameters: { name: string; schema: unknown }[] }).parameters[0]).toMatchObject({ name: 'uid', schema: { maxLength: 200 } })
    expect(paths['/v1/usage'].post).toMatchObject({ requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/UsageBatch' } } } } })
    expect(sellerOpenApiDocument().components.schemas.UsageBatch).toMatchObject({ properties: { events: { maxItems: 1000, items: { $ref: '#/components/schemas/UsageEvent' } } } })
  })
})
