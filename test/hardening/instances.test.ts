/**
 * Two handler instances sharing one idempotency store (two servers behind a balancer):
 * a key sent to both at once runs the mutation once. Found by this suite: each instance
 * only knew its own in-flight requests, so a client's retry that reached the other
 * instance while the first was still running rolled an API key twice (two secrets, the
 * first already dead) — now the store's `claim` makes the second instance wait for the
 * first one's response.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RevealedApiKey } from '../../src/api/types.js'
import { openSqliteBilling, type SqliteBilling } from '../../src/server/billing/sqlite.js'
import type { BillingBackend } from '../../src/server/billing/types.js'
import { createPortalHandler, type PortalHandler } from '../../src/server/handler.js'
import { IdempotencyCoordinator, memoryIdempotencyStore, type IdempotencyStore } from '../../src/server/idempotency.js'
import { TEST_APP_ID, TEST_SECRET, createTestPortal, type TestPortal } from '../helpers/portal.js'
import { countingBackend, type CountedBackend } from './support.js'

/** Holds every backend call until `open()`: the first request is still running when the others arrive. */
function gated<B extends BillingBackend>(inner: B): { billing: B; open(): void; fail(times: number): void } {
  let release!: () => void
  let gate = new Promise<void>((resolve) => (release = resolve))
  let failures = 0
  const billing = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      return async (...args: unknown[]) => {
        await gate
        if (failures > 0 && property === 'rollApiKey') {
          failures--
          throw new Error('the database went away') // an unexpected error: a 500, not kept
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return {
    billing,
    open: () => release(),
    fail(times) {
      failures = times
      gate = Promise.resolve()
    },
  }
}

interface Pair {
  portal: TestPortal
  second: SqliteBilling
  counted: CountedBackend<SqliteBilling>[]
  gates: ReturnType<typeof gated<SqliteBilling>>[]
  handlers: PortalHandler[]
  token: string
  keyId: string
}

let pair: Pair | undefined
afterEach(async () => {
  await pair?.second.close()
  await pair?.portal.close()
  pair = undefined
})

async function twoInstances(store: IdempotencyStore = memoryIdempotencyStore()): Promise<Pair> {
  const portal = createTestPortal()
  const second = openSqliteBilling({ filename: portal.filename })
  const counted = [countingBackend(portal.billing), countingBackend(second)]
  const gates = counted.map((c) => gated(c.billing))
  const handlers = gates.map((g) => createPortalHandler({ appId: TEST_APP_ID, secret: TEST_SECRET, billing: g.billing, idempotencyStore: store, onError: () => undefined }))
  const token = await portal.token('cus_active')
  const keyId = (await portal.billing.listApiKeys({ appId: TEST_APP_ID, customUid: 'cus_active' }))!.data[0].id
  pair = { portal, second, counted, gates, handlers, token, keyId }
  // Each instance verifies the token once up front (key import, then its cache), so that the
  // requests below reach the idempotency coordinator within the same few milliseconds.
  // (An empty body is refused after authentication and before any backend call.)
  const warm = (handler: PortalHandler) => handler(new Request(`${portal.apiUrl}/subscription`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' }))
  for (const answer of await Promise.all(handlers.map(warm))) expect(answer.status).toBe(400)
  return pair
}

const withoutSecretOf = ({ secret: _secret, ...rest }: RevealedApiKey) => rest

const roll = (p: Pair, handler: PortalHandler, key: string) =>
  handler(new Request(`${p.portal.apiUrl}/api-keys/${p.keyId}/roll`, { method: 'POST', headers: { authorization: `Bearer ${p.token}`, 'idempotency-key': key } }))

describe('one Idempotency-Key on two instances at once', () => {
  it('rolls the key once: one answer shows the secret, the nine replays the same key masked, and the backend ran once', async () => {
    const p = await twoInstances()
    const pending = Array.from({ length: 10 }, (_, i) => roll(p, p.handlers[i % 2], 'retry-after-timeout'))
    // Let every request reach the coordinator before the first one's backend call returns.
    await new Promise((resolve) => setTimeout(resolve, 50))
    p.gates.forEach((g) => g.open())
    const answers = await Promise.all(pending)
    const bodies = await Promise.all(answers.map(async (a) => ({ status: a.status, replayed: a.headers.get('idempotent-replayed'), body: (await a.json()) as RevealedApiKey })))
    expect(bodies.map((b) => b.status)).toEqual(Array(10).fill(200))
    // Issue 12 (finding 6): a replay never carries the secret, only the masked key.
    const shown = bodies.filter((b) => b.body.secret !== undefined)
    expect(shown).toHaveLength(1)
    expect(shown[0].replayed).toBeNull()
    const replays = bodies.filter((b) => b.replayed === 'true')
    expect(replays).toHaveLength(9)
    for (const r of replays) expect(r.body).toEqual({ ...withoutSecretOf(shown[0].body), secret_already_shown: true })
    expect(p.counted.map((c) => c.calls.get('rollApiKey') ?? 0).reduce((a, b) => a + b)).toBe(1)
    // And the secret shown is the live one.
    expect(await p.portal.billing.verifyApiKey(shown[0].body.secret)).toMatchObject({ customUid: 'cus_active' })
    console.log('instances: 10 concurrent requests with one key over two instances -> 1 roll, 9 replays')
  })

  it('a 5xx on one instance is not kept: the other instance’s retry runs it', async () => {
    const p = await twoInstances()
    p.gates[0].fail(1)
    p.gates[1].open()
    const failed = await roll(p, p.handlers[0], 'k-5xx')
    expect(failed.status).toBe(500)
    const retried = await roll(p, p.handlers[1], 'k-5xx')
    expect(retried.status).toBe(200)
    expect(retried.headers.get('idempotent-replayed')).toBeNull()
    expect(p.counted[1].calls.get('rollApiKey')).toBe(1)
  })

  it('another request with a key still running elsewhere is a conflict once that one ends', async () => {
    const p = await twoInstances()
    const first = roll(p, p.handlers[0], 'k-shared')
    await new Promise((resolve) => setTimeout(resolve, 20))
    const other = p.handlers[1](
      new Request(`${p.portal.apiUrl}/subscription/cancel`, { method: 'POST', headers: { authorization: `Bearer ${p.token}`, 'idempotency-key': 'k-shared', 'content-type': 'application/json' }, body: '{"at_period_end":true}' }),
    )
    await new Promise((resolve) => setTimeout(resolve, 20))
    p.gates.forEach((g) => g.open())
    expect((await first).status).toBe(200)
    const answer = await other
    expect(answer.status).toBe(409)
    expect(((await answer.json()) as { error: { field: string } }).error.field).toBe('Idempotency-Key')
    expect(p.counted[1].calls.get('cancelSubscription')).toBeUndefined()
  })
})

describe('memoryIdempotencyStore.claim', () => {
  it('is taken once until set or released, and lapses after its ttl', () => {
    let clock = 1_700_000_000
    const store = memoryIdempotencyStore({ now: () => clock })
    expect(store.claim!('a', 1000)).toBe(true)
    expect(store.claim!('a', 1000)).toBe(false)
    store.release!('a')
    expect(store.claim!('a', 1000)).toBe(true)
    store.set('a', { fingerprint: 'f', response: { status: 200, body: '{}' } })
    expect(store.claim!('a', 1000)).toBe(false) // done: replayed, never run again
    expect(store.claim!('b', 1000)).toBe(true)
    clock += 2
    expect(store.claim!('b', 1000)).toBe(true) // a crashed holder's claim lapsed
  })
})

describe('IdempotencyCoordinator with a claim held elsewhere', () => {
  it('waits up to 15 s for the other instance’s response, then answers 409 with Retry-After', async () => {
    vi.useFakeTimers()
    try {
      let looks = 0
      const store: IdempotencyStore = { get: () => void looks++, set: () => undefined, claim: () => false }
      const coordinator = new IdempotencyCoordinator(store)
      let ran = false
      const outcome = coordinator.run('k', 'fp', async () => ((ran = true), { status: 200, body: '{}' })).catch((error: unknown) => error)
      await vi.advanceTimersByTimeAsync(14_900)
      expect(looks).toBeGreaterThan(100) // still looking for the response
      await vi.advanceTimersByTimeAsync(200)
      expect(await outcome).toMatchObject({ code: 'conflict', status: 409, retryAfter: 1, field: 'Idempotency-Key' })
      expect(ran).toBe(false)
    } finally {
      vi.useRealTimers()
    }
  })
})
