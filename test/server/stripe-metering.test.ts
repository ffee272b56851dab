/**
 * Metering on `stripeBilling`: keys verified in the `apiKeys` engine, tracked usage sent to
 * the Stripe Meter (the local Stripe double) as meter events with the event id as
 * `identifier`, and `check` = the last meter summary + what this instance tracked since.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqliteBilling, type SqliteBilling } from '../../src/server/billing/sqlite.js'
import { stripeBilling, type StripeBackend } from '../../src/server/billing/stripe.js'
import { createApiKeyGuard } from '../../src/server/index.js'
import { startStripeDouble, type StripeDouble } from './stripe-double/index.js'

const scope = (customUid: string) => ({ appId: 'app_demo', customUid })

describe('stripeBilling metering', () => {
  let double: StripeDouble
  let keys: SqliteBilling
  let billing: StripeBackend
  const now = Math.floor(Date.now() / 1000)
  const meterTotal = (customer: string) => double.world.meterEvents.filter((e) => e.customer === customer && e.timestamp >= now - 86_400 * 40).reduce((n, e) => n + e.value, 0)
  const stripeCustomer = () => double.demo.customers['cus_free']
  const summaries = () => double.requestsTo('GET', /event_summaries$/).length

  beforeEach(async () => {
    double = await startStripeDouble({ now: () => now })
    keys = openSqliteBilling({ filename: ':memory:', seed: 'demo', now: () => now })
    billing = stripeBilling({
      stripe: double.client({ maxNetworkRetries: 0 }),
      meter: { id: double.demo.meter, metric: 'api_calls', name: 'API calls', unit: 'calls', eventName: 'api_calls' },
      apiKeys: keys,
      meterSummaryTtlSeconds: 3_600,
      now: () => now,
    })
  })
  afterEach(async () => {
    await keys.close()
    await double.close()
  })

  it('forwards the guard’s usage as meter events whose identifier is the event id; the portal’s meter moves', async () => {
    const before = (await billing.getSession(scope('cus_free'))).usage[0].used
    const key = await keys.createApiKey(scope('cus_free'), 'Server')
    const guard = createApiKeyGuard({ billing, metric: 'api_calls', flushIntervalMs: 3_600_000, now: () => now * 1000 })
    for (let i = 0; i < 3; i++) {
      const verdict = await guard.check(new Request('http://api.test/v1', { headers: { 'x-api-key': key.secret } }))
      expect(verdict.ok).toBe(true)
    }
    await guard.close()
    const sent = double.requestsTo('POST', /^\/v1\/billing\/meter_events$/)
    expect(sent).toHaveLength(1) // one second, one key: one aggregated event
    expect(sent[0].params).toMatchObject({ event_name: 'api_calls', payload: { stripe_customer_id: stripeCustomer(), value: '3' }, identifier: expect.stringMatching(/^guard_/) })
    expect((await billing.getSession(scope('cus_free'))).usage[0].used).toBe(before + 3)
    // The engine's ledger has it too (and moved the key's last_used).
    expect((await keys.listApiKeys(scope('cus_free')))!.data.find((k) => k.id === key.id)!.last_used).toBe(now)
  })

  it('sends a resent event once: Stripe refuses the identifier it has seen, reported as a duplicate', async () => {
    const events = [{ customUid: 'cus_free', metric: 'api_calls', amount: 4, id: 'evt_a' }, { customUid: 'cus_free', metric: 'api_calls', amount: 6, id: 'evt_b' }]
    const total = meterTotal(stripeCustomer())
    expect(await billing.trackMany('app_demo', events)).toEqual({ accepted: 2, duplicates: 0, rejected: [] })
    expect(await billing.trackMany('app_demo', events)).toEqual({ accepted: 0, duplicates: 2, rejected: [] })
    expect(meterTotal(stripeCustomer())).toBe(total + 10)
    expect(double.world.meterEvents.filter((e) => e.identifier === 'evt_a')).toHaveLength(1)
  })

  it('retries a batch Stripe failed part of, counting what did arrive once', async () => {
    const total = meterTotal(stripeCustomer())
    double.fail('POST', /^\/v1\/billing\/meter_events$/, { status: 500, error: { type: 'api_error', message: 'boom' } }, 1)
    const events = [1, 2, 3].map((n) => ({ customUid: 'cus_free', metric: 'api_calls', amount: n, id: `evt_${n}` }))
    await expect(billing.trackMany('app_demo', events)).rejects.toThrow()
    expect(await billing.trackMany('app_demo', events)).toMatchObject({ rejected: [] })
    expect(meterTotal(stripeCustomer())).toBe(total + 6)
  })

  it('check adds what this instance tracked to the last meter summary, without reading it again', async () => {
    const first = await billing.check(scope('cus_free'), 'api_calls')
    expect(first).toMatchObject({ allowed: true, limit: 1_000 })
    const reads = summaries()
    await billing.trackMany('app_demo', [{ customUid: 'cus_free', metric: 'api_calls', amount: 1_000 - first.used - 1 }])
    expect(await billing.check(scope('cus_free'), 'api_calls')).toMatchObject({ allowed: true, used: 999, remaining: 1 })
    expect(await billing.check(scope('cus_free'), 'api_calls', { amount: 2 })).toMatchObject({ allowed: false, reason: 'quota_exceeded' })
    expect(summaries()).toBe(reads)
    expect(await billing.check(scope('cus_free'), 'sso')).toMatchObject({ allowed: false, reason: 'not_in_plan' })
    expect(await billing.check(scope('cus_canceled'), 'api_calls')).toMatchObject({ allowed: false, reason: 'no_subscription' })
    expect(await billing.entitlements(scope('cus_free'))).toMatchObject({ metrics: [{ metric: 'api_calls', used: 999, limit: 1_000, remaining: 1 }] })
  })

  it('itemises an event for a metric no meter sends, and one the ledger refuses', async () => {
    await keys.createMetric('app_demo', { key: 'tokens', name: 'Tokens', unit: 'tokens' })
    const result = await billing.trackMany('app_demo', [
      { customUid: 'cus_free', metric: 'tokens', amount: 1 },
      { customUid: 'ghost', metric: 'api_calls', amount: 1 },
    ])
    expect(result.accepted).toBe(0)
    expect(result.rejected.map((r) => [r.index, r.field]).sort()).toEqual([
      [0, 'metric'],
      [1, 'customUid'],
    ])
    expect(double.requestsTo('POST', /^\/v1\/billing\/meter_events$/)).toHaveLength(0)
  })

  it('verifies keys in the apiKeys engine and hears its rolls', async () => {
    const key = await keys.createApiKey(scope('cus_free'), 'Server')
    expect(await billing.verifyApiKey(key.secret)).toMatchObject({ customUid: 'cus_free', apiKeyId: key.id })
    const heard: string[] = []
    const stop = billing.onApiKeyChange!((c) => heard.push(c.kind))
    await billing.rollApiKey(scope('cus_free'), key.id)
    await billing.revokeApiKey(scope('cus_free'), key.id)
    stop()
    expect(heard).toEqual(['rolled', 'revoked'])
  })

  it('charts usage from meter event summaries grouped by UTC hour or day, the partial edges summed apart, late events in their bucket', async () => {
    const sub = (await billing.getSession(scope('cus_free'))).subscription!
    const chart = (granularity: 'hour' | 'day') => billing.getUsage!(scope('cus_free'), { metric: 'api_calls', granularity })
    const before = { hour: await chart('hour'), day: await chart('day') }
    const late = Math.max(sub.current_period_start + 1, now - 3 * 86_400)
    expect(await billing.trackMany('app_demo', [{ customUid: 'cus_free', metric: 'api_calls', amount: 5, id: 'late_1', at: late }, { customUid: 'cus_free', metric: 'api_calls', amount: 7, id: 'now_1', at: now }])).toMatchObject({ accepted: 2, rejected: [] })
    for (const granularity of ['hour', 'day'] as const) {
      const after = await chart(granularity)
      expect(after.total).toBe(before[granularity].total + 12)
      const size = granularity === 'hour' ? 3_600 : 86_400
      const index = (at: number) => after.buckets.findIndex((b, i) => b.start <= at && (after.buckets[i + 1]?.start ?? Infinity) > at)
      const grew = after.buckets.map((b, i) => b.value - before[granularity].buckets[i].value)
      expect(grew[index(late)] + (index(late) === index(now) ? 0 : grew[index(now)])).toBe(12)
      expect(after.buckets.slice(1).every((b) => b.start % size === 0)).toBe(true)
    }
    const grouped = double.requestsTo('GET', /event_summaries$/).filter((r) => r.params.value_grouping_window !== undefined)
    expect(new Set(grouped.map((r) => r.params.value_grouping_window))).toEqual(new Set(['hour', 'day']))
    for (const r of grouped) expect(Number(r.params.start_time) % (r.params.value_grouping_window === 'hour' ? 3_600 : 86_400)).toBe(0)
    expect((await chart('day')).limit).toBe(1_000)
  })
})
