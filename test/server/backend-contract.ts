/**
 * What every `BillingBackend` must do over the demo data (`seed: 'demo'` for SQLite; the
 * same customers and plans in a Stripe test account). Only the backend's public methods
 * are used, and prices are found by plan name and period, never by id, so a Stripe
 * backend runs the same suite.
 *
 *   describeBackendContract('sqlite', async () => ({ backend, scope: (uid) => ({ appId, customUid: uid }), cleanup }))
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type TestContext } from 'vitest'
import type { ErrorCode, Plan, Price, Session } from '../../src/api/types.js'
import { BillingError, type BillingBackend, type CustomerScope } from '../../src/server/billing/types.js'
import { backendAnswers, checkedAnswers } from '../helpers/wire-check.js'

export interface ContractBackend {
  backend: BillingBackend
  scope(customUid: string): CustomerScope
  cleanup(): Promise<void>
  /** The demo app's public key; default `pk_demo`. */
  publicKey?: string
}

export async function expectBillingError(promise: Promise<unknown>, code: ErrorCode, field?: string): Promise<BillingError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, `expected BillingError ${code}`).toBeInstanceOf(BillingError)
  const billingError = error as BillingError
  expect(billingError.code).toBe(code)
  if (field !== undefined) expect(billingError.field).toBe(field)
  return billingError
}

export function findPrice(plans: Plan[], planName: string, period: Price['period']): Price {
  const plan = plans.find((p) => p.name === planName)
  if (!plan) throw new Error(`no plan named ${planName} in ${plans.map((p) => p.name).join(', ')}`)
  const price = plan.prices.find((p) => p.period === period)
  if (!price) throw new Error(`plan ${planName} has no ${period} price`)
  return price
}

const sumOf = (values: number[]) => values.reduce((a, b) => a + b, 0)

