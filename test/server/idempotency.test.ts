import { describe, expect, it } from 'vitest'
import { BillingError } from '../../src/server/billing/types.js'
import type { StoredResponse } from '../../src/server/idempotency.js'
import { IdempotencyCoordinator, memoryIdempotencyStore } from '../../src/server/idempotency.js'

function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

const answer = (status: number, body = '{}'): StoredResponse => ({ status, body })

describe('IdempotencyCoordinator', () => {
  it('runs concurrent requests with one key once, and all of them get its response', async () => {
    const coordinator = new IdempotencyCoordinator(memoryIdempotencyStore())
    const gate = deferred<void>()
    let runs = 0
    const execute = async () => {
      runs += 1
      await gate.promise
      return answer(200, '{"id":"sub_1"}')
    }
    const results = Array.from({ length: 20 }, () => coordinator.run('k', 'fp', execute))
    gate.resolve()
    const settled = await Promise.all(results)
    expect(runs).toBe(1)
    expect(settled.filter((r) => r.replayed)).toHaveLength(19)
    expect(new Set(settled.map((r) => r.response.body))).toEqual(new Set(['{"id":"sub_1"}']))
  })

  it('refuses another request on a key still in flight with a conflict', async () => {
    const coordinator = new IdempotencyCoordinator(memoryIdempotencyStore())
    const gate = deferred<void>()
    const first = coordinator.run('k', 'fp-a', async () => {
      await gate.promise
      return answer(200)
    })
    await expect(coordinator.run('k', 'fp-b', async () => answer(200))).rejects.toBeInstanceOf(BillingError)
    await expect(coordinator.run('k', 'fp-b', async () => answer(200))).rejects.toMatchObject({ code: 'conflict', status: 409 })
    gate.resolve()
    expect((await first).replayed).toBe(false)
  })

  it('does not keep a 5xx, so a retry runs again; keeps a 4xx', async () => {
    const coordinator = new IdempotencyCoordinator(memoryIdempotencyStore())
    let runs = 0
    const failing = async () => answer(++runs === 1 ? 500 : 200)
    expect((await coordinator.run('k', 'fp', failing)).response.status).toBe(500)
    expect(await coordinator.run('k', 'fp', failing)).toEqual({ response: answer(200), replayed: false })
    const declined = async () => answer(402)
    await coordinator.run('d', 'fp', declined)
    expect(await coordinator.run('d', 'fp', async () => answer(200))).toEqual({ response: answer(402), replayed: true })
  })
})

describe('memoryIdempotencyStore', () => {
  const record = (n: number) => ({ fingerprint: `fp${n}`, response: answer(200, String(n)) })

  it('forgets keys after the TTL', () => {
    let clock = 1_000
    const store = memoryIdempotencyStore({ now: () => clock, ttlMs: 24 * 3600 * 1000 })
    store.set('k', record(1))
    clock += 24 * 3600 - 1
    expect(store.get('k')).toEqual(record(1))
    clock += 1
    expect(store.get('k')).toBeUndefined()
  })

  it('evicts the least recently used key past maxEntries', () => {
    const store = memoryIdempotencyStore({ maxEntries: 2 })
    store.set('a', record(1))
    store.set('b', record(2))
    store.get('a')
    store.set('c', record(3))
    expect(store.get('b')).toBeUndefined()
    expect(store.get('a')).toEqual(record(1))
    expect(store.get('c')).toEqual(record(3))
  })

  it('refuses a bad bound by name', () => {
    expect(() => memoryIdempotencyStore({ maxEntries: 0 })).toThrow(/maxEntries/)
    expect(() => memoryIdempotencyStore({ ttlMs: -1 })).toThrow(/ttlMs/)
  })
})
