/**
 * Issue 18, server side: GET /usage buckets and forecast, the customer's spend limit
 * (check and the guard), usage alerts fired once per threshold per period across
 * instances, and the signed webhook.
 */
import Database from 'better-sqlite3'
import { createHmac, timingSafeEqual } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqliteBilling, type SqliteBilling } from '../../src/server/billing/sqlite.js'
import type { CustomerScope, UsageAlertEvent } from '../../src/server/billing/types.js'
import { forecastUsage, previousPeriodStart, stopsAt } from '../../src/server/billing/usage-report.js'
import { createApiKeyGuard } from '../../src/server/index.js'
import { ENGINES, type OpenedEngine } from '../helpers/engines.js'
import { createTestPortal, type TestPortal } from '../helpers/portal.js'
import { expectBillingError } from './backend-contract.js'

/** 2025-11-20T12:34:56Z: the period starts on no hour or day boundary, so its edges are partial buckets. */
const T0 = Date.UTC(2025, 10, 20, 12, 34, 56) / 1000
const HOUR = 3_600
const DAY = 86_400
/** Nov 20 + one month = Dec 20, 30 days. */
const END = T0 + 30 * DAY
const MIDNIGHT_NOV_21 = Date.UTC(2025, 10, 21) / 1000

const APP = 'app_u'
const scope = (customUid: string): CustomerScope => ({ appId: APP, customUid })

/** A hard plan (100 calls) and an overage plan (100 calls, then 10 cents per started 10): a customer on each. */
async function setUp(engine: SqliteBilling) {
  await engine.createApp({ id: APP, name: 'Usage', metrics: [{ key: 'api_calls', name: 'API calls', unit: 'calls' }] })
  await engine.createPlan(APP, { id: 'hard', name: 'Hard', quotas: { api_calls: 100 }, prices: [{ id: 'p_hard', period: 'month', amount: 0, currency: 'USD' }] })
  await engine.createPlan(APP, { id: 'over', name: 'Overage', quotas: { api_calls: { limit: 100, overage: { amount: 10, per: 10 } } }, prices: [{ id: 'p_over', period: 'month', amount: 0, currency: 'USD' }] })
  for (const [uid, price] of [['hard', 'p_hard'], ['over', 'p_over']]) {
    await engine.createCustomer(APP, { customUid: uid })
    await engine.subscribe(scope(uid), price)
  }
}

