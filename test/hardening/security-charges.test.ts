/**
 * Issue 12, findings 1 and 3, on both backends (the SQLite engine, and `stripeBilling` over
 * the Stripe double), through the Portal API:
 *
 * 1. Twenty simultaneous first subscriptions for one customer, each with its own
 *    Idempotency-Key (tabs, previews, instances): exactly one 200, the rest 409 `conflict`,
 *    exactly one charge. On Stripe the twenty creates are held until all have arrived, so
 *    every request read "no live subscription" before any was made.
 * 2. One trial per customer: start a trial, switch to the dearest plan (the trial's end
 *    stays), cancel, start again: paid at once. `allowRepeatTrials` gives the trial again.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { openSqliteBilling } from '../../src/server/billing/sqlite.js'
import { createTestPortal, type TestPortal } from '../helpers/portal.js'
import { createStripePortal, type StripePortal } from './stripe-portal.js'
import { answer, caseCounter, errorCode, type Answer } from './support.js'

interface Target {
  fetch: typeof fetch
  apiUrl: string
  token(uid: string): Promise<string>
  /** `scale_month` -> the backend's price id. */
  price(key: string): string
  /** Invoices of the customer with a total above zero: what was charged. */
  charges(uid: string): Promise<number>
  /** Before the creates are let through, park them until `n` arrived (Stripe only). */
  holdCreates(n: number): void
  close(): Promise<void>
}

function sqliteTarget(): Target {
  const portal: TestPortal = createTestPortal()
  return {
    fetch: portal.fetch,
    apiUrl: portal.apiUrl,
    token: (uid) => portal.token(uid),
    price: (key) => `price_${key}`,
    async charges(uid) {
      const list = await portal.billing.listInvoices({ appId: 'app_demo', customUid: uid }, { limit: 100 })
      return list.data.filter((i) => i.total > 0).length
    },
    holdCreates: () => undefined,
    close: () => portal.close(),
  }
}

async function stripeTarget(): Promise<Target> {
  const s: StripePortal = await createStripePortal()
  return {
    fetch: s.fetch,
    apiUrl: s.apiUrl,
    token: (uid) => s.token(uid),
    price: (key) => s.double.demo.prices[key],
    async charges(uid) {
      const id = s.double.demo.customers[uid]
      return [...s.double.world.invoices.values()].filter((i) => i.customer === id && i.total > 0).length
    },
    holdCreates: (n) => s.double.gate('POST', /^\/v1\/subscriptions$/, n),
    close: () => s.close(),
  }
}

const backends = [
  ['sqlite', async () => sqliteTarget()],
  ['stripe', stripeTarget],
] as const

