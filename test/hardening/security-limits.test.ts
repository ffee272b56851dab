/**
 * Issue 12, findings 5 and 8: what `rateLimit` counts.
 *
 * 5. The public routes (no token) are limited per client address and per public key: over a
 *    real socket the address is the one `toNodeListener` saw; `X-Forwarded-For` counts only
 *    with `trustProxy` (and then only its last entry, the one the proxy appended); a
 *    `clientAddress(request)` option replaces both.
 * 8. The customer limit is keyed on the customer (app + `sub`), so freshly minted tokens do
 *    not reset it.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { PortalHandlerOptions } from '../../src/server/handler.js'
import { createPortalHandler } from '../../src/server/handler.js'
import { TEST_APP_ID, TEST_SECRET, createTestPortal, type TestPortal } from '../helpers/portal.js'
import { createStripePortal, type StripePortal } from './stripe-portal.js'
import { answer, caseCounter, countingBackend, errorCode, serve, type Served } from './support.js'

const counter = caseCounter()
afterAll(() => console.log(`security (rate limits): ${counter.tried()} requests, public ones limited per address and per public key, customers per uid`))

const LIMIT = { windowMs: 60_000, max: 5 }
const body = JSON.stringify({ price_id: 'price_pro_month' })

let portal: TestPortal | undefined
let served: Served | undefined
let stripe: StripePortal | undefined
afterEach(async () => {
  await served?.close()
  await portal?.close()
  await stripe?.close()
  portal = served = stripe = undefined
})

function sqlitePortal(handler: Partial<PortalHandlerOptions>) {
  portal = createTestPortal()
  const counted = countingBackend(portal.billing)
  const h = createPortalHandler({ appId: TEST_APP_ID, secret: TEST_SECRET, billing: counted.billing, onError: () => undefined, rateLimit: LIMIT, ...handler })
  return { handler: h, counted, apiUrl: portal.apiUrl }
}

async function statuses(requests: (() => Promise<Response>)[]): Promise<number[]> {
  const out: number[] = []
  for (const request of requests) {
    const a = await answer(await request())
    if (a.status === 429) expect(errorCode(a)).toBe('rate_limited')
    out.push(a.status)
  }
  counter.count(out.length)
  return out
}
const tally = (list: number[]) => ({ ok: list.filter((s) => s === 200).length, limited: list.filter((s) => s === 429).length })

describe('finding 5: public routes', () => {
  it('over a real socket: 40 anonymous checkouts from one address -> 5 reach the backend, even with forged X-Forwarded-For', async () => {
    const { handler, counted } = sqlitePortal({})
    served = await serve(handler)
    const url = `${served.url}/api/portal/public/pk_demo/checkout`
    const results = await statuses(
      Array.from({ length: 40 }, (_, i) => () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `k${i}`, 'x-forwarded-for': `203.0.113.${i}` }, body })),
    )
    expect(tally(results)).toEqual({ ok: 5, limited: 35 })
    expect(counted.calls.get('createCheckout')).toBe(5)
  })

  it('GET /public/:pk/plans counts too', async () => {
    const { handler } = sqlitePortal({})
    served = await serve(handler)
    const results = await statuses(Array.from({ length: 8 }, () => () => fetch(`${served!.url}/api/portal/public/pk_demo/plans`)))
    expect(tally(results)).toEqual({ ok: 5, limited: 3 })
  })

  it('stripe, trustProxy: the last X-Forwarded-For entry is the client; Stripe sees 5 checkout sessions per address', async () => {
    stripe = await createStripePortal({ handler: { rateLimit: LIMIT, trustProxy: true } })
    const checkout = (forwardedFor: string, i: number) => () =>
      stripe!.fetch(`${stripe!.apiUrl}/public/pk_demo/checkout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `${forwardedFor.length}-${i}`, 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ price_id: stripe!.double.demo.prices.pro_month }),
      })
    // The client's own entries (first) change every time; the proxy's (last) does not.
    const one = await statuses(Array.from({ length: 20 }, (_, i) => checkout(`10.9.${i}.1, 198.51.100.7`, i)))
    const two = await statuses(Array.from({ length: 20 }, (_, i) => checkout('198.51.100.8', i)))
    expect([tally(one), tally(two)]).toEqual([
      { ok: 5, limited: 15 },
      { ok: 5, limited: 15 },
    ])
    expect(stripe.double.requestsTo('POST', /^\/v1\/checkout\/sessions$/)).toHaveLength(10)
  })

  it('clientAddress(request) decides the address', async () => {
    const { handler } = sqlitePortal({ clientAddress: (request) => request.headers.get('cf-connecting-ip') })
    const call = (ip: string) => () => handler(new Request('http://portal.test/api/portal/public/pk_demo/plans', { headers: { 'cf-connecting-ip': ip } }))
    const results = await statuses([...Array.from({ length: 7 }, () => call('192.0.2.1')), call('192.0.2.2')])
    expect(results).toEqual([200, 200, 200, 200, 200, 429, 429, 200])
  })

  it('per public key: every visitor together gets `perPublicKey`', async () => {
    const { handler, counted } = sqlitePortal({ trustProxy: true, rateLimit: { ...LIMIT, perPublicKey: 10 } })
    const results = await statuses(
      Array.from({ length: 25 }, (_, i) => () =>
        handler(new Request('http://portal.test/api/portal/public/pk_demo/checkout', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': `192.0.2.${i}` }, body })),
      ),
    )
    expect(tally(results)).toEqual({ ok: 10, limited: 15 })
    expect(counted.calls.get('createCheckout')).toBe(10)
  })

  it('refuses a clientAddress that is not a function, naming it', () => {
    portal = createTestPortal()
    expect(() => createPortalHandler({ appId: TEST_APP_ID, secret: TEST_SECRET, billing: portal!.billing, clientAddress: 'x-real-ip' as never })).toThrow(/clientAddress/)
    counter.count()
  })
})

describe('finding 8: the customer limit', () => {
  it('is per customer: ten freshly minted tokens for one customer get 5 answers; another customer is unaffected', async () => {
    const { handler } = sqlitePortal({})
    const session = (token: string) => () => handler(new Request('http://portal.test/api/portal/session', { headers: { authorization: `Bearer ${token}` } }))
    const tokens = await Promise.all(Array.from({ length: 10 }, () => portal!.token('cus_active')))
    expect(tally(await statuses(tokens.map(session)))).toEqual({ ok: 5, limited: 5 })
    expect(await statuses([session(await portal!.token('cus_free'))])).toEqual([200])
  })
})
