/**
 * Issue 12, findings 2, 4 and 6: what the Idempotency-Key store keeps.
 *
 * 2. Only final outcomes are kept: a 429 (Stripe's rate limit), a 5xx, a 404, a 401/403 release
 *    the key so the client's retry runs again; 2xx, 400, 402, 409, 422 are replayed.
 * 4. Anonymous public-route calls never reach the seller's store, so they cannot evict a
 *    customer's record (the public routes keep their own bounded store), and a 404 is not kept.
 * 6. A roll's plaintext secret is never written to the store: a replay (or a request that
 *    joined the running one) gets the key masked with `secret_already_shown: true`.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { IdempotencyCoordinator, memoryIdempotencyStore, type IdempotencyRecord, type IdempotencyStore } from '../../src/server/idempotency.js'
import { createPortalHandler } from '../../src/server/handler.js'
import { TEST_APP_ID, TEST_SECRET, createTestPortal, inProcessFetch, type TestPortal } from '../helpers/portal.js'
import { createStripePortal, type StripePortal } from './stripe-portal.js'
import { answer, caseCounter, type Answer } from './support.js'

const counter = caseCounter()
afterAll(() => console.log(`security (idempotency): ${counter.tried()} cases: final outcomes kept, passing ones retried, public records apart, no secret stored`))

/** The seller's store, recording every record written to it. */
function recordingStore(inner: IdempotencyStore = memoryIdempotencyStore()): IdempotencyStore & { written: [string, IdempotencyRecord][] } {
  const written: [string, IdempotencyRecord][] = []
  return {
    written,
    get: (key) => inner.get(key),
    set(key, record) {
      written.push([key, record])
      return inner.set(key, record)
    },
    claim: (key, ttl) => inner.claim!(key, ttl),
    release: (key) => inner.release!(key),
  }
}

describe('finding 2: only final outcomes are replayed', () => {
  const cases: [number, boolean][] = [
    [200, true],
    [201, true],
    [400, true],
    [402, true],
    [409, true],
    [422, true],
    [401, false],
    [403, false],
    [404, false],
    [429, false],
    [500, false],
    [502, false],
    [503, false],
  ]
  it.each(cases)('a %i is replayed: %s', async (status, kept) => {
    const coordinator = new IdempotencyCoordinator(memoryIdempotencyStore())
    let runs = 0
    const execute = async () => ({ status: ++runs === 1 ? status : 200, body: `{"run":${runs}}` })
    await coordinator.run('k', 'fp', execute)
    const retry = await coordinator.run('k', 'fp', execute)
    expect(retry.replayed).toBe(kept)
    expect(retry.response.status).toBe(kept ? status : 200)
    counter.count()
  })

  let s: StripePortal | undefined
  afterEach(async () => {
    await s?.close()
    s = undefined
  })

  it("stripe: a 429 from Stripe is not kept; the browser's retry with the same key reaches Stripe and succeeds", async () => {
    s = await createStripePortal()
    const token = await s.token('cus_free')
    s.double.fail('POST', /^\/v1\/setup_intents$/, { status: 429, error: { type: 'rate_limit_error', message: 'Too many requests' } as never, headers: { 'retry-after': '1' } })
    const post = async () =>
      answer(await s!.fetch(`${s!.apiUrl}/payment-methods/setup`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'setup-1' }, body: '{}' }))
    const first = await post()
    expect(first.status).toBe(429)
    const retry = await post()
    expect(retry.status).toBe(200)
    expect(retry.headers.get('idempotent-replayed')).toBeNull()
    expect(s.double.requestsTo('POST', /^\/v1\/setup_intents$/)).toHaveLength(2)
    counter.count()
  })
})

describe('findings 4 and 6: public records apart, secrets never stored', () => {
  let portal: TestPortal
  afterEach(() => portal?.close())

  async function setup(maxEntries = 50) {
    portal = createTestPortal()
    const store = recordingStore(memoryIdempotencyStore({ maxEntries }))
    const handler = createPortalHandler({ appId: TEST_APP_ID, secret: TEST_SECRET, billing: portal.billing, idempotencyStore: store, onError: () => undefined })
    const fetch = inProcessFetch(handler)
    const token = await portal.token('cus_active')
    const keyId = (await portal.billing.listApiKeys({ appId: TEST_APP_ID, customUid: 'cus_active' }))!.data[0].id
    const roll = async (key: string): Promise<Answer> =>
      answer(await fetch(`${portal.apiUrl}/api-keys/${keyId}/roll`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key }, body: '{}' }))
    const checkout = async (publicKey: string, key: string): Promise<Answer> =>
      answer(await fetch(`${portal.apiUrl}/public/${publicKey}/checkout`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify({ price_id: 'price_pro_month' }) }))
    return { store, roll, checkout }
  }

  it('4: 500 anonymous checkouts with fresh keys leave a customer record in a 50-entry store; none is written there', async () => {
    const { store, roll, checkout } = await setup(50)
    const first = await roll('roll-once')
    expect(first.status).toBe(200)
    for (let i = 0; i < 500; i++) expect((await checkout('pk_demo', `anon-${i}`)).status).toBe(200)
    const replay = await roll('roll-once')
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect((replay.json as { id: string }).id).toBe((first.json as { id: string }).id)
    expect(store.written.filter(([key]) => key.includes('\npublic:'))).toEqual([])
    counter.count(501)
  })

  it('4: a public 404 is not kept', async () => {
    const { checkout } = await setup()
    const missing = await checkout('pk_nobody', 'same-key')
    expect(missing.status).toBe(404)
    const again = await checkout('pk_nobody', 'same-key')
    expect(again.status).toBe(404)
    expect(again.headers.get('idempotent-replayed')).toBeNull()
    counter.count(2)
  })

  it('6: a replayed roll shows the key masked with secret_already_shown, and the store never holds the secret', async () => {
    const { store, roll } = await setup()
    const first = await roll('roll-1')
    const { secret, ...shown } = first.json as { secret: string; masked: string }
    expect(secret).toMatch(/^ak_live_/)
    const replay = await roll('roll-1')
    expect(replay.status).toBe(200)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.json).toEqual({ ...shown, secret_already_shown: true })
    expect(JSON.stringify(store.written)).not.toContain(secret)
    counter.count(3)
  })

  it('6: of two identical rolls at once, one shows the secret and the other the masked key', async () => {
    const { store, roll } = await setup()
    const both = await Promise.all([roll('roll-2'), roll('roll-2')])
    const secrets = both.map((a) => (a.json as { secret?: string }).secret).filter((x) => x !== undefined)
    expect(secrets).toHaveLength(1)
    expect(both.map((a) => (a.json as { secret_already_shown?: boolean }).secret_already_shown ?? false).sort()).toEqual([false, true])
    expect(JSON.stringify(store.written)).not.toContain(secrets[0]!)
    counter.count(2)
  })
})
