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

/** A hidden plan with a hard quota and a flag, for the metering routes. */
const CATALOGUE = {
  app: { name: 'Demo API', metrics: [{ key: 'api_calls', name: 'API calls', unit: 'calls' }] },
  plans: [
    {
      id: 'team',
      name: 'Team',
      public: false,
      flags: ['sso'],
      quotas: { api_calls: 500 },
      prices: [{ id: 'team_month', period: 'month', amount: 0, currency: 'usd' }],
    },
  ],
}

describe('Seller API routes over pricing as code and metering', () => {
  const used = async (uid: string) =>
    ((await seller.call<{ metrics: { metric: string; used: number }[] }>('GET', `/v1/customers/${uid}/entitlements`)).body.metrics.find((m) => m.metric === 'api_calls')?.used ?? 0)

  async function teamCustomer(uid: string): Promise<string> {
    await seller.call('PUT', '/v1/catalogue', { body: CATALOGUE })
    await seller.call('PUT', `/v1/customers/${uid}`, { body: { email: `${uid}@example.com` } })
    expect((await seller.call('POST', `/v1/customers/${uid}/subscription`, { body: { price_id: 'team_month' } })).status).toBe(200)
    return (await seller.call<RevealedApiKey>('POST', `/v1/customers/${uid}/api-keys`, { body: { name: 'Server' } })).body.secret
  }

  it('PUT /v1/customers/:uid creates, then updates only the fields given; GET answers it with subscription and entitlements', async () => {
    const created = await seller.call('PUT', '/v1/customers/new_user', { body: { email: 'n@example.com', name: 'New' } })
    expect(created.body).toEqual({ id: 'new_user', email: 'n@example.com', name: 'New' })
    const renamed = await seller.call('PUT', '/v1/customers/new_user', { body: { name: 'Renamed' } })
    expect(renamed.body).toEqual({ id: 'new_user', email: 'n@example.com', name: 'Renamed' })
    const fresh = await seller.call('GET', '/v1/customers/new_user')
    expect(fresh.body).toMatchObject({ id: 'new_user', subscription: null, entitlements: { plan_id: null, metrics: [], flags: [] } })
    const active = await seller.call<{ subscription: Subscription; entitlements: { metrics: { metric: string }[] } }>('GET', '/v1/customers/cus_active')
    expect(active.body.subscription.status).toBe('active')
    expect(active.body.entitlements.metrics.map((m) => m.metric)).toContain('api_calls')
    expect((await seller.call('GET', '/v1/customers/nobody')).status).toBe(404)
    expect(errorOf(await seller.call('PUT', '/v1/customers/new_user', { body: { email: 5 } }))).toMatchObject({ field: 'email', message: 'Field `email` must be a string' })
    expect(errorOf(await seller.call('PUT', '/v1/customers/new_user', { body: { plan: 'pro' } }))).toMatchObject({ field: 'plan', message: 'Unknown field `plan`' })
  })

  it('PUT /v1/catalogue: a dry run changes nothing, the apply does, a second apply is no change; GET /v1/plans lists hidden plans', async () => {
    const dry = await seller.call<{ changed: boolean; dryRun: boolean; plans: { created: string[] } }>('PUT', '/v1/catalogue?dry_run=1', { body: CATALOGUE })
    expect(dry.body).toMatchObject({ changed: true, dryRun: true, plans: { created: ['team'] } })
    const plans = async () => (await seller.call<List<{ id: string; public: boolean }>>('GET', '/v1/plans')).body.data
    expect((await plans()).map((p) => p.id)).not.toContain('team')
    const applied = await seller.call('PUT', '/v1/catalogue', { body: CATALOGUE })
    expect(applied.body).toMatchObject({ changed: true, dryRun: false })
    expect((await plans()).find((p) => p.id === 'team')).toMatchObject({ public: false })
    expect((await seller.call('PUT', '/v1/catalogue', { body: CATALOGUE })).body).toMatchObject({ changed: false })
  })

  it.each<[string, unknown, string, number]>([
    ['another app', { ...CATALOGUE, app: { ...CATALOGUE.app, id: 'app_other' } }, 'app.id', 400],
    ['a bad currency', { ...CATALOGUE, plans: [{ ...CATALOGUE.plans[0], prices: [{ ...CATALOGUE.plans[0].prices[0], currency: 'dollars' }] }] }, 'plans[0].prices[0].currency', 400],
    ['a plan without an id', { ...CATALOGUE, plans: [{ ...CATALOGUE.plans[0], id: undefined }] }, 'plans[0].id', 400],
    ['a snake_case typo', { ...CATALOGUE, plans: [{ ...CATALOGUE.plans[0], trial_days: 14 }] }, 'plans[0].trial_days', 400],
    ['a flag that is also a quota', { ...CATALOGUE, plans: [{ ...CATALOGUE.plans[0], flags: ['api_calls'] }] }, 'plans[0].flags', 400],
  ])('PUT /v1/catalogue refuses %s, naming the field', async (_name, body, field, status) => {
    const answer = await seller.call('PUT', '/v1/catalogue', { body })
    expect(answer.status).toBe(status)
    expect(errorOf(answer)).toMatchObject({ code: 'invalid_request', field })
  })

  it('keeps a dry run and an apply apart under one Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'catalogue-deploy-1' }
    expect((await seller.call('PUT', '/v1/catalogue?dry_run=1', { body: CATALOGUE, headers })).status).toBe(200)
    expect((await seller.call('PUT', '/v1/catalogue', { body: CATALOGUE, headers })).status).toBe(409)
  })

  it('POST /v1/usage counts the good events, itemises the rest by batch index, and counts a resent batch once', async () => {
    const before = await used('cus_active')
    const events = [
      { customer: 'cus_active', metric: 'api_calls', amount: 3, id: 'u1' },
      { customer: 'cus_active', metric: 'api_calls', amount: -1, id: 'u2' },
      { customer: 'nobody', metric: 'api_calls', amount: 1, id: 'u3' },
      { customer: 'cus_active', metric: 'nope', amount: 1, id: 'u4' },
      { customer: 'cus_active', metric: 'api_calls', amount: 4, id: 'u5' },
    ]
    const first = await seller.call<{ accepted: number; duplicates: number; rejected: { index: number; field: string }[] }>('POST', '/v1/usage', { body: { events } })
    expect(first.body).toMatchObject({ accepted: 2, duplicates: 0 })
    expect(first.body.rejected.map((r) => [r.index, r.field])).toEqual([
      [1, 'amount'],
      [2, 'customer'],
      [3, 'metric'],
    ])
    const again = await seller.call<{ accepted: number; duplicates: number }>('POST', '/v1/usage', { body: { events } })
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 2 })
    expect((await used('cus_active')) - before).toBe(7)
  })

  it('POST /v1/keys/verify checks and tracks an allowed call once per id, refuses past the quota, and never counts a flag', async () => {
    const key = await teamCustomer('team_user')
    const call = (body: Record<string, unknown>) => seller.call<{ valid: boolean; check: { allowed: boolean; reason?: string } | null; tracked: boolean }>('POST', '/v1/keys/verify', { body: { key, ...body } })
    const first = await call({ metric: 'api_calls', amount: 2, id: 'req_1' })
    expect(first.body).toMatchObject({ valid: true, check: { allowed: true }, tracked: true })
    expect((await call({ metric: 'api_calls', amount: 2, id: 'req_1' })).body.tracked).toBe(true)
    expect(await used('team_user')).toBe(2)
    const over = await call({ metric: 'api_calls', amount: 499 })
    expect(over.body).toMatchObject({ valid: true, check: { allowed: false, reason: 'quota_exceeded' }, tracked: false })
    expect(await used('team_user')).toBe(2)
    expect((await call({ metric: 'sso' })).body).toMatchObject({ check: { allowed: true }, tracked: false })
    expect((await call({ metric: 'webhooks' })).body).toMatchObject({ check: { allowed: false, reason: 'not_in_plan' }, tracked: false })
  })

  it('DELETE /v1/customers/:uid/api-keys/:id revokes a key at once; another customer’s key is a 404', async () => {
    const key = await teamCustomer('team_user')
    const { api_key_id } = (await seller.call<{ api_key_id: string }>('POST', '/v1/keys/verify', { body: { key } })).body
    expect((await seller.call('DELETE', `/v1/customers/cus_active/api-keys/${api_key_id}`)).status).toBe(404)
    const revoked = await seller.call('DELETE', `/v1/customers/team_user/api-keys/${api_key_id}`)
    expect(revoked.body).toEqual({ id: api_key_id, deleted: true })
    expect((await seller.call('POST', '/v1/keys/verify', { body: { key } })).body).toMatchObject({ valid: false })
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
    const other = createSellerHandler({ appId: 'app_second', secret: OTHER_SECRET, billing })
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
      // Their customer is no customer here: no token, no record, no key to revoke.
      const token = await seller.call('POST', '/v1/portal-tokens', { body: { customer: 'their_user' } })
      expect(token.status).toBe(404)
      expect(errorOf(token).field).toBe('customer')
      expect((await seller.call('GET', '/v1/customers/their_user')).status).toBe(404)
      expect((await seller.call('DELETE', `/v1/customers/their_user/api-keys/${theirKey.id}`)).status).toBe(404)
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
    // The secret was shown once: neither the replay nor the idempotency store holds it.
    expect(again.text).not.toContain(first.body.secret)
    expect(again.body).toMatchObject({ secret_already_shown: true })
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
    const billing: SellerBilling = seller.portal.billing
    expect(() => createSellerHandler({ appId: '', secret: TEST_SECRET, billing })).toThrow(/appId/)
    expect(() => createSellerHandler({ appId: 'a', secret: 'short', billing })).toThrow(/secret.*at least 32 bytes/)
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
    // A quota is a number, null or an object: the document says all three (the parser takes the number as `{ limit }`).
    const catalogue = sellerOpenApiDocument().components.schemas.Catalogue as { properties: { plans: { items: { properties: { quotas: { additionalProperties: { anyOf: { type: string }[] } } } } } } }
    expect(catalogue.properties.plans.items.properties.quotas.additionalProperties.anyOf.map((s) => s.type)).toEqual(['integer', 'null', 'object'])
    expect(sellerOpenApiDocument().components.schemas.UsageBatch).toMatchObject({ properties: { events: { maxItems: 1000, items: { $ref: '#/components/schemas/UsageEvent' } } } })
  })
})
