// @vitest-environment node
/**
 * The usage stores and the cap / alert flows against the real Portal API handler (issue 18):
 * one store per metric, period and granularity; the seeded month of cus_active; a cap that
 * the meter and the report follow; alerts that join and leave the list.
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

describe('usageReport', () => {
  test('the seeded period of cus_active: daily buckets summing to the meter, with a forecast', async () => {
    const client = await t.client('cus_active')
    const report = (await until(client.stores.usageReport({ metric: 'api_calls' }), ready)).data!
    expect(t.requests.map((r) => r.path)).toEqual(['/usage?metric=api_calls&period=current&granularity=day'])
    expect(report).toMatchObject({ metric: 'api_calls', granularity: 'day', total: 200_000, limit: 250_000 })
    expect(report.buckets.reduce((sum, b) => sum + b.value, 0)).toBe(200_000)
    // A plausible month, not ten equal bars.
    const days = report.buckets.filter((b) => b.value > 0).map((b) => b.value)
    expect(days.length).toBeGreaterThanOrEqual(10)
    expect(new Set(days).size).toBeGreaterThan(5)
    expect(report.forecast.total).toBeGreaterThan(report.total)
  })

  test('the previous period is seeded whole', async () => {
    const client = await t.client('cus_active')
    const report = (await until(client.stores.usageReport({ metric: 'api_calls', period: 'previous' }), ready)).data!
    expect(report.total).toBe(231_400)
    expect(report.buckets.filter((b) => b.value > 0).length).toBeGreaterThanOrEqual(28)
  })

  test('one store per metric, period and granularity; the defaults name the same store', async () => {
    const client = await t.client('cus_active')
    const a = client.stores.usageReport({ metric: 'api_calls' })
    expect(client.stores.usageReport({ metric: 'api_calls', period: 'current', granularity: 'day' })).toBe(a)
    expect(client.stores.usageReport({ metric: 'api_calls', granularity: 'hour' })).not.toBe(a)
    const hourly = (await until(client.stores.usageReport({ metric: 'api_calls', granularity: 'hour' }), ready)).data!
    expect(hourly.granularity).toBe('hour')
    expect(hourly.buckets.reduce((sum, b) => sum + b.value, 0)).toBe(200_000)
  })

  test('a query without a metric is a TypeError naming it', async () => {
    const client = await t.client('cus_active')
    expect(() => client.stores.usageReport({ metric: '' })).toThrow(/query\.metric/)
  })
})

describe('spend cap', () => {
  test('setUsageLimit: the meter and the loaded report follow; null stops at the quota', async () => {
    const client = await t.client('cus_active')
    const report = client.stores.usageReport({ metric: 'api_calls' })
    const stopReport = report.listen(() => undefined)
    const stopAccount = client.stores.account.listen(() => undefined)
    await until(report, ready)
    await until(client.stores.account, ready)
    const flow = client.flows.setUsageLimit()
    expect(await flow.run({ metric: 'api_calls', max_overage_amount: 5_000 })).toMatchObject({ status: 'done', result: { metric: 'api_calls', max_overage_amount: 5_000 } })
    await until(report, (s) => s.status === 'ready' && s.data.spend_limit?.max_overage_amount === 5_000)
    const account = await until(client.stores.account, (s) => s.status === 'ready' && s.data.usage[0].spend_limit?.max_overage_amount === 5_000)
    expect(account.data!.usage[0].spend_limit).toMatchObject({ max_overage_amount: 5_000 })
    expect(await flow.run({ metric: 'api_calls', max_overage_amount: null })).toMatchObject({ status: 'done', result: { max_overage_amount: null } })
    await until(report, (s) => s.status === 'ready' && s.data.spend_limit?.max_overage_amount === null)
    stopReport()
    stopAccount()
  })

  test('a refused cap fails the flow with the server’s field', async () => {
    const client = await t.client('cus_active')
    const failed = await client.flows.setUsageLimit().run({ metric: 'api_calls', max_overage_amount: -1 })
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'invalid_request' } })
  })
})

describe('alerts', () => {
  test('created alerts join the list, deleted ones leave it, without reloading it', async () => {
    const client = await t.client('cus_active')
    const stop = client.stores.usageAlerts.listen(() => undefined)
    expect((await until(client.stores.usageAlerts, ready)).data!.data).toEqual([])
    const create = client.flows.createUsageAlert()
    const made = await create.run({ metric: 'api_calls', threshold_percent: 80, of: 'quota' })
    expect(made).toMatchObject({ status: 'done', result: { threshold_percent: 80, of: 'quota' } })
    const id = made.status === 'done' ? made.result.id : ''
    expect(client.stores.usageAlerts.get().data!.data.map((a) => a.id)).toEqual([id])
    expect(await client.flows.deleteUsageAlert().run(id)).toMatchObject({ status: 'done' })
    expect(client.stores.usageAlerts.get().data!.data).toEqual([])
    expect(t.count('GET', /^\/usage-alerts$/)).toBe(1)
    // What the server keeps agrees.
    await client.stores.usageAlerts.reload()
    expect(client.stores.usageAlerts.get().data!.data).toEqual([])
    stop()
  })

  test('an alert made before the list loaded is in it when it loads', async () => {
    const client = await t.client('cus_active')
    await client.flows.createUsageAlert().run({ metric: 'api_calls', threshold_percent: 50, of: 'quota' })
    const list = await until(client.stores.usageAlerts, ready)
    expect(list.data!.data.map((a) => a.threshold_percent)).toEqual([50])
  })
})