describe.each(ENGINES)('usage chart, spend limit and alerts on $name', (kind) => {
  const ctx = { clock: T0 } as { engine: SqliteBilling; clock: number; opened: OpenedEngine; alerts: UsageAlertEvent[] }
  beforeEach(async () => {
    ctx.clock = T0
    ctx.alerts = []
    ctx.opened = await kind.open({ now: () => ctx.clock, onUsageAlert: (a) => void ctx.alerts.push(a) })
    ctx.engine = ctx.opened.engine
    await setUp(ctx.engine)
  })
  afterEach(() => ctx.opened.close())

  it('buckets and totals are exact on the period edges, by UTC day and by hour, for the previous and the current period', async () => {
    const { engine } = ctx
    ctx.clock = T0 + 2 * DAY
    const events: [number, number][] = [[T0, 1], [MIDNIGHT_NOV_21 - 1, 2], [MIDNIGHT_NOV_21, 4]]
    for (const [at, amount] of events) await engine.track(scope('hard'), 'api_calls', amount, { at })
    ctx.clock = END - 10
    await engine.track(scope('hard'), 'api_calls', 8, { at: END - 1 })
    await engine.advanceTo(END + 2 * HOUR)
    await engine.track(scope('hard'), 'api_calls', 16, { at: END })
    await engine.track(scope('hard'), 'api_calls', 32, { at: END + HOUR })

    const previous = await engine.getUsage(scope('hard'), { metric: 'api_calls', period: 'previous', granularity: 'day' })
    expect(previous).toMatchObject({ metric: 'api_calls', unit: 'calls', period: { start: T0, end: END }, granularity: 'day', total: 15, limit: 100 })
    // Nov 20 (from 12:34:56) to Dec 20 (to 12:34:56): 31 UTC days, the first starting at the period start.
    expect(previous.buckets).toHaveLength(31)
    expect(previous.buckets[0]).toEqual({ start: T0, value: 3 })
    expect(previous.buckets[1]).toEqual({ start: MIDNIGHT_NOV_21, value: 4 })
    expect(previous.buckets[30]).toEqual({ start: Date.UTC(2025, 11, 20) / 1000, value: 8 })
    expect(previous.buckets.slice(2, 30).every((b) => b.value === 0)).toBe(true)

    const hours = await engine.getUsage(scope('hard'), { metric: 'api_calls', granularity: 'hour' })
    // Up to now (14:34:56): the partial hour from the period start, 13:00 and 14:00.
    expect(hours.buckets).toEqual([
      { start: END, value: 16 },
      { start: Date.UTC(2025, 11, 20, 13) / 1000, value: 32 },
      { start: Date.UTC(2025, 11, 20, 14) / 1000, value: 0 },
    ])
    expect(hours.total).toBe(48)
    const days = await engine.getUsage(scope('hard'), { metric: 'api_calls' })
    expect(days.buckets).toEqual([{ start: END, value: 48 }])
    expect((await engine.check(scope('hard'), 'api_calls', { amount: 0 })).used).toBe(48)
    const previousHours = await engine.getUsage(scope('hard'), { metric: 'api_calls', period: 'previous', granularity: 'hour' })
    expect(previousHours.total).toBe(15)
    expect(previousHours.buckets).toHaveLength(30 * 24 + 1)
  })

  it('puts late events in their bucket and counts a resent event id once', async () => {
    const { engine } = ctx
    ctx.clock = T0 + 5 * DAY
    await engine.track(scope('over'), 'api_calls', 7, { id: 'evt_now' })
    await engine.track(scope('over'), 'api_calls', 5, { id: 'evt_late', at: T0 + DAY + 60 })
    expect(await engine.track(scope('over'), 'api_calls', 5, { id: 'evt_late', at: T0 + DAY + 60 })).toEqual({ duplicate: true })
    await engine.trackMany(APP, [{ customUid: 'over', metric: 'api_calls', amount: 3, id: 'evt_late', at: T0 + DAY + 60 }, { customUid: 'over', metric: 'api_calls', amount: 1, at: T0 + DAY + 61 }])
    const usage = await engine.getUsage(scope('over'), { metric: 'api_calls' })
    expect(usage.buckets.map((b) => b.value)).toEqual([0, 6, 0, 0, 0, 7])
    expect(usage.total).toBe(13)
    const [raw] = await ctx.opened.sql<{ n: number }>('select sum(quantity) as n from usage_records')
    expect(Number(raw.n)).toBe(13)
  })

  it('forecasts linearly to the period end, with when the quota is reached and what the overage costs', async () => {
    const { engine } = ctx
    ctx.clock = T0 + 10 * DAY
    await engine.track(scope('over'), 'api_calls', 60, { at: T0 + HOUR })
    await engine.track(scope('hard'), 'api_calls', 60, { at: T0 + HOUR })
    // 60 in 10 of 30 days: 180 at the end; 100 reached at 100 × 10 days / 60 = 16.67 days; 80 over = 8 blocks of 10 cents.
    expect((await engine.getUsage(scope('over'), { metric: 'api_calls' })).forecast).toEqual({ total: 180, at_limit_on: T0 + Math.ceil((100 * 10 * DAY) / 60), overage_amount: 80, currency: 'USD' })
    // A hard quota stops the line at the quota.
    expect((await engine.getUsage(scope('hard'), { metric: 'api_calls' })).forecast).toMatchObject({ total: 100, overage_amount: 0 })
    // A spend limit of 30 cents stops it at 100 + 3 blocks.
    await engine.setUsageLimit(scope('over'), 'api_calls', 30)
    const capped = await engine.getUsage(scope('over'), { metric: 'api_calls' })
    expect(capped.forecast).toMatchObject({ total: 130, overage_amount: 30 })
    expect(capped.spend_limit).toEqual({ max_overage_amount: 30, currency: 'USD' })
  })

  it('the spend limit refuses in check past the cap (null: at the quota), and only on an overage plan', async () => {
    const { engine } = ctx
    expect((await expectBillingError(engine.setUsageLimit(scope('hard'), 'api_calls', 500), 'conflict', 'metric')).message).toMatch(/prices no overage/)
    await engine.track(scope('over'), 'api_calls', 100)
    expect(await engine.check(scope('over'), 'api_calls')).toMatchObject({ allowed: true, overage: true })
    expect(await engine.setUsageLimit(scope('over'), 'api_calls', null)).toEqual({ metric: 'api_calls', max_overage_amount: null, currency: 'USD' })
    expect(await engine.check(scope('over'), 'api_calls')).toMatchObject({ allowed: false, reason: 'spend_limit_reached', stops_at: 100, used: 100 })
    expect(await engine.check(scope('over'), 'api_calls', { amount: 0 })).toMatchObject({ allowed: true })
    // 25 cents buys two whole blocks of 10: 120.
    await engine.setUsageLimit(scope('over'), 'api_calls', 25)
    expect(await engine.check(scope('over'), 'api_calls', { amount: 20 })).toMatchObject({ allowed: true, stops_at: 120 })
    expect(await engine.check(scope('over'), 'api_calls', { amount: 21 })).toMatchObject({ allowed: false, reason: 'spend_limit_reached' })
    const session = await engine.getSession(scope('over'))
    expect(session.usage[0].spend_limit).toEqual({ max_overage_amount: 25, currency: 'USD' })
    expect((await engine.getSession(scope('hard'))).usage[0].spend_limit).toBeUndefined()
  })

  it('the guard answers 429 spend_limit_reached with the headers of quota_exceeded', async () => {
    const { engine } = ctx
    const guard = createApiKeyGuard({ billing: engine, metric: 'api_calls', flushIntervalMs: 3_600_000, now: () => ctx.clock * 1000 })
    try {
      const keys = { over: await engine.createApiKey(scope('over'), 'k'), hard: await engine.createApiKey(scope('hard'), 'k') }
      await engine.track(scope('over'), 'api_calls', 100)
      await engine.track(scope('hard'), 'api_calls', 100)
      await engine.setUsageLimit(scope('over'), 'api_calls', 10)
      const call = (secret: string) => guard.check(new Request('http://api.test/v1', { headers: { authorization: `Bearer ${secret}` } }))
      // 10 cents: one block of 10 more.
      for (let i = 0; i < 10; i++) expect((await call(keys.over.secret)).ok).toBe(true)
      const refused = await call(keys.over.secret)
      const quota = await call(keys.hard.secret)
      if (refused.ok || quota.ok) throw new Error('expected refusals')
      expect(refused.response.status).toBe(429)
      expect(await refused.response.json()).toEqual({ error: { code: 'spend_limit_reached', message: expect.stringMatching(/spend limit on api_calls/) } })
      const names = (r: Response) => [...r.headers.keys()].sort()
      expect(names(refused.response)).toEqual(names(quota.response))
      expect(refused.response.headers.get('retry-after')).toBe(String(30 * DAY))
      expect(refused.response.headers.get('ratelimit')).toBe(`"api_calls";r=0;t=${30 * DAY}`)
      await guard.flush()
      expect((await engine.check(scope('over'), 'api_calls', { amount: 0 })).used).toBe(110)
    } finally {
      await guard.close()
    }
  })

  it('alerts: listed, deduplicated, removable; on the cap only once a cap is set', async () => {
    const { engine } = ctx
    const a = await engine.createUsageAlert(scope('over'), { metric: 'api_calls', threshold_percent: 80, of: 'quota' })
    expect(a).toMatchObject({ metric: 'api_calls', threshold_percent: 80, of: 'quota', created: T0 })
    expect(await engine.createUsageAlert(scope('over'), { metric: 'api_calls', threshold_percent: 80, of: 'quota' })).toEqual(a)
    expect((await expectBillingError(engine.createUsageAlert(scope('over'), { metric: 'api_calls', threshold_percent: 100, of: 'cap' }), 'conflict', 'of')).message).toMatch(/No spend limit/)
    await expectBillingError(engine.createUsageAlert(scope('over'), { metric: 'tokens', threshold_percent: 50, of: 'quota' }), 'not_found', 'metric')
    await expectBillingError(engine.createUsageAlert(scope('over'), { metric: 'api_calls', threshold_percent: 0, of: 'quota' }), 'invalid_request', 'threshold_percent')
    await engine.setUsageLimit(scope('over'), 'api_calls', 100)
    const b = await engine.createUsageAlert(scope('over'), { metric: 'api_calls', threshold_percent: 100, of: 'cap' })
    expect((await engine.listUsageAlerts(scope('over'))).data.map((x) => x.id)).toEqual([b.id, a.id])
    await expectBillingError(engine.deleteUsageAlert(scope('hard'), a.id), 'not_found')
    await engine.deleteUsageAlert(scope('over'), a.id)
    expect((await engine.listUsageAlerts(scope('over'))).data).toEqual([b])
  })

  it('fires onUsageAlert once per threshold per period, even with two instances tracking at once', async () => {
    const { engine } = ctx
    const other = await ctx.opened.another({ now: () => ctx.clock, onUsageAlert: (a) => void ctx.alerts.push(a) })
    await engine.createUsageAlert(scope('over'), { metric: 'api_calls', threshold_percent: 50, of: 'quota' })
    await engine.createUsageAlert(scope('over'), { metric: 'api_calls', threshold_percent: 100, of: 'quota' })
    await engine.setUsageLimit(scope('over'), 'api_calls', 50)
    await engine.createUsageAlert(scope('over'), { metric: 'api_calls', threshold_percent: 100, of: 'cap' })
    await engine.track(scope('over'), 'api_calls', 49)
    expect(ctx.alerts).toEqual([])
    // Both instances cross 50 % and 100 % at once, in many small batches.
    const batch = (i: number) => [{ customUid: 'over', metric: 'api_calls', amount: 1, id: `e${i}` }]
    await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? other : engine).trackMany(APP, batch(i))))
    expect(ctx.alerts.map((a) => `${a.threshold}/${a.of}`).sort()).toEqual(['100/quota', '50/quota'])
    expect(ctx.alerts.find((a) => a.threshold === 50)).toMatchObject({ appId: APP, customUid: 'over', metric: 'api_calls', limit: 100, periodStart: T0 })
    await Promise.all([engine.track(scope('over'), 'api_calls', 50), other.track(scope('over'), 'api_calls', 10)])
    // 169 of the cap's 150: that alert once, the others not again.
    expect(ctx.alerts.map((a) => `${a.threshold}/${a.of}`).sort()).toEqual(['100/cap', '100/quota', '50/quota'])
    expect(ctx.alerts.find((a) => a.of === 'cap')).toMatchObject({ limit: 150 })
    const [{ n }] = await ctx.opened.sql<{ n: number }>('select count(*) as n from usage_alert_firings')
    expect(Number(n)).toBe(3)
    // The next period: each fires again once.
    ctx.clock = END + 1
    await Promise.all([engine.track(scope('over'), 'api_calls', 60), other.track(scope('over'), 'api_calls', 60)])
    expect(ctx.alerts.filter((a) => a.periodStart === END).map((a) => `${a.threshold}/${a.of}`).sort()).toEqual(['100/quota', '50/quota'])
  })
})

