// @vitest-environment node
/**
 * The client's stores against the real Portal API handler: nothing loads until a store is
 * subscribed; subscribers share one request; a mutation invalidates what it changed; the
 * newest answer wins.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { Resource } from '../../../src/stores/resource.js'
import { setup, until, type Setup } from './support.js'

let t: Setup
beforeEach(() => {
  t = setup()
})
afterEach(() => t.close())

const ready = <T>(state: Resource<T>) => state.status === 'ready'

describe('lazy loading', () => {
  test('creating the client and reading a store requests nothing; the first subscriber loads', async () => {
    const client = await t.client('cus_active')
    // get() listens for an instant (nanostores): a server render reading the stores starts nothing.
    expect(client.stores.account.get()).toEqual({ status: 'loading' })
    expect(client.state.get()).toEqual({ status: 'idle' })
    await new Promise((r) => setTimeout(r, 20))
    expect(t.requests).toEqual([])
    expect(client.state.get()).toEqual({ status: 'idle' })
    const state = await until(client.stores.account, ready)
    expect(state.data!.customer.id).toBe('cus_active')
    expect(client.state.get()).toEqual({ status: 'active' })
    expect(t.count('GET', /^\/session$/)).toBe(1)
  })

  test('two subscribers (two portals, a hook) share one request', async () => {
    const client = await t.client('cus_active')
    const seen: string[] = []
    const stopA = client.stores.account.subscribe((s) => seen.push(`a:${s.status}`))
    const stopB = client.stores.account.subscribe((s) => seen.push(`b:${s.status}`))
    await until(client.stores.account, ready)
    await until(client.stores.account, ready)
    expect(t.count('GET', /^\/session$/)).toBe(1)
    expect(seen).toContain('a:ready')
    expect(seen).toContain('b:ready')
    stopA()
    stopB()
  })

  test('usage comes from the session: no request of its own', async () => {
    const client = await t.client('cus_active')
    const usage = await until(client.stores.usage, ready)
    expect(usage.data!.length).toBeGreaterThan(0)
    expect(usage.data![0]).toMatchObject({ metric: expect.any(String), used: expect.any(Number) })
    expect(t.requests.map((r) => r.path)).toEqual(['/session'])
  })

  test('a backend without API keys: the store says not_found, and nothing is reported', async () => {
    const errors: unknown[] = []
    const client = await t.client('cus_active', { onError: (e) => errors.push(e) })
    // The real handler answers 404 for a backend whose listApiKeys is null.
    t.server.billing.listApiKeys = async () => null
    const state = await until(client.stores.apiKeys, (s) => s.status === 'error')
    expect(state.error).toMatchObject({ code: 'not_found', status: 404 })
    expect(errors).toEqual([])
  })

  test('a failed load keeps the error in the store and reaches onError once', async () => {
    const errors: unknown[] = []
    const client = await t.client('cus_active', { onError: (e) => errors.push(e) })
    const state = await until(client.stores.invoice('in_nope'), (s) => s.status === 'error')
    expect(state.error).toMatchObject({ code: 'not_found' })
    expect(errors).toEqual([expect.objectContaining({ code: 'not_found' })])
  })
})

describe('latest answer wins', () => {
  test('a slow first load that answers after a newer one is dropped', async () => {
    const client = await t.client('cus_active')
    const release = t.hold('GET', /^\/plans$/)
    const first = client.stores.plans.reload()
    await new Promise((r) => setTimeout(r, 20))
    release()
    // The second starts while the first is parked; the first is aborted and never written.
    const second = client.stores.plans.reload()
    await Promise.all([first, second])
    expect(client.stores.plans.get().status).toBe('ready')
    expect(t.count('GET', /^\/plans$/)).toBe(2)
  })

  test('setData (a mutation’s answer) wins over a load in flight', async () => {
    const client = await t.client('cus_active')
    const release = t.hold('GET', /^\/plans$/)
    const loading = client.stores.plans.reload()
    client.stores.plans.setData({ data: [], current_price_id: 'price_mine' })
    release()
    await loading
    expect(client.stores.plans.get()).toEqual({ status: 'ready', data: { data: [], current_price_id: 'price_mine' } })
  })
})

describe('invoices pager', () => {
  test('pages by cursor, one at a time, and invalidate starts again from the first page', async () => {
    const client = await t.client('cus_many_invoices')
    const first = await until(client.stores.invoices, ready)
    expect(first.data!.data).toHaveLength(10)
    expect(first.data!.has_more).toBe(true)
    await Promise.all([client.stores.invoices.more(), client.stores.invoices.more()])
    const lastOfFirst = first.data!.data[9].id
    expect(t.requests.filter((r) => r.path.startsWith('/invoices')).map((r) => r.path)).toEqual(['/invoices?limit=10', `/invoices?limit=10&starting_after=${lastOfFirst}`])
    expect(client.stores.invoices.get().data!.data).toHaveLength(20)
    const stop = client.stores.invoices.listen(() => undefined)
    client.stores.invoices.invalidate()
    const again = await until(client.stores.invoices, ready)
    expect(again.data!.data).toHaveLength(10)
    expect(t.requests.at(-1)!.path).toBe('/invoices?limit=10')
    stop()
  })

  test('a failure keeps every invoice loaded; more() retries the same page', async () => {
    const client = await t.client('cus_many_invoices')
    await until(client.stores.invoices, ready)
    const token = client.api // keep the client's transport; break the server for one call
    const real = t.server.billing.listInvoices
    t.server.billing.listInvoices = async () => Promise.reject(new Error('boom'))
    await client.stores.invoices.more()
    expect(client.stores.invoices.get()).toMatchObject({ status: 'error', data: { data: { length: 10 } } })
    t.server.billing.listInvoices = real
    await client.stores.invoices.more()
    expect(client.stores.invoices.get().data!.data).toHaveLength(20)
    expect(token).toBe(client.api)
  })
})

describe('invalidation after a mutation', () => {
  test('a subscribed store reloads at once; an unsubscribed one on its next subscriber', async () => {
    const client = await t.client('cus_canceling')
    const stop = client.stores.account.listen(() => undefined)
    await until(client.stores.account, ready)
    await until(client.stores.plans, ready) // loaded, then left without subscribers
    await new Promise((r) => setTimeout(r, 1100)) // nanostores unmounts a second after the last listener
    const plansBefore = t.count('GET', /^\/plans$/)
    const resume = client.flows.resume()
    expect(await resume.run()).toMatchObject({ status: 'done' })
    const account = await until(client.stores.account, (s) => s.status === 'ready' && !s.data.subscription!.cancel_at_period_end)
    expect(account.data!.subscription!.cancel_at_period_end).toBe(false)
    expect(t.count('GET', /^\/session$/)).toBe(2)
    expect(t.count('GET', /^\/plans$/)).toBe(plansBefore) // nobody is looking: not yet
    await until(client.stores.plans, ready)
    expect(t.count('GET', /^\/plans$/)).toBe(plansBefore + 1)
    stop()
  })
})
