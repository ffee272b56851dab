import fc from 'fast-check'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqliteBilling, type SqliteBilling } from '../../src/server/billing/sqlite.js'
import type { CustomerScope } from '../../src/server/billing/types.js'
import { ENGINES, type OpenedEngine } from '../helpers/engines.js'
import { expectBillingError } from './backend-contract.js'

/** 2025-11-20T12:00:00Z, on an injected clock. */
const T0 = Date.UTC(2025, 10, 20, 12) / 1000
const DAY = 86_400
const root = mkdtempSync(join(tmpdir(), 'ap-metering-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let files = 0
const tempFile = () => join(root, `metering-${process.pid}-${files++}.sqlite`)

const APP = 'app_m'
const scope = (customUid: string): CustomerScope => ({ appId: APP, customUid })

/** An app with a hard plan (100 calls, the `sso` flag), an overage plan and an unlimited one; a customer on each. */
async function setUp(engine: SqliteBilling) {
  await engine.createApp({ id: APP, name: 'Metered', metrics: [{ key: 'api_calls', name: 'API calls', unit: 'calls' }, { key: 'tokens', name: 'Tokens', unit: 'tokens' }] })
  await engine.createPlan(APP, { id: 'hard', name: 'Hard', flags: ['sso'], quotas: { api_calls: 100 }, prices: [{ id: 'p_hard', period: 'month', amount: 0, currency: 'usd' }, { id: 'p_hard_year', period: 'year', amount: 0, currency: 'usd' }] })
  await engine.createPlan(APP, { id: 'over', name: 'Overage', quotas: { api_calls: { limit: 100, overage: { amount: 10, per: 10 } } }, prices: [{ id: 'p_over', period: 'month', amount: 0, currency: 'usd' }] })
  await engine.createPlan(APP, { id: 'open', name: 'Unlimited', quotas: { api_calls: null }, prices: [{ id: 'p_open', period: 'month', amount: 0, currency: 'usd' }] })
  for (const [uid, price] of [['hard', 'p_hard'], ['over', 'p_over'], ['open', 'p_open']]) {
    await engine.createCustomer(APP, { customUid: uid })
    await engine.subscribe(scope(uid), price)
  }
  await engine.createCustomer(APP, { customUid: 'none' })
}

// The same metering on every database the engine runs on.
describe.each(ENGINES)('check / track / trackMany / entitlements on $name', (kind) => {
  const ctx = { clock: T0 } as { engine: SqliteBilling; clock: number; opened: OpenedEngine }
  beforeEach(async () => {
    ctx.clock = T0
    ctx.opened = await kind.open({ now: () => ctx.clock })
    ctx.engine = ctx.opened.engine
    await setUp(ctx.engine)
  })
  afterEach(() => ctx.opened.close())

  it('refuses past a hard quota, and allows exactly up to it', async () => {
    const { engine } = ctx
    expect(await engine.check(scope('hard'), 'api_calls')).toMatchObject({ allowed: true, used: 0, limit: 100, remaining: 100, overage: false, resets_at: T0 + 30 * DAY })
    await engine.track(scope('hard'), 'api_calls', 99)
    expect(await engine.check(scope('hard'), 'api_calls')).toMatchObject({ allowed: true, used: 99, remaining: 1 })
    expect(await engine.check(scope('hard'), 'api_calls', { amount: 2 })).toMatchObject({ allowed: false, reason: 'quota_exceeded', used: 99, remaining: 1 })
    await engine.track(scope('hard'), 'api_calls', 1)
    expect(await engine.check(scope('hard'), 'api_calls')).toMatchObject({ allowed: false, reason: 'quota_exceeded', used: 100, remaining: 0 })
  })

  it('allows past the quota when the plan prices the overage, saying so', async () => {
    const { engine } = ctx
    await engine.track(scope('over'), 'api_calls', 100)
    expect(await engine.check(scope('over'), 'api_calls')).toMatchObject({ allowed: true, overage: true, used: 100, limit: 100, remaining: 0 })
    expect(await engine.check(scope('open'), 'api_calls', { amount: 1_000_000 })).toMatchObject({ allowed: true, overage: false, limit: null, remaining: null })
  })

  it('answers flags, and not_in_plan for what the plan does not grant', async () => {
    const { engine } = ctx
    expect(await engine.check(scope('hard'), 'sso')).toMatchObject({ allowed: true })
    expect(await engine.check(scope('over'), 'sso')).toMatchObject({ allowed: false, reason: 'not_in_plan' })
    expect(await engine.check(scope('over'), 'tokens')).toMatchObject({ allowed: false, reason: 'not_in_plan' })
    expect(await engine.check(scope('hard'), 'no_such_thing')).toMatchObject({ allowed: false, reason: 'not_in_plan' })
  })

  it('refuses a customer without a subscription, and one whose subscription is canceled or past due', async () => {
    const { engine } = ctx
    expect(await engine.check(scope('none'), 'api_calls')).toMatchObject({ allowed: false, reason: 'no_subscription', resets_at: null })
    await engine.cancelSubscription(scope('open'), false)
    expect(await engine.check(scope('open'), 'api_calls')).toMatchObject({ allowed: false, reason: 'no_subscription' })
    // Overage billed at renewal with no card: the invoice stays open, the subscription past due.
    await engine.track(scope('over'), 'api_calls', 150)
    ctx.clock += 31 * DAY
    expect(await engine.check(scope('over'), 'api_calls')).toMatchObject({ allowed: false, reason: 'subscription_inactive', status: 'past_due' })
    await expectBillingError(engine.check(scope('ghost'), 'api_calls'), 'not_found')
  })

  it('scales a yearly price’s quota to the year, as invoices do', async () => {
    const { engine } = ctx
    await engine.createCustomer(APP, { customUid: 'yearly' })
    await engine.subscribe(scope('yearly'), 'p_hard_year')
    expect(await engine.check(scope('yearly'), 'api_calls')).toMatchObject({ limit: 1_200 })
  })

  it('counts an event id once, across calls and within a batch', async () => {
    const { engine } = ctx
    expect(await engine.track(scope('hard'), 'api_calls', 5, { id: 'evt_1' })).toEqual({ duplicate: false })
    expect(await engine.track(scope('hard'), 'api_calls', 5, { id: 'evt_1' })).toEqual({ duplicate: true })
    const batch = await engine.trackMany(APP, [
      { customUid: 'hard', metric: 'api_calls', amount: 1, id: 'evt_1' },
      { customUid: 'hard', metric: 'api_calls', amount: 2, id: 'evt_2' },
      { customUid: 'hard', metric: 'api_calls', amount: 2, id: 'evt_2' },
      { customUid: 'over', metric: 'api_calls', amount: 3 },
      { customUid: 'over', metric: 'api_calls', amount: 3 },
    ])
    expect(batch).toEqual({ accepted: 3, duplicates: 2, rejected: [] })
    expect((await engine.check(scope('hard'), 'api_calls')).used).toBe(7)
    expect((await engine.check(scope('over'), 'api_calls')).used).toBe(6)
    // Ids are per app: another app may use the same one.
    await engine.createApp({ id: 'app_n', name: 'N', metrics: [{ key: 'api_calls', name: 'API calls', unit: 'calls' }] })
    await engine.createCustomer('app_n', { customUid: 'hard' })
    expect(await engine.trackMany('app_n', [{ customUid: 'hard', metric: 'api_calls', amount: 1, id: 'evt_1' }])).toMatchObject({ accepted: 1, duplicates: 0 })
  })

  it('itemises the events it refuses and counts the rest', async () => {
    const { engine } = ctx
    const result = await engine.trackMany(APP, [
      { customUid: 'hard', metric: 'api_calls', amount: 1 },
      { customUid: 'ghost', metric: 'api_calls', amount: 1, id: 'e_ghost' },
      { customUid: 'hard', metric: 'nope', amount: 1 },
      { customUid: 'hard', metric: 'api_calls', amount: 1, at: T0 + 3_600 },
    ])
    expect(result.accepted).toBe(1)
    expect(result.rejected.map((r) => [r.index, r.field])).toEqual([
      [1, 'customUid'],
      [2, 'metric'],
      [3, 'at'],
    ])
    expect(result.rejected[0]).toMatchObject({ id: 'e_ghost', message: expect.stringContaining('ghost') })
    expect(result.rejected[2].message).toMatch(/future/)
  })

  it('refuses a malformed batch whole, naming the event and field', async () => {
    const { engine } = ctx
    await expectBillingError(engine.trackMany(APP, [{ customUid: 'hard', metric: 'api_calls', amount: 1 }, { customUid: 'hard', metric: 'api_calls', amount: -1 }]), 'invalid_request', 'events[1].amount')
    await expectBillingError(engine.trackMany(APP, 'x' as never), 'invalid_request', 'events')
    await expectBillingError(engine.track(scope('hard'), 'api_calls', 0), 'invalid_request', 'amount')
    await expectBillingError(engine.track(scope('hard'), 'api_calls', 1, { at: 1.5 }), 'invalid_request', 'at')
    await expectBillingError(engine.track(scope('ghost'), 'api_calls', 1), 'not_found')
    expect((await engine.check(scope('hard'), 'api_calls')).used).toBe(0)
  })

  it('counts a late event in the period it belongs to until that period rolls over, then refuses it', async () => {
    const { engine } = ctx
    const end = T0 + 30 * DAY
    ctx.clock = end + 60 // the period has ended; nothing has rolled it over yet
    await engine.track(scope('hard'), 'api_calls', 7, { at: end - 10 })
    // At the boundary an event belongs to the next period.
    await engine.track(scope('hard'), 'api_calls', 1, { at: end })
    expect(await engine.check(scope('hard'), 'api_calls')).toMatchObject({ used: 1, resets_at: end + 31 * DAY })
    const invoices = await engine.listInvoices(scope('hard'), { limit: 10 })
    expect(invoices.data).toEqual([]) // a free plan within quota: nothing billed, but the period is closed
    const late = await engine.trackMany(APP, [{ customUid: 'hard', metric: 'api_calls', amount: 3, id: 'late', at: end - 5 }])
    expect(late).toMatchObject({ accepted: 0, rejected: [{ index: 0, id: 'late', field: 'at', message: expect.stringMatching(/already invoiced/) }] })
    await expectBillingError(engine.track(scope('hard'), 'api_calls', 3, { at: end - 5 }), 'invalid_request', 'at')
  })

  it('bills overage tracked late in the period it belongs to', async () => {
    const { engine } = ctx
    await engine.attachPaymentMethod(scope('over'), 'pm_card_visa')
    const end = T0 + 30 * DAY
    ctx.clock = end + 60
    await engine.track(scope('over'), 'api_calls', 125, { at: end - 1 })
    await engine.renew()
    const [invoice] = (await engine.listInvoices(scope('over'), { limit: 1 })).data
    const full = await engine.getInvoice(scope('over'), invoice.id)
    // 25 over at 10 per started block of 10: 3 blocks.
    expect(full.lines?.find((l) => l.quantity === 3)).toMatchObject({ amount: 30 })
  })

  it('keeps recordUsage as a thin call of track: one path for counting', async () => {
    const { engine } = ctx
    await engine.recordUsage(scope('hard'), 'api_calls', 4)
    expect((await engine.entitlements(scope('hard'))).metrics[0].used).toBe(4)
  })

  it('lists every metric and flag of the plan in entitlements', async () => {
    const { engine } = ctx
    await engine.track(scope('hard'), 'api_calls', 30)
    expect(await engine.entitlements(scope('hard'))).toEqual({
      plan_id: 'hard',
      status: 'active',
      resets_at: T0 + 30 * DAY,
      metrics: [{ metric: 'api_calls', name: 'API calls', unit: 'calls', used: 30, limit: 100, remaining: 70, overage_priced: false }],
      flags: ['sso'],
    })
    expect(await engine.entitlements(scope('none'))).toEqual({ plan_id: null, status: null, resets_at: null, metrics: [], flags: [] })
  })

  it('puts flags on the wire plan, and refuses a flag that is also a quota', async () => {
    const { engine } = ctx
    const plans = await engine.listPlans(scope('hard'))
    expect(plans.data.find((p) => p.id === 'hard')?.flags).toEqual(['sso'])
    await expectBillingError(engine.createPlan(APP, { name: 'X', flags: ['api_calls'], quotas: { api_calls: 1 }, prices: [{ period: 'month', amount: 0, currency: 'usd' }] }), 'invalid_request', 'flags')
    await expectBillingError(engine.createPlan(APP, { name: 'X', flags: ['Not Snake'], prices: [{ period: 'month', amount: 0, currency: 'usd' }] }), 'invalid_request', 'flags')
  })

  it('counts every distinct event exactly once, whatever the duplicates and their order (property)', async () => {
    const { engine } = ctx
    let round = 0
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ id: fc.integer({ min: 0, max: 30 }), amount: fc.integer({ min: 1, max: 50 }) }), { minLength: 1, maxLength: 60 }), async (events) => {
        const uid = `prop_${round++}`
        await engine.createCustomer(APP, { customUid: uid })
        await engine.subscribe(scope(uid), 'p_open')
        // The first amount seen for an id is the one counted.
        const expected = new Map<number, number>()
        for (const e of events) if (!expected.has(e.id)) expected.set(e.id, e.amount)
        const half = Math.ceil(events.length / 2)
        const toEvent = (e: { id: number; amount: number }) => ({ customUid: uid, metric: 'api_calls', amount: e.amount, id: `${uid}:${e.id}` })
        const a = await engine.trackMany(APP, events.slice(0, half).map(toEvent))
        const b = await engine.trackMany(APP, events.slice(half).map(toEvent))
        expect(a.accepted + b.accepted).toBe(expected.size)
        expect(a.duplicates + b.duplicates).toBe(events.length - expected.size)
        expect((await engine.check(scope(uid), 'api_calls')).used).toBe([...expected.values()].reduce((x, y) => x + y, 0))
      }),
      { numRuns: 25 },
    )
  })

  it('moves a key’s last_used with tracked usage, and verifies without touching it when asked', async () => {
    const { engine } = ctx
    const key = await engine.createApiKey(scope('hard'), 'Server')
    expect(await engine.verifyApiKey(key.secret, { markUsed: false })).toEqual({ appId: APP, customUid: 'hard', apiKeyId: key.id })
    expect((await engine.listApiKeys(scope('hard')))?.data[0].last_used).toBeNull()
    await engine.trackMany(APP, [{ customUid: 'hard', metric: 'api_calls', amount: 1, apiKeyId: key.id, at: T0 + 30 }])
    expect((await engine.listApiKeys(scope('hard')))?.data[0].last_used).toBe(T0 + 30)
  })
})