describe('usage alert options', () => {
  it('refuse a bad hook or webhook, naming the option', () => {
    expect(() => openSqliteBilling({ filename: ':memory:', onUsageAlert: 'mail me' as never })).toThrow(/openSqliteBilling: onUsageAlert must be a function/)
    expect(() => openSqliteBilling({ filename: ':memory:', usageAlertWebhook: { url: 'ftp://example.com', secret: 'x'.repeat(32) } })).toThrow(/usageAlertWebhook: url must be an http\(s\) URL/)
    expect(() => openSqliteBilling({ filename: ':memory:', usageAlertWebhook: { url: 'https://example.com/hook', secret: 'short' } })).toThrow(/usageAlertWebhook: secret must be your app secret/)
    expect(() => openSqliteBilling({ filename: ':memory:', usageAlertWebhook: { url: 'https://example.com/hook', secret: 'x'.repeat(32), attempts: 0 } })).toThrow(/attempts must be a whole number/)
  })
})

describe('usage helpers', () => {
  it('stopsAt pays whole blocks only; previousPeriodStart follows the cycle', () => {
    const q = { metric: 'm', unit: 'u', quota: 1000, overage_amount: 100, overage_block: 1000 }
    expect(stopsAt(q, null)).toBe(1000)
    expect(stopsAt(q, 250)).toBe(3000)
    expect(stopsAt({ ...q, overage_amount: null }, 250)).toBeNull()
    const jan31 = Date.UTC(2025, 0, 31, 9) / 1000
    expect(previousPeriodStart(jan31, 'month', Date.UTC(2025, 3, 30, 9) / 1000)).toBe(Date.UTC(2025, 2, 31, 9) / 1000)
    expect(previousPeriodStart(jan31, 'month', Date.UTC(2025, 1, 28, 9) / 1000)).toBe(jan31)
    expect(previousPeriodStart(jan31, 'month', jan31)).toBe(Date.UTC(2024, 11, 31, 9) / 1000)
  })

  it('forecastUsage: no usage yet has no limit date; an ended period forecasts its total', () => {
    const q = { metric: 'm', unit: 'u', quota: 100, overage_amount: null, overage_block: null }
    expect(forecastUsage({ total: 0, from: 0, to: 100, now: 50, quota: q, stopsAt: null, currency: 'USD' })).toEqual({ total: 0, at_limit_on: null, overage_amount: 0, currency: 'USD' })
    expect(forecastUsage({ total: 40, from: 0, to: 100, now: 500, quota: q, stopsAt: null, currency: 'USD' })).toEqual({ total: 40, at_limit_on: null, overage_amount: 0, currency: 'USD' })
    expect(forecastUsage({ total: 30, from: 0, to: 100, now: 25, quota: q, stopsAt: null, currency: 'USD' })).toMatchObject({ total: 100, at_limit_on: 84 })
  })
})