export function describeBackendContract(name: string, makeBackend: () => Promise<ContractBackend>): void {
  describe(`BillingBackend contract: ${name}`, () => {
    /** Every answer of the backend is parsed by its response schema (a mismatch fails the test that made the call). */
    const answered = new Set<string>()
    /** The optional methods (usage limits and alerts) this backend has. */
    const implemented = new Set<string>()
    const checkedBackend = async (): Promise<ContractBackend> => {
      const made = await makeBackend()
      for (const key of Object.keys(backendAnswers)) if (typeof (made.backend as unknown as Record<string, unknown>)[key] === 'function') implemented.add(key)
      return { ...made, backend: checkedAnswers(made.backend, answered) }
    }

    /** A fresh backend per test for the mutating groups; one shared for the read-only group. */
    function fresh() {
      const ctx = {} as ContractBackend & { plans: Plan[] }
      beforeEach(async () => {
        Object.assign(ctx, await checkedBackend())
        ctx.plans = (await ctx.backend.listPublicPlans(ctx.publicKey ?? 'pk_demo')).data
      })
      afterEach(async () => {
        await ctx.cleanup()
      })
      return ctx
    }

    describe('reads', () => {
      const ctx = {} as ContractBackend
      beforeAll(async () => {
        Object.assign(ctx, await checkedBackend())
      })
      afterAll(async () => {
        await ctx.cleanup()
      })
      const session = (uid: string): Promise<Session> => ctx.backend.getSession(ctx.scope(uid))

      it('gives the dashboard in one call: customer, subscription, plan, price, usage and upcoming invoice', async () => {
        const s = await session('cus_active')
        expect(s.customer).toMatchObject({ id: 'cus_active' })
        expect(s.customer.name).not.toBe('')
        expect(s.customer.email).toContain('@')
        expect(s.subscription).toMatchObject({ status: 'active', cancel_at_period_end: false, scheduled_change: null, canceled_at: null, ended_at: null })
        expect(s.plan?.name).toBe('Pro')
        expect(s.plan?.metrics?.api_calls).toEqual({ name: 'API calls', unit: 'calls' })
        expect(s.subscription?.plan_id).toBe(s.plan?.id)
        expect(s.price).toMatchObject({ id: s.subscription?.price_id, period: 'month' })
        expect(s.plan?.prices.map((p) => p.id)).toContain(s.price?.id)
        const sub = s.subscription!
        expect(sub.current_period_start).toBeLessThan(sub.current_period_end)
        const calls = s.usage.find((u) => u.metric === 'api_calls')
        expect(calls).toMatchObject({ name: 'API calls', unit: 'calls' })
        expect(calls!.used / (calls!.limit as number)).toBeCloseTo(0.8, 5)
        expect(s.upcoming_invoice).toEqual({ amount_due: s.price!.amount, currency: s.price!.currency, date: sub.current_period_end })
        expect(s.api_keys_enabled).toBe(true)
      })

      it('shows every subscription state of the demo customers', async () => {
        const trialing = await session('cus_trialing')
        expect(trialing.subscription?.status).toBe('trialing')
        expect(trialing.subscription?.trial_end).toBe(trialing.subscription?.current_period_end)

        expect((await session('cus_past_due')).subscription?.status).toBe('past_due')

        const canceling = await session('cus_canceling')
        // Asked for (canceled_at), not yet ended.
        expect(canceling.subscription).toMatchObject({ status: 'active', cancel_at_period_end: true, canceled_at: expect.any(Number), ended_at: null })
        expect(canceling.upcoming_invoice).toBeNull()

        const canceled = await session('cus_canceled')
        expect(canceled.subscription).toMatchObject({ status: 'canceled', canceled_at: expect.any(Number), ended_at: expect.any(Number) })
        expect(canceled.subscription!.canceled_at).toBeLessThanOrEqual(canceled.subscription!.ended_at!)
        expect(canceled.upcoming_invoice).toBeNull()

        const free = await session('cus_free')
        expect(free.plan?.name).toBe('Free')
        expect(free.price?.amount).toBe(0)
      })

      it('refuses an unknown customer with not_found', async () => {
        await expectBillingError(session('cus_nobody'), 'not_found')
      })

      it('pages through invoices newest first by cursor, each page exactly once', async () => {
        const scope = ctx.scope('cus_many_invoices')
        const seen: string[] = []
        let created = Infinity
        let cursor: string | undefined
        for (let page = 0; page < 10; page++) {
          const list = await ctx.backend.listInvoices(scope, { limit: 100, starting_after: cursor })
          for (const invoice of list.data) {
            expect(invoice.created).toBeLessThanOrEqual(created)
            created = invoice.created
            seen.push(invoice.id)
          }
          if (!list.has_more) break
          cursor = list.data[list.data.length - 1].id
        }
        expect(seen).toHaveLength(250)
        expect(new Set(seen).size).toBe(250)
        const small = await ctx.backend.listInvoices(scope, { limit: 3 })
        expect(small.data.map((i) => i.id)).toEqual(seen.slice(0, 3))
        expect(small.has_more).toBe(true)
      })

      it('lists twelve paid invoices for cus_active, with numbers and document links', async () => {
        const list = await ctx.backend.listInvoices(ctx.scope('cus_active'), { limit: 100 })
        expect(list.data).toHaveLength(12)
        expect(list.has_more).toBe(false)
        for (const invoice of list.data) {
          expect(invoice.status).toBe('paid')
          expect(invoice.number).not.toBe('')
          expect(invoice.lines).toBeUndefined()
          for (const url of [invoice.pdf_url, invoice.hosted_url]) expect(url === null || typeof url === 'string').toBe(true)
        }
        expect(new Set(list.data.map((i) => i.number)).size).toBe(12)
      })

      it('refuses a cursor that is not one of this customer’s invoices', async () => {
        const other = await ctx.backend.listInvoices(ctx.scope('cus_many_invoices'), { limit: 1 })
        await expectBillingError(ctx.backend.listInvoices(ctx.scope('cus_active'), { limit: 10, starting_after: other.data[0].id }), 'invalid_request', 'starting_after')
        await expectBillingError(ctx.backend.listInvoices(ctx.scope('cus_active'), { limit: 10, starting_after: 'in_nope' }), 'invalid_request', 'starting_after')
      })

      it('returns one invoice with lines that add up to its total', async () => {
        const [first] = (await ctx.backend.listInvoices(ctx.scope('cus_active'), { limit: 1 })).data
        const invoice = await ctx.backend.getInvoice(ctx.scope('cus_active'), first.id)
        expect(invoice).toMatchObject({ id: first.id, number: first.number, total: first.total })
        expect(invoice.lines!.length).toBeGreaterThan(0)
        expect(sumOf(invoice.lines!.map((l) => l.amount))).toBe(invoice.total)
        for (const line of invoice.lines!) {
          expect(line.description).not.toBe('')
          expect(Number.isInteger(line.amount)).toBe(true)
        }
      })

      it('answers another customer’s ids with not_found, never their data', async () => {
        const theirs = ctx.scope('cus_many_invoices')
        const [invoice] = (await ctx.backend.listInvoices(theirs, { limit: 1 })).data
        const [card] = (await ctx.backend.listPaymentMethods(theirs)).data
        const mine = ctx.scope('cus_active')
        await expectBillingError(ctx.backend.getInvoice(mine, invoice.id), 'not_found')
        await expectBillingError(ctx.backend.getInvoice(mine, 'in_does_not_exist'), 'not_found')
        await expectBillingError(ctx.backend.setDefaultPaymentMethod(mine, card.id), 'not_found')
        await expectBillingError(ctx.backend.removePaymentMethod(mine, card.id), 'not_found')
        await expectBillingError(ctx.backend.rollApiKey(mine, 'key_does_not_exist'), 'not_found')
      })

      it('lists cards with one default and no card numbers', async () => {
        const { data } = await ctx.backend.listPaymentMethods(ctx.scope('cus_active'))
        expect(data).toHaveLength(2)
        expect(data.filter((p) => p.is_default)).toHaveLength(1)
        expect(data.map((p) => p.brand).sort()).toEqual(['mastercard', 'visa'])
        for (const pm of data) {
          expect(pm.last4).toMatch(/^\d{4}$/)
          expect(JSON.stringify(pm)).not.toMatch(/\d{12,}/)
        }
        expect((await ctx.backend.listPaymentMethods(ctx.scope('cus_free'))).data).toEqual([])
      })

      it('begins adding a payment method', async () => {
        const setup = await ctx.backend.setupPaymentMethod(ctx.scope('cus_active'))
        expect(['stripe', 'sandbox']).toContain(setup.provider)
        if (setup.provider === 'sandbox') expect(setup.test_cards).toContain('pm_card_visa')
        else expect(setup.client_secret).not.toBe('')
      })

      it('lists the plans a customer may switch to, with the current price', async () => {
        const plans = await ctx.backend.listPlans(ctx.scope('cus_active'))
        expect(plans.data.map((p) => p.name)).toEqual(['Free', 'Starter', 'Pro', 'Scale'])
        expect(plans.current_price_id).toBe(findPrice(plans.data, 'Pro', 'month').id)
        expect(plans.data.find((p) => p.name === 'Pro')?.featured).toBe(true)
        for (const plan of plans.data) {
          expect(plan.prices.map((p) => p.period).sort()).toEqual(['month', 'year'])
          expect(Object.keys(plan.quotas)).toEqual(['api_calls'])
          // The seller's name for the metric, which the pricing cards and meters show.
          expect(plan.metrics).toEqual({ api_calls: { name: 'API calls', unit: 'calls' } })
        }
        expect((await ctx.backend.listPlans(ctx.scope('cus_canceled'))).current_price_id).toBeNull()
      })

      it('lists API keys masked, never with the secret', async () => {
        const keys = await ctx.backend.listApiKeys(ctx.scope('cus_active'))
        expect(keys?.data).toHaveLength(2)
        for (const key of keys!.data) {
          expect(key.masked).toContain('…')
          expect(key).not.toHaveProperty('secret')
          expect(key.name).not.toBe('')
        }
      })

      it('lists the public plans of a pricing page by its public key, in order', async () => {
        const { data } = await ctx.backend.listPublicPlans(ctx.publicKey ?? 'pk_demo')
        expect(data.map((p) => p.name)).toEqual(['Free', 'Starter', 'Pro', 'Scale'])
        expect(data.filter((p) => p.featured).map((p) => p.name)).toEqual(['Pro'])
        expect(data.find((p) => p.name === 'Starter')?.trial_days).toBeGreaterThan(0)
        const pro = data.find((p) => p.name === 'Pro')!
        expect(findPrice(data, 'Pro', 'year').amount).toBeLessThan(findPrice(data, 'Pro', 'month').amount * 12)
        expect(pro.quotas.api_calls).toBeGreaterThan(0)
        expect(pro.metrics?.api_calls?.name).toBe('API calls')
        expect(data.find((p) => p.name === 'Scale')?.quotas.api_calls).toBeNull()
      })

      it('refuses an unknown public key with not_found', async () => {
        await expectBillingError(ctx.backend.listPublicPlans('pk_unknown'), 'not_found')
        await expectBillingError(ctx.backend.createCheckout('pk_unknown', 'price_x'), 'not_found')
      })

      it('starts a checkout for a public price, and refuses an unknown one naming price_id', async () => {
        const { data } = await ctx.backend.listPublicPlans(ctx.publicKey ?? 'pk_demo')
        const { url } = await ctx.backend.createCheckout(ctx.publicKey ?? 'pk_demo', findPrice(data, 'Starter', 'month').id)
        expect(typeof url).toBe('string')
        expect(url).not.toBe('')
        await expectBillingError(ctx.backend.createCheckout(ctx.publicKey ?? 'pk_demo', 'price_nope'), 'invalid_request', 'price_id')
      })
    })

    describe('payment methods', () => {
      const ctx = fresh()

      it('makes the first card the default, and another one default on request', async () => {
        const scope = ctx.scope('cus_free')
        const visa = await ctx.backend.attachPaymentMethod(scope, 'pm_card_visa')
        expect(visa).toMatchObject({ brand: 'visa', last4: '4242', is_default: true })
        const mc = await ctx.backend.attachPaymentMethod(scope, 'pm_card_mastercard')
        expect(mc).toMatchObject({ brand: 'mastercard', last4: '4444', is_default: false })
        const made = await ctx.backend.attachPaymentMethod(scope, 'pm_card_mastercard', { makeDefault: true })
        expect(made.is_default).toBe(true)
        const { data } = await ctx.backend.listPaymentMethods(scope)
        expect(data).toHaveLength(3)
        expect(data.filter((p) => p.is_default).map((p) => p.id)).toEqual([made.id])
      })

      it('refuses a declined card with payment_failed', async () => {
        const error = await expectBillingError(ctx.backend.attachPaymentMethod(ctx.scope('cus_free'), 'pm_card_declined'), 'payment_failed')
        expect(error.message).toBe('Your card was declined.')
        expect((await ctx.backend.listPaymentMethods(ctx.scope('cus_free'))).data).toEqual([])
      })

      it('sets the default, and promotes another card when the default is removed', async () => {
        const scope = ctx.scope('cus_active')
        const before = (await ctx.backend.listPaymentMethods(scope)).data
        const other = before.find((p) => !p.is_default)!
        expect((await ctx.backend.setDefaultPaymentMethod(scope, other.id)).is_default).toBe(true)
        const after = (await ctx.backend.listPaymentMethods(scope)).data
        expect(after.filter((p) => p.is_default).map((p) => p.id)).toEqual([other.id])

        await ctx.backend.removePaymentMethod(scope, other.id)
        const left = (await ctx.backend.listPaymentMethods(scope)).data
        expect(left).toHaveLength(1)
        expect(left[0].is_default).toBe(true)
        await expectBillingError(ctx.backend.removePaymentMethod(scope, other.id), 'not_found')
        await expectBillingError(ctx.backend.setDefaultPaymentMethod(scope, 'pm_nope'), 'not_found')
      })
    })

    describe('plan changes', () => {
      const ctx = fresh()

      it('upgrades now, charging exactly what the preview said, on an invoice whose lines add up', async () => {
        const scope = ctx.scope('cus_active')
        const scale = findPrice(ctx.plans, 'Scale', 'month')
        const preview = await ctx.backend.previewSubscriptionChange(scope, scale.id)
        expect(preview).toMatchObject({ price_id: scale.id, effective: 'now', currency: scale.currency, next_renewal_amount: scale.amount })
        expect(preview.amount_due_now).toBeGreaterThan(0)
        expect(sumOf(preview.lines.map((l) => l.amount))).toBe(preview.amount_due_now)
        expect(preview.lines.some((l) => l.amount < 0)).toBe(true)

        const before = (await ctx.backend.listInvoices(scope, { limit: 100 })).data.length
        const sub = await ctx.backend.changeSubscription(scope, scale.id)
        expect(sub).toMatchObject({ price_id: scale.id, status: 'active', scheduled_change: null })
        const list = (await ctx.backend.listInvoices(scope, { limit: 100 })).data
        expect(list).toHaveLength(before + 1)
        const invoice = await ctx.backend.getInvoice(scope, list[0].id)
        expect(invoice.status).toBe('paid')
        expect(invoice.total).toBe(preview.amount_due_now)
        expect(sumOf(invoice.lines!.map((l) => l.amount))).toBe(invoice.total)
        expect(invoice.lines!.map((l) => ({ description: l.description, amount: l.amount }))).toEqual(preview.lines)

        const session = await ctx.backend.getSession(scope)
        expect(session.plan?.name).toBe('Scale')
        expect(session.usage.find((u) => u.metric === 'api_calls')?.limit).toBeNull()
      })

      it('moves from monthly to yearly now, starting a new period', async () => {
        const scope = ctx.scope('cus_active')
        const yearly = findPrice(ctx.plans, 'Pro', 'year')
        const preview = await ctx.backend.previewSubscriptionChange(scope, yearly.id)
        expect(preview.effective).toBe('now')
        const sub = await ctx.backend.changeSubscription(scope, yearly.id)
        expect(sub.current_period_start).toBe(preview.effective_at)
        expect(sub.current_period_end - sub.current_period_start).toBeGreaterThanOrEqual(365 * 86_400)
        const [invoice] = (await ctx.backend.listInvoices(scope, { limit: 1 })).data
        expect(invoice.total).toBe(preview.amount_due_now)
      })

      it('schedules a downgrade for the period end, and undoes it', async () => {
        const scope = ctx.scope('cus_active')
        const starter = findPrice(ctx.plans, 'Starter', 'month')
        const preview = await ctx.backend.previewSubscriptionChange(scope, starter.id)
        const session = await ctx.backend.getSession(scope)
        expect(preview).toMatchObject({ effective: 'period_end', amount_due_now: 0, effective_at: session.subscription!.current_period_end })
        const before = (await ctx.backend.listInvoices(scope, { limit: 100 })).data.length

        const sub = await ctx.backend.changeSubscription(scope, starter.id)
        expect(sub.price_id).toBe(session.subscription!.price_id)
        expect(sub.scheduled_change).toEqual({ price_id: starter.id, at: session.subscription!.current_period_end })
        expect((await ctx.backend.listInvoices(scope, { limit: 100 })).data).toHaveLength(before)
        expect((await ctx.backend.getSession(scope)).upcoming_invoice?.amount_due).toBe(starter.amount)

        const undone = await ctx.backend.cancelScheduledChange(scope)
        expect(undone.scheduled_change).toBeNull()
        expect((await ctx.backend.getSession(scope)).upcoming_invoice?.amount_due).toBe(session.price!.amount)
        await expectBillingError(ctx.backend.cancelScheduledChange(scope), 'conflict')
      })

      it('calls choosing the current price a conflict, and an unknown price invalid_request on price_id', async () => {
        const scope = ctx.scope('cus_active')
        const current = (await ctx.backend.getSession(scope)).price!
        await expectBillingError(ctx.backend.changeSubscription(scope, current.id), 'conflict')
        await expectBillingError(ctx.backend.previewSubscriptionChange(scope, current.id), 'conflict')
        await expectBillingError(ctx.backend.changeSubscription(scope, 'price_nope'), 'invalid_request', 'price_id')
        await expectBillingError(ctx.backend.previewSubscriptionChange(scope, 'price_nope'), 'invalid_request', 'price_id')
      })

      it('needs a card for a paid plan, and charges it once one is added', async () => {
        const scope = ctx.scope('cus_free')
        const starter = findPrice(ctx.plans, 'Starter', 'month')
        await expectBillingError(ctx.backend.changeSubscription(scope, starter.id), 'payment_failed', 'payment_method')
        expect((await ctx.backend.getSession(scope)).plan?.name).toBe('Free')

        await ctx.backend.attachPaymentMethod(scope, 'pm_card_visa')
        const preview = await ctx.backend.previewSubscriptionChange(scope, starter.id)
        const sub = await ctx.backend.changeSubscription(scope, starter.id)
        expect(sub).toMatchObject({ status: 'active', price_id: starter.id })
        const [invoice] = (await ctx.backend.listInvoices(scope, { limit: 1 })).data
        expect(invoice).toMatchObject({ status: 'paid', total: preview.amount_due_now })
      })

      it('starts a trial without a card for a customer with no live subscription', async () => {
        const scope = ctx.scope('cus_canceled')
        const starter = ctx.plans.find((p) => p.name === 'Starter')!
        const price = findPrice(ctx.plans, 'Starter', 'month')
        const preview = await ctx.backend.previewSubscriptionChange(scope, price.id)
        expect(preview.amount_due_now).toBe(0)
        const sub = await ctx.backend.changeSubscription(scope, price.id)
        expect(sub.status).toBe('trialing')
        expect(sub.trial_end! - sub.current_period_start).toBe(starter.trial_days * 86_400)
        expect((await ctx.backend.getSession(scope)).subscription?.status).toBe('trialing')
      })
    })

    describe('cancellation', () => {
      const ctx = fresh()

      it('cancels at the period end and resumes before it', async () => {
        const scope = ctx.scope('cus_active')
        const canceling = await ctx.backend.cancelSubscription(scope, true)
        // Asked for now, ending later: canceled_at is set, ended_at is not.
        expect(canceling).toMatchObject({ status: 'active', cancel_at_period_end: true, canceled_at: expect.any(Number), ended_at: null })
        const scheduled = await ctx.backend.getSession(scope)
        expect(scheduled.upcoming_invoice).toBeNull()
        expect(scheduled.subscription).toMatchObject({ canceled_at: canceling.canceled_at, ended_at: null })
        await expectBillingError(ctx.backend.cancelSubscription(scope, true), 'conflict')

        const resumed = await ctx.backend.resumeSubscription(scope)
        expect(resumed).toMatchObject({ cancel_at_period_end: false, canceled_at: null, ended_at: null })
        const session = await ctx.backend.getSession(scope)
        expect(session.upcoming_invoice).not.toBeNull()
        expect(session.subscription).toMatchObject({ canceled_at: null, ended_at: null })
        await expectBillingError(ctx.backend.resumeSubscription(scope), 'conflict')
      })

      it('resumes the demo customer that is set to cancel', async () => {
        const resumed = await ctx.backend.resumeSubscription(ctx.scope('cus_canceling'))
        expect(resumed).toMatchObject({ status: 'active', cancel_at_period_end: false, canceled_at: null, ended_at: null })
      })

      it('cancels now, after which there is nothing to cancel or resume', async () => {
        const scope = ctx.scope('cus_active')
        const canceled = await ctx.backend.cancelSubscription(scope, false)
        // Asked for and ended at the same moment.
        expect(canceled).toMatchObject({ status: 'canceled', ended_at: expect.any(Number) })
        expect(canceled.canceled_at).toBe(canceled.ended_at)
        const session = await ctx.backend.getSession(scope)
        expect(session.subscription).toMatchObject({ status: 'canceled', canceled_at: canceled.canceled_at, ended_at: canceled.ended_at })
        expect(session.upcoming_invoice).toBeNull()
        await expectBillingError(ctx.backend.cancelSubscription(scope, false), 'conflict')
        await expectBillingError(ctx.backend.resumeSubscription(scope), 'conflict')
      })
    })

    describe('API keys', () => {
      const ctx = fresh()

      it('rolls a key: the new secret is shown once and matches the new mask', async () => {
        const scope = ctx.scope('cus_active')
        const [key] = (await ctx.backend.listApiKeys(scope))!.data
        const rolled = await ctx.backend.rollApiKey(scope, key.id)
        expect(rolled.id).toBe(key.id)
        expect(rolled.masked).not.toBe(key.masked)
        const [head, tail] = rolled.masked.split('…')
        expect(rolled.secret.startsWith(head)).toBe(true)
        expect(rolled.secret.endsWith(tail)).toBe(true)
        expect(rolled.secret.length).toBeGreaterThan(head.length + tail.length)
        const listed = (await ctx.backend.listApiKeys(scope))!.data.find((k) => k.id === key.id)!
        expect(listed.masked).toBe(rolled.masked)
        expect(JSON.stringify(await ctx.backend.listApiKeys(scope))).not.toContain(rolled.secret)
      })

      it('creates a key shown once and listed masked, and revokes it: gone from the list', async () => {
        const scope = ctx.scope('cus_active')
        const created = await ctx.backend.createApiKey(scope, 'Contract')
        expect(created.secret.endsWith(created.masked.split('…')[1])).toBe(true)
        const listed = (await ctx.backend.listApiKeys(scope))!.data
        expect(listed.find((k) => k.id === created.id)).toMatchObject({ name: 'Contract', masked: created.masked })
        expect(JSON.stringify(listed)).not.toContain(created.secret)
        const revoked = await ctx.backend.revokeApiKey(scope, created.id)
        expect(revoked.id).toBe(created.id)
        expect((await ctx.backend.listApiKeys(scope))!.data.map((k) => k.id)).not.toContain(created.id)
        await expectBillingError(ctx.backend.revokeApiKey(ctx.scope('cus_free'), listed[0].id), 'not_found')
      })

      it('will not roll another customer’s key', async () => {
        const [theirs] = (await ctx.backend.listApiKeys(ctx.scope('cus_active')))!.data
        await expectBillingError(ctx.backend.rollApiKey(ctx.scope('cus_free'), theirs.id), 'not_found')
      })
    })

    describe('billing details', () => {
      const ctx = fresh()
      const details = {
        name: 'Ada Lovelace Ltd',
        email: 'billing@ada.example',
        address: { line1: '12 Analytical Row', city: 'London', postal_code: 'N1 9GU', country: 'GB' },
        tax_ids: [
          { type: 'gb_vat' as const, value: 'GB123456789' },
          { type: 'eu_vat' as const, value: 'DE123456789' },
        ],
      }
      const stored = { ...details, address: { ...details.address, line2: null, state: null } }

      it('starts with the customer’s name and email, no address and no tax IDs', async () => {
        const session = await ctx.backend.getSession(ctx.scope('cus_active'))
        expect(await ctx.backend.getBillingDetails(ctx.scope('cus_active'))).toEqual({ id: 'cus_active', name: session.customer.name, email: session.customer.email, address: null, tax_ids: [] })
      })

      it('stores name, email, address and tax IDs; replaces only the fields given; clears the address with null', async () => {
        const scope = ctx.scope('cus_active')
        expect(await ctx.backend.updateBillingDetails(scope, details)).toEqual({ id: 'cus_active', ...stored })
        expect(await ctx.backend.getBillingDetails(scope)).toEqual({ id: 'cus_active', ...stored })

        const renamed = await ctx.backend.updateBillingDetails(scope, { name: 'Ada Ltd', tax_ids: [{ type: 'ch_vat', value: 'CHE-123.456.789 MWST' }] })
        expect(renamed).toEqual({ id: 'cus_active', ...stored, name: 'Ada Ltd', tax_ids: [{ type: 'ch_vat', value: 'CHE-123.456.789 MWST' }] })
        const cleared = await ctx.backend.updateBillingDetails(scope, { address: null, tax_ids: [] })
        expect(cleared).toMatchObject({ name: 'Ada Ltd', email: details.email, address: null, tax_ids: [] })
        expect(await ctx.backend.getBillingDetails(scope)).toEqual(cleared)
        // Another customer's details are untouched.
        expect(await ctx.backend.getBillingDetails(ctx.scope('cus_free'))).toMatchObject({ address: null, tax_ids: [] })
      })

      it('puts the details on each new invoice as they were when it was issued; a later edit leaves it', async () => {
        const scope = ctx.scope('cus_active')
        await ctx.backend.updateBillingDetails(scope, details)
        await ctx.backend.changeSubscription(scope, findPrice(ctx.plans, 'Scale', 'month').id)
        const [issued] = (await ctx.backend.listInvoices(scope, { limit: 1 })).data
        expect(issued.bill_to).toEqual({ name: stored.name, email: stored.email, address: stored.address, tax_ids: stored.tax_ids })
        expect((await ctx.backend.getInvoice(scope, issued.id)).bill_to).toEqual(issued.bill_to)

        await ctx.backend.updateBillingDetails(scope, { name: 'Renamed Ltd', address: { line1: '1 New St', city: 'Paris', country: 'FR' }, tax_ids: [] })
        expect((await ctx.backend.getInvoice(scope, issued.id)).bill_to).toEqual(issued.bill_to)
        expect((await ctx.backend.listInvoices(scope, { limit: 1 })).data[0].bill_to).toEqual(issued.bill_to)
      })
    })

    describe('paying an open invoice', () => {
      const ctx = fresh()
      const openInvoice = async (uid: string) => (await ctx.backend.listInvoices(ctx.scope(uid), { limit: 100 })).data.find((i) => i.status === 'open')

      it('answers a declined default card with payment_failed and the decline message, leaving the invoice open', async () => {
        const scope = ctx.scope('cus_past_due')
        const open = (await openInvoice('cus_past_due'))!
        const error = await expectBillingError(ctx.backend.payInvoice(scope, open.id), 'payment_failed')
        expect(error.message).toBe('Your card was declined.')
        expect((await ctx.backend.getInvoice(scope, open.id)).status).toBe('open')
        expect((await ctx.backend.getSession(scope)).subscription?.status).toBe('past_due')
      })

      it('pays with the current default card, which makes the past_due subscription active; paying again is a conflict', async () => {
        const scope = ctx.scope('cus_past_due')
        const open = (await openInvoice('cus_past_due'))!
        // A working card becomes the default without paying anything: added aside, then the declining one removed.
        const declining = (await ctx.backend.listPaymentMethods(scope)).data.find((p) => p.is_default)!
        await ctx.backend.attachPaymentMethod(scope, 'pm_card_visa', { makeDefault: false })
        await ctx.backend.removePaymentMethod(scope, declining.id)
        expect((await ctx.backend.getInvoice(scope, open.id)).status).toBe('open')

        const paid = await ctx.backend.payInvoice(scope, open.id)
        expect(paid).toMatchObject({ id: open.id, status: 'paid', total: open.total })
        expect(sumOf(paid.lines!.map((l) => l.amount))).toBe(paid.total)
        expect((await ctx.backend.getSession(scope)).subscription?.status).toBe('active')
        expect(await openInvoice('cus_past_due')).toBeUndefined()
        await expectBillingError(ctx.backend.payInvoice(scope, open.id), 'conflict')
      })

      it('calls paying a paid invoice a conflict, and another customer’s invoice not_found', async () => {
        const [paid] = (await ctx.backend.listInvoices(ctx.scope('cus_active'), { limit: 1 })).data
        expect(paid.status).toBe('paid')
        const conflict = await expectBillingError(ctx.backend.payInvoice(ctx.scope('cus_active'), paid.id), 'conflict')
        expect(conflict.message).toContain('not open')
        const open = (await openInvoice('cus_past_due'))!
        await expectBillingError(ctx.backend.payInvoice(ctx.scope('cus_active'), open.id), 'not_found')
        await expectBillingError(ctx.backend.payInvoice(ctx.scope('cus_active'), 'in_does_not_exist'), 'not_found')
      })
    })

    describe('usage', () => {
      const ctx = fresh()

      it('charts the period by UTC day and hour: buckets add up to the meter, the forecast is linear', async () => {
        const session = await ctx.backend.getSession(ctx.scope('cus_active'))
        const meter = session.usage.find((u) => u.metric === 'api_calls')!
        const sub = session.subscription!
        const getUsage = ctx.backend.getUsage!.bind(ctx.backend)
        const days = await getUsage(ctx.scope('cus_active'), { metric: 'api_calls' })
        expect(days).toMatchObject({ metric: 'api_calls', unit: 'calls', granularity: 'day', period: { start: sub.current_period_start, end: sub.current_period_end }, total: meter.used, limit: meter.limit })
        expect(sumOf(days.buckets.map((b) => b.value))).toBe(meter.used)
        expect(days.buckets[0].start).toBe(sub.current_period_start)
        expect(days.buckets.slice(1).every((b) => b.start % 86_400 === 0)).toBe(true)
        expect(days.forecast.total).toBeGreaterThanOrEqual(meter.used)
        expect(days.forecast.currency.toLowerCase()).toBe(session.price!.currency.toLowerCase())
        const hours = await getUsage(ctx.scope('cus_active'), { metric: 'api_calls', granularity: 'hour' })
        expect(hours.total).toBe(meter.used)
        expect(hours.buckets.slice(1).every((b) => b.start % 3_600 === 0)).toBe(true)
        await expectBillingError(getUsage(ctx.scope('cus_active'), { metric: 'no_such_metric' }), 'not_found', 'metric')
        const previous = await getUsage(ctx.scope('cus_active'), { metric: 'api_calls', period: 'previous' })
        expect(previous.period.end).toBe(sub.current_period_start)
      })

      it('sets a spend limit on an overage plan (shown on the meter) and refuses one on a hard plan; adds, lists and removes alerts', async (context) => {
        const { backend } = ctx
        if (!backend.setUsageLimit || !backend.createUsageAlert || !backend.listUsageAlerts || !backend.deleteUsageAlert) return context.skip()
        expect(await backend.setUsageLimit(ctx.scope('cus_active'), 'api_calls', 5_000)).toMatchObject({ metric: 'api_calls', max_overage_amount: 5_000 })
        expect((await backend.getSession(ctx.scope('cus_active'))).usage[0].spend_limit).toMatchObject({ max_overage_amount: 5_000 })
        await expectBillingError(backend.setUsageLimit(ctx.scope('cus_free'), 'api_calls', 5_000), 'conflict', 'metric')
        const alert = await backend.createUsageAlert(ctx.scope('cus_active'), { metric: 'api_calls', threshold_percent: 90, of: 'cap' })
        expect((await backend.listUsageAlerts(ctx.scope('cus_active'))).data).toEqual([alert])
        await backend.deleteUsageAlert(ctx.scope('cus_active'), alert.id)
        expect((await backend.listUsageAlerts(ctx.scope('cus_active'))).data).toEqual([])
      })
    })

    it('answered every call in the shapes of the Portal API’s response schemas', (context) => {
      // Only meaningful after the whole suite: under `-t` the other tests were skipped.
      type Suite = NonNullable<TestContext['task']['suite']>
      const tests = (suite: Suite): Suite['tasks'] => suite.tasks.flatMap((t) => (t.type === 'suite' ? tests(t) : [t]))
      if (tests(context.task.suite!).some((t) => t.mode !== 'run')) context.skip()
      expect([...answered].sort()).toEqual(Object.keys(backendAnswers).filter((k) => implemented.has(k)).sort())
    })
  })
}