describe('API keys: create, revoke, the maximum', () => {
  const ctx = {} as { engine: SqliteBilling }
  afterEach(() => ctx.engine.close())

  it('revokes a key at once, tells listeners on the same engine, and hides it from the list', async () => {
    ctx.engine = openSqliteBilling({ filename: tempFile(), now: () => T0 })
    await setUp(ctx.engine)
    const { engine } = ctx
    const changes: unknown[] = []
    const stop = engine.onApiKeyChange((c) => changes.push(c))
    const key = await engine.createApiKey(scope('hard'), 'Server')
    const rolled = await engine.rollApiKey(scope('hard'), key.id)
    await engine.revokeApiKey(scope('hard'), key.id)
    expect(changes).toEqual([{ apiKeyId: key.id, kind: 'rolled' }, { apiKeyId: key.id, kind: 'revoked' }])
    expect(await engine.verifyApiKey(rolled.secret)).toBeNull()
    expect((await engine.listApiKeys(scope('hard')))?.data).toEqual([])
    await expectBillingError(engine.revokeApiKey(scope('hard'), key.id), 'not_found')
    // Another customer's key is not found either.
    const other = await engine.createApiKey(scope('over'), 'Theirs')
    await expectBillingError(engine.revokeApiKey(scope('hard'), other.id), 'not_found')
    stop()
    await engine.revokeApiKey(scope('over'), other.id)
    expect(changes).toHaveLength(2)
  })

  it('refuses a key past the seller’s maximum with a conflict naming it; a revoke makes room', async () => {
    ctx.engine = openSqliteBilling({ filename: tempFile(), now: () => T0, maxApiKeysPerCustomer: 2 })
    await setUp(ctx.engine)
    const { engine } = ctx
    const first = await engine.createApiKey(scope('hard'), 'One')
    await engine.createApiKey(scope('hard'), 'Two')
    const error = await expectBillingError(engine.createApiKey(scope('hard'), 'Three'), 'conflict')
    expect(error.status).toBe(409)
    expect(error.message).toMatch(/2 API keys/)
    await engine.revokeApiKey(scope('hard'), first.id)
    await expect(engine.createApiKey(scope('hard'), 'Three')).resolves.toMatchObject({ name: 'Three' })
    await expectBillingError(engine.createApiKey(scope('hard'), 'x'.repeat(101)), 'invalid_request', 'name')
    expect(() => openSqliteBilling({ filename: ':memory:', maxApiKeysPerCustomer: 0 })).toThrow(/maxApiKeysPerCustomer/)
  })
})