describe.each(ENGINES)('usage alert webhook on $name', (kind) => {
  const SECRET = 'archetype-portals-test-secret-0123456789abcdef'
  let server: ReturnType<typeof createServer>
  const received: { body: string; headers: IncomingMessage['headers']; status: number }[] = []
  let answers: number[] = []
  let opened: OpenedEngine
  const errors: unknown[] = []

  beforeEach(async () => {
    received.length = 0
    errors.length = 0
    answers = [500, 503, 200]
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        const status = answers.shift() ?? 200
        received.push({ body, headers: req.headers, status })
        res.writeHead(status).end()
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/usage`
    opened = await kind.open({ now: () => T0, usageAlertWebhook: { url, secret: SECRET, backoffMs: 20 }, onError: (e) => void errors.push(e) })
    await setUp(opened.engine)
  })
  afterEach(async () => {
    await opened.close()
    await new Promise((r) => server.close(r))
  })

  it('POSTs the alert signed with HMAC-SHA256 over the body, retrying a 5xx with the same delivery id', async () => {
    await opened.engine.createUsageAlert(scope('hard'), { metric: 'api_calls', threshold_percent: 80, of: 'quota' })
    await opened.engine.track(scope('hard'), 'api_calls', 85)
    await expect.poll(() => received.length, { timeout: 5_000 }).toBe(3)
    expect(received.map((r) => r.status)).toEqual([500, 503, 200])
    expect(new Set(received.map((r) => r.headers['archetype-delivery'])).size).toBe(1)
    for (const r of received) {
      // What a receiver does: recompute over the raw body and compare in constant time.
      const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`)
      const given = Buffer.from(String(r.headers['archetype-signature']))
      expect(given.length === expected.length && timingSafeEqual(given, expected)).toBe(true)
    }
    expect(JSON.parse(received[2].body)).toMatchObject({ type: 'usage.alert', data: { appId: APP, customUid: 'hard', metric: 'api_calls', threshold: 80, used: 85, limit: 100, of: 'quota' } })
    expect(errors).toEqual([])
    // A tampered body does not verify.
    const forged = createHmac('sha256', SECRET).update(received[2].body.replace('"used":85', '"used":1')).digest('hex')
    expect(received[2].headers['archetype-signature']).not.toBe(`sha256=${forged}`)
  })

  it('gives up after `attempts` (default 5) when every answer is a 5xx, telling onError', async () => {
    answers = [500, 500, 500, 500, 500, 500]
    await opened.engine.createUsageAlert(scope('hard'), { metric: 'api_calls', threshold_percent: 10, of: 'quota' })
    await opened.engine.track(scope('hard'), 'api_calls', 10)
    await expect.poll(() => errors.length, { timeout: 5_000 }).toBe(1)
    expect(String(errors[0])).toMatch(/failed after 5 attempt\(s\): answered 500/)
    expect(received).toHaveLength(5)
  })

  it('gives up on a 4xx at once, telling onError', async () => {
    answers = [400]
    await opened.engine.createUsageAlert(scope('hard'), { metric: 'api_calls', threshold_percent: 10, of: 'quota' })
    await opened.engine.track(scope('hard'), 'api_calls', 10)
    await expect.poll(() => errors.length, { timeout: 5_000 }).toBe(1)
    expect(String(errors[0])).toMatch(/answered 400: not retried/)
    expect(received).toHaveLength(1)
  })
})

