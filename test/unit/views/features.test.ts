import { afterEach, describe, expect, test } from 'vitest'
import type { Plan, PortalFeatures, Price } from '../../../src/api/types.js'
import { createPortalClient } from '../../../src/headless.js'
import { hiddenViews } from '../../../src/shell/nav.js'
import { enabled, fullyOn, gated, offeredPlans } from '../../../src/views/account/sections.js'
import { withKit } from '../../../src/views/parts/core-kit.js'
import * as billingChunk from '../../../src/views/billing.js'
import { createTestPortal, type TestPortal } from '../../helpers/portal.js'
import { waitFor } from './harness.js'

// What the billing view's loader does: the chunk's modules take the core's helpers from the views kit.
withKit(billingChunk)

const ALL_ON: PortalFeatures = { changePlan: true, cancel: true, paymentMethods: true, invoices: true, billingDetails: true, apiKeys: true, plans: null }
const price = (id: string, amount: number, period: 'month' | 'year' = 'month'): Price => ({ id, amount, period, currency: 'usd' }) as Price

describe('reading features', () => {
  test('a backend that sends none has everything on; partial values are on but not fully', () => {
    expect(enabled(undefined, 'cancel')).toBe(true)
    expect(fullyOn(undefined, 'apiKeys')).toBe(true)
    expect(enabled({ ...ALL_ON, apiKeys: 'read_only' }, 'apiKeys')).toBe(true)
    expect(fullyOn({ ...ALL_ON, apiKeys: 'read_only' }, 'apiKeys')).toBe(false)
    expect(enabled({ ...ALL_ON, cancel: false }, 'cancel')).toBe(false)
  })

  test('a view leaves the nav only when every section of it is off', () => {
    expect(hiddenViews(ALL_ON)).toEqual([])
    expect(hiddenViews({ ...ALL_ON, invoices: false })).toEqual(['invoices'])
    expect(hiddenViews({ ...ALL_ON, changePlan: false, cancel: false, paymentMethods: false })).toEqual([])
    expect(hiddenViews({ ...ALL_ON, changePlan: false, cancel: false, paymentMethods: false, billingDetails: false })).toEqual(['billing'])
  })

  test('the plans offered are the server’s: the current price and every price it allows (change_allowed), judged by no price here', () => {
    const plan = (id: string, ...prices: Price[]) => ({ id, name: id, prices }) as unknown as Plan
    const answer = {
      current_price_id: 'pro_month',
      data: [
        plan('starter', { ...price('starter_month', 1900), change_allowed: true }), // cheaper, yet allowed (say, in a trial)
        plan('pro', { ...price('pro_month', 4900), change_allowed: false }, { ...price('pro_year', 49000, 'year'), change_allowed: false }),
        plan('scale', price('scale_month', 19900)), // a backend that sends no verdict: offered, the server still decides
      ],
    }
    expect(offeredPlans(answer).data.map((p) => [p.id, p.prices.map((x) => x.id)])).toEqual([
      ['starter', ['starter_month']],
      ['pro', ['pro_month']],
      ['scale', ['scale_month']],
    ])
    expect(offeredPlans({ ...answer, data: [answer.data[1]], current_price_id: null }).data).toEqual([])
  })
})

describe('gated', () => {
  let server: TestPortal | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  async function client(features?: Partial<PortalFeatures>) {
    server = createTestPortal({ handler: features ? { features: features as never } : {} })
    const requests: string[] = []
    const fetch = ((input: RequestInfo | URL, init?: RequestInit) => (requests.push(new URL(String(input)).pathname), server!.fetch(input, init))) as typeof globalThis.fetch
    return { client: createPortalClient({ token: await server.token('cus_active'), apiUrl: server.apiUrl, fetch }), requests }
  }

  test('a section that is off gives its off value and is never asked for', async () => {
    const { client: c, requests } = await client({ changePlan: false })
    const plans = gated(c.stores.account, c.stores.plans, (f) => enabled(f, 'changePlan'), () => ({ data: [], current_price_id: null }))
    const stop = plans.subscribe(() => undefined)
    await waitFor(() => plans.get().status === 'ready')
    expect(plans.get().data).toEqual({ data: [], current_price_id: null })
    expect(requests.filter((p) => p.endsWith('/plans'))).toEqual([])
    stop()
    c.destroy()
  })

  test('a section that is on is the store itself', async () => {
    const { client: c, requests } = await client()
    const plans = gated(c.stores.account, c.stores.plans, (f) => enabled(f, 'changePlan'), () => ({ data: [], current_price_id: null }))
    const stop = plans.subscribe(() => undefined)
    await waitFor(() => plans.get().status === 'ready' && plans.get().data!.data.length > 0)
    expect(plans.get().data!.current_price_id).toBe('price_pro_month')
    expect(requests.filter((p) => p.endsWith('/plans'))).toHaveLength(1)
    stop()
    c.destroy()
  })
})
