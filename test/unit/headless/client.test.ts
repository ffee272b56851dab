// @vitest-environment node
/**
 * createPortalClient: a visitor's client, the session it holds, options checked at the
 * call, a token for another customer, destroy.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { createPortalClient } from '../../../src/headless.js'
import { TEST_PUBLIC_KEY } from '../../helpers/portal.js'
import { setup, until, type Setup } from './support.js'

let t: Setup
beforeEach(() => {
  t = setup()
})
afterEach(() => t.close())

describe('createPortalClient', () => {
  test('without a token (a pricing page visitor): active at once, public plans load, no Authorization', async () => {
    const client = await t.client()
    expect(client.state.get()).toEqual({ status: 'active' })
    const plans = await until(client.stores.publicPlans(TEST_PUBLIC_KEY), (s) => s.status === 'ready')
    expect(plans.data!.data.length).toBeGreaterThan(0)
    expect(client.stores.publicPlans(TEST_PUBLIC_KEY)).toBe(client.stores.publicPlans(TEST_PUBLIC_KEY))
    expect(t.requests[0].headers.get('authorization')).toBeNull()
  })

  test('a visitor’s failures are reported, and the client stays active', async () => {
    const errors: unknown[] = []
    const client = await t.client(undefined, { onError: (e) => errors.push(e) })
    const state = await until(client.stores.publicPlans('pk_nope'), (s) => s.status === 'error')
    expect(state.error).toMatchObject({ code: 'not_found' })
    expect(errors).toHaveLength(1)
    expect(client.state.get()).toEqual({ status: 'active' })
    expect(client.error.get()).toMatchObject({ code: 'not_found' })
  })

  test('bad options are TypeErrors naming the option', () => {
    expect(() => createPortalClient({ token: 'nope' })).toThrow(/token is not a JWT/)
    expect(() => createPortalClient({ apiUrl: 5 as never })).toThrow('apiUrl must be a string (got number)')
    expect(() => createPortalClient({ fetch: 'fetch' as never })).toThrow('fetch must be a function (got "fetch")')
    const client = createPortalClient()
    expect(() => client.update({ getToken: {} as never })).toThrow('getToken must be a function (got object)')
  })

  test('a server 401 unauthorized puts the session in error; retry() brings it back and the stores reload', async () => {
    const client = await t.client('cus_active')
    const stop = client.stores.account.listen(() => undefined)
    await until(client.stores.account, (s) => s.status === 'ready')
    client.report({ code: 'unauthorized', message: 'No', status: 401 })
    expect(client.state.get()).toMatchObject({ status: 'error', error: { code: 'unauthorized' } })
    client.retry()
    expect(client.state.get()).toEqual({ status: 'active' })
    await until(client.stores.account, (s) => s.status === 'ready' && t.count('GET', /^\/session$/) === 2)
    stop()
  })

  test('a token for another customer reloads every store; a renewed one for the same customer does not', async () => {
    const client = await t.client('cus_active')
    const stop = client.stores.account.listen(() => undefined)
    await until(client.stores.account, (s) => s.status === 'ready')
    client.update({ token: await t.server.token('cus_active', 1800) })
    await new Promise((r) => setTimeout(r, 20))
    expect(t.count('GET', /^\/session$/)).toBe(1)
    client.update({ token: await t.server.token('cus_free') })
    const free = await until(client.stores.account, (s) => s.status === 'ready' && s.data.customer.id === 'cus_free')
    expect(free.data!.customer.id).toBe('cus_free')
    // Signing out: a visitor again; the account store has no token to load with.
    client.update({ token: undefined })
    expect(client.state.get()).toEqual({ status: 'active' })
    const out = await until(client.stores.account, (s) => s.status === 'error')
    expect(out.error).toMatchObject({ code: 'unauthorized' })
    stop()
  })

  test('a visitor signing in keeps the started session active (no idle in between); the account loads with the token', async () => {
    const client = await t.client()
    const seen: string[] = []
    const stopState = client.state.subscribe((state) => seen.push(state.status))
    await new Promise((r) => setTimeout(r, 0)) // the session starts with its first subscriber
    client.update({ token: await t.server.token('cus_active') })
    expect(client.signedIn.get()).toBe(true)
    const account = await until(client.stores.account, (s) => s.status === 'ready')
    expect(account.data!.customer.id).toBe('cus_active')
    expect(t.requests.at(-1)!.headers.get('authorization')).toMatch(/^Bearer /)
    expect(seen).toEqual(['active'])
    stopState()
  })

  test('destroy aborts requests in flight; nothing is written after it', async () => {
    const client = await t.client('cus_active')
    const release = t.hold('GET', /^\/session$/)
    const stop = client.stores.account.listen(() => undefined)
    await new Promise((r) => setTimeout(r, 10))
    client.destroy()
    release()
    await new Promise((r) => setTimeout(r, 20))
    expect(client.stores.account.get()).toEqual({ status: 'loading' })
    stop()
  })
})