describe('the Portal API usage routes', () => {
  let portal: TestPortal
  beforeEach(() => {
    portal = createTestPortal()
  })
  afterEach(() => portal.close())

  const call = async (uid: string, method: string, path: string, body?: unknown) => {
    const res = await portal.fetch(`${portal.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${await portal.token(uid)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as Record<string, any> }
  }

  it('GET /usage answers the chart, and names a bad query field', async () => {
    const session = (await call('cus_active', 'GET', '/session')).body
    const usage = await call('cus_active', 'GET', '/usage?metric=api_calls')
    expect(usage.status).toBe(200)
    expect(usage.body).toMatchObject({ metric: 'api_calls', unit: 'calls', granularity: 'day', total: session.usage[0].used, limit: 250_000, spend_limit: null, forecast: { currency: 'USD' } })
    expect(Object.keys(usage.body.forecast).sort()).toEqual(['at_limit_on', 'currency', 'overage_amount', 'total'])
    expect((await call('cus_active', 'GET', '/usage?metric=api_calls&granularity=week')).body.error).toMatchObject({ code: 'invalid_request', field: 'granularity' })
    expect((await call('cus_active', 'GET', '/usage')).body.error).toMatchObject({ code: 'invalid_request', field: 'metric' })
    expect((await call('cus_active', 'GET', '/usage?metric=tokens')).status).toBe(404)
  })

  it('POST /usage-limits: 409 on a hard plan; on an overage plan the cap shows on the meter and the guard then refuses', async () => {
    const refused = await call('cus_free', 'POST', '/usage-limits', { metric: 'api_calls', max_overage_amount: 1_000 })
    expect(refused.status).toBe(409)
    expect(refused.body.error.message).toMatch(/nothing to cap/)
    expect((await call('cus_active', 'POST', '/usage-limits', { metric: 'api_calls', max_overage_amount: -1 })).body.error).toMatchObject({ field: 'max_overage_amount' })
    expect(await call('cus_active', 'POST', '/usage-limits', { metric: 'api_calls', max_overage_amount: null })).toEqual({ status: 200, body: { metric: 'api_calls', max_overage_amount: null, currency: 'USD' } })
    expect((await call('cus_active', 'GET', '/session')).body.usage[0].spend_limit).toEqual({ max_overage_amount: null, currency: 'USD' })
    const { used, limit } = (await call('cus_active', 'GET', '/session')).body.usage[0]
    await portal.billing.track({ appId: 'app_demo', customUid: 'cus_active' }, 'api_calls', limit - used)
    const key = await portal.billing.createApiKey({ appId: 'app_demo', customUid: 'cus_active' }, 'server')
    const guard = createApiKeyGuard({ billing: portal.billing, metric: 'api_calls' })
    try {
      const verdict = await guard.check(new Request('http://api.test/v1', { headers: { 'x-api-key': key.secret } }))
      expect(verdict.ok).toBe(false)
      if (!verdict.ok) {
        expect(verdict.response.status).toBe(429)
        expect((await verdict.response.json()).error.code).toBe('spend_limit_reached')
        expect(verdict.response.headers.get('retry-after')).toMatch(/^\d+$/)
      }
    } finally {
      await guard.close()
    }
  })

  it('POST, GET and DELETE /usage-alerts', async () => {
    const created = await call('cus_active', 'POST', '/usage-alerts', { metric: 'api_calls', threshold_percent: 90, of: 'quota' })
    expect(created).toMatchObject({ status: 200, body: { id: expect.any(String), metric: 'api_calls', threshold_percent: 90, of: 'quota' } })
    expect((await call('cus_active', 'POST', '/usage-alerts', { metric: 'api_calls', threshold_percent: 90, of: 'total' })).body.error).toMatchObject({ field: 'of' })
    expect((await call('cus_active', 'GET', '/usage-alerts')).body).toEqual({ data: [created.body], has_more: false })
    expect((await call('cus_free', 'DELETE', `/usage-alerts/${created.body.id}`)).status).toBe(404)
    expect(await call('cus_active', 'DELETE', `/usage-alerts/${created.body.id}`)).toEqual({ status: 200, body: { id: created.body.id, deleted: true } })
    expect((await call('cus_active', 'GET', '/usage-alerts')).body.data).toEqual([])
  })
})

describe('migration 9', () => {
  it('rolls up the usage a version-7 engine recorded, so its chart and check count it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-usage-migrate-'))
    try {
      const filename = join(dir, 'old.sqlite')
      openSqliteBilling({ filename, migrateTo: 7 }).close()
      const raw = new Database(filename)
      raw.exec(`
        insert into apps (id, name, public_key, invoice_prefix, next_invoice_seq, created) values ('app_old', 'Old', 'pk_old', 'OLD', 1, 0);
        insert into metrics (app_id, key, name, unit) values ('app_old', 'api_calls', 'API calls', 'calls');
        insert into plans (id, app_id, name, description, features, trial_days, featured, public, sort_order, created) values ('plan_old', 'app_old', 'Old', '', '[]', 0, 0, 1, 0, 0);
        insert into plan_quotas (plan_id, metric, quota, overage_amount, overage_block) values ('plan_old', 'api_calls', 100, null, null);
        insert into prices (id, plan_id, app_id, period, amount, currency, created) values ('price_old', 'plan_old', 'app_old', 'month', 0, 'USD', 0);
        insert into customers (id, app_id, custom_uid, email, name, subscription_id, created) values ('cu_a', 'app_old', 'cus_a', 'a@example.com', 'A', 'sub_a', 0);
        insert into subscriptions (id, app_id, customer_id, price_id, status, anchor, current_period_start, current_period_end, cancel_at_period_end, created)
          values ('sub_a', 'app_old', 'cu_a', 'price_old', 'active', ${T0}, ${T0}, ${END}, 0, 0);
        insert into usage_records (app_id, customer_id, metric, quantity, recorded_at) values
          ('app_old', 'cu_a', 'api_calls', 1, ${T0 - 1}), ('app_old', 'cu_a', 'api_calls', 2, ${T0}), ('app_old', 'cu_a', 'api_calls', 4, ${T0 + 3_000}), ('app_old', 'cu_a', 'api_calls', 8, ${T0 + DAY});
      `)
      raw.close()
      const engine = openSqliteBilling({ filename, now: () => T0 + 2 * DAY })
      try {
        const usage = await engine.getUsage({ appId: 'app_old', customUid: 'cus_a' }, { metric: 'api_calls', granularity: 'hour' })
        expect(usage.total).toBe(14)
        expect(usage.buckets.slice(0, 2).map((b) => b.value)).toEqual([2, 4])
        expect((await engine.check({ appId: 'app_old', customUid: 'cus_a' }, 'api_calls', { amount: 0 })).used).toBe(14)
      } finally {
        await engine.close()
      }
      const check = new Database(filename, { readonly: true })
      expect(check.prepare('select hour, quantity from usage_hourly order by hour').all()).toEqual([
        { hour: T0 - (T0 % HOUR), quantity: 3 },
        { hour: T0 + 3_000 - ((T0 + 3_000) % HOUR), quantity: 4 },
        { hour: T0 + DAY - ((T0 + DAY) % HOUR), quantity: 8 },
      ])
      check.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