async function call(t: Target, token: string, method: string, path: string, body: unknown, key: string = crypto.randomUUID()): Promise<Answer> {
  return answer(
    await t.fetch(`${t.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
    }),
  )
}

let target: Target | undefined
afterEach(async () => {
  await target?.close()
  target = undefined
})

const counter = caseCounter()
afterAll(() => {
  console.log(`security (charges, trials): ${counter.tried()} cases on 2 backends, each one charge and at most one trial`)
})

describe('finding 1: simultaneous first subscriptions', () => {
  it.each(backends)('%s: 20 at once with distinct keys -> one 200, nineteen 409 conflict, one charge', async (_name, open) => {
    const t = (target = await open())
    const token = await t.token('cus_canceled')
    const before = await t.charges('cus_canceled')
    t.holdCreates(20)
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call(t, token, 'POST', '/subscription', { price_id: t.price('scale_month') }, `first-${i}`)))
    counter.count(answers.length)
    const statuses = answers.map((a) => a.status).sort()
    expect(statuses.filter((s) => s === 200)).toHaveLength(1)
    expect(answers.filter((a) => a.status !== 200).map((a) => [a.status, errorCode(a)])).toEqual(Array(19).fill([409, 'conflict']))
    expect((await t.charges('cus_canceled')) - before).toBe(1)
    // And the survivor is the one subscription the customer has.
    const session = (await answer(await t.fetch(`${t.apiUrl}/session`, { headers: { authorization: `Bearer ${token}` } }))).json as { subscription: { status: string; price_id: string } }
    expect(session.subscription).toMatchObject({ status: 'active', price_id: t.price('scale_month') })
  })
})

describe('finding 1: what a refused start answers (stripe)', () => {
  it("Stripe's 409 idempotency_key_in_use (a start still running elsewhere) is a 409 conflict, not a decline", async () => {
    const s = await createStripePortal()
    target = { close: () => s.close() } as Target
    s.double.fail('POST', /^\/v1\/subscriptions$/, { status: 409, error: { type: 'invalid_request_error', code: 'idempotency_key_in_use', message: 'There is currently another in-progress request using this Idempotent Key.' } as never })
    await expect(s.billing.changeSubscription({ appId: 'app_demo', customUid: 'cus_canceled' }, s.double.demo.prices.scale_month)).rejects.toMatchObject({ code: 'conflict', status: 409 })
    counter.count()
  })

  it('a start after a declined one in the same state answers 402 until the card changes, and is never charged twice', async () => {
    const s = await createStripePortal()
    target = { close: () => s.close() } as Target
    const scope = { appId: 'app_demo', customUid: 'cus_past_due' }
    // cus_past_due's card declines; cancel the subscription so the next choice is a first one.
    await s.billing.cancelSubscription(scope, false)
    const declined = s.billing.changeSubscription(scope, s.double.demo.prices.scale_month, { idempotencyKey: 'a' })
    await expect(declined).rejects.toMatchObject({ code: 'payment_failed' })
    await expect(s.billing.changeSubscription(scope, s.double.demo.prices.scale_month, { idempotencyKey: 'b' })).rejects.toMatchObject({ code: 'payment_failed' })
    // A working card as the default: a new state, a new key, and the start goes through.
    await s.billing.attachPaymentMethod(scope, 'pm_card_visa', { makeDefault: true })
    expect((await s.billing.changeSubscription(scope, s.double.demo.prices.scale_month, { idempotencyKey: 'c' })).status).toBe('active')
    counter.count(3)
  })
})

describe('finding 3: one trial per customer', () => {
  it.each(backends)('%s: trial, switch to the dearest plan (same end), cancel, start again: paid now', async (_name, open) => {
    const t = (target = await open())
    const token = await t.token('cus_canceled')
    const trial = await call(t, token, 'POST', '/subscription', { price_id: t.price('starter_month') })
    expect(trial.json).toMatchObject({ status: 'trialing' })
    const trialEnd = (trial.json as { trial_end: number }).trial_end
    expect(trialEnd).toBeGreaterThan(0)

    const dearest = await call(t, token, 'POST', '/subscription', { price_id: t.price('scale_month') })
    expect(dearest.json).toMatchObject({ status: 'trialing', trial_end: trialEnd, price_id: t.price('scale_month') })
    expect((await call(t, token, 'POST', '/subscription/cancel', { at_period_end: false })).status).toBe(200)

    const charged = await t.charges('cus_canceled')
    const preview = await call(t, token, 'POST', '/subscription/preview', { price_id: t.price('pro_month') })
    expect(preview.json).toMatchObject({ amount_due_now: 4_900 })
    const again = await call(t, token, 'POST', '/subscription', { price_id: t.price('pro_month') })
    expect(again.status).toBe(200)
    expect(again.json).toMatchObject({ status: 'active', price_id: t.price('pro_month') })
    expect((await t.charges('cus_canceled')) - charged).toBe(1)
    counter.count(5)
  })

  it('sqlite: allowRepeatTrials gives the second subscription its trial', async () => {
    const engine = openSqliteBilling({ filename: ':memory:', seed: 'demo', allowRepeatTrials: true })
    const scope = { appId: 'app_demo', customUid: 'cus_canceled' }
    try {
      expect((await engine.changeSubscription(scope, 'price_starter_month')).status).toBe('trialing')
      await engine.cancelSubscription(scope, false)
      expect((await engine.changeSubscription(scope, 'price_pro_month')).status).toBe('trialing')
    } finally {
      await engine.close()
    }
    counter.count(2)
  })

  it('stripe: allowRepeatTrials gives the second subscription its trial', async () => {
    const s = await createStripePortal({ billing: { allowRepeatTrials: true } })
    target = { close: () => s.close() } as Target
    const scope = { appId: 'app_demo', customUid: 'cus_canceled' }
    expect((await s.billing.changeSubscription(scope, s.double.demo.prices.starter_month)).status).toBe('trialing')
    await s.billing.cancelSubscription(scope, false)
    expect((await s.billing.changeSubscription(scope, s.double.demo.prices.pro_month)).status).toBe('trialing')
    counter.count(2)
  })
})
