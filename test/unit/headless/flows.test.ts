// @vitest-environment node
/**
 * The flows against the real Portal API handler: what each sends, where it ends, and the
 * stores its mutation invalidates.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { setup, until, type Setup } from './support.js'

let t: Setup
beforeEach(() => {
  t = setup()
})
afterEach(() => t.close())

describe('change plan', () => {
  test('previews, confirms under the preview’s key and moment, and the account follows', async () => {
    const client = await t.client('cus_active')
    const stop = client.stores.account.listen(() => undefined)
    await until(client.stores.account, (s) => s.status === 'ready')
    const flow = client.flows.changePlan()
    const previewed = await flow.choose('price_scale_month')
    expect(previewed).toMatchObject({ status: 'ready', priceId: 'price_scale_month', preview: { price_id: 'price_scale_month', effective: 'now' } })
    const done = await flow.confirm()
    expect(done).toMatchObject({ status: 'done', subscription: { price_id: 'price_scale_month' } })
    const change = t.requests.find((r) => r.method === 'POST' && r.path === '/subscription')!
    expect(change.headers.get('idempotency-key')).toBe(previewed.status === 'ready' ? previewed.idempotencyKey : '')
    const account = await until(client.stores.account, (s) => s.status === 'ready' && s.data.plan?.id === 'plan_scale')
    expect(account.data!.subscription!.price_id).toBe('price_scale_month')
    stop()
  })

  test('a Confirm sent twice changes the plan once', async () => {
    const client = await t.client('cus_active')
    const flow = client.flows.changePlan()
    await flow.choose('price_scale_month')
    const [a, b] = await Promise.all([flow.confirm(), flow.confirm()])
    expect(a.status).toBe('done')
    expect(b.status).toBe('done')
    expect(t.count('POST', /^\/subscription$/)).toBe(1)
  })

  test('no card for a paid plan: needs_payment_method, the add-payment-method flow, then ready and done', async () => {
    const client = await t.client('cus_free')
    const flow = client.flows.changePlan()
    expect(await flow.choose('price_starter_month')).toMatchObject({ status: 'needs_payment_method' })
    expect(client.stores.paymentMethods.get()).toMatchObject({ status: 'ready', data: { data: [] } })
    const add = client.flows.addPaymentMethod()
    const collecting = await add.begin()
    expect(collecting).toMatchObject({ status: 'collecting', setup: { provider: 'sandbox' } })
    expect(await add.attach('pm_card_visa', true)).toMatchObject({ status: 'done', method: { brand: 'visa', is_default: true } })
    expect(await flow.paymentMethodAdded()).toMatchObject({ status: 'ready' })
    expect(await flow.confirm()).toMatchObject({ status: 'done', subscription: { price_id: 'price_starter_month' } })
  })

  test('collectPaymentMethod: false lets the server say why (the billing view’s way): failed, and Confirm again', async () => {
    const errors: unknown[] = []
    const client = await t.client('cus_free', { onError: (e) => errors.push(e) })
    const flow = client.flows.changePlan({ collectPaymentMethod: false })
    expect(await flow.choose('price_scale_month')).toMatchObject({ status: 'ready' })
    const failed = await flow.confirm()
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'payment_failed' }, preview: { price_id: 'price_scale_month' } })
    expect(errors).toEqual([expect.objectContaining({ code: 'payment_failed' })])
    expect(await flow.confirm()).toMatchObject({ status: 'failed' })
    // The retry reuses the preview's key: the server answers it as the same request.
    const keys = t.requests.filter((r) => r.path === '/subscription').map((r) => r.headers.get('idempotency-key'))
    expect(keys).toHaveLength(2)
    expect(new Set(keys).size).toBe(1)
  })

  test('choosing again while a preview runs: the newest wins', async () => {
    const client = await t.client('cus_active')
    const flow = client.flows.changePlan()
    const release = t.hold('POST', /^\/subscription\/preview$/)
    const first = flow.choose('price_scale_month')
    await new Promise((r) => setTimeout(r, 10))
    release()
    const second = await flow.choose('price_starter_month')
    expect(second).toMatchObject({ status: 'ready', priceId: 'price_starter_month', preview: { price_id: 'price_starter_month' } })
    expect(await first).toBe(second)
  })

  test('destroy stops the request in flight and leaves the state as it was', async () => {
    const client = await t.client('cus_active')
    const flow = client.flows.changePlan()
    const release = t.hold('POST', /^\/subscription\/preview$/)
    const pending = flow.choose('price_scale_month')
    flow.destroy()
    release()
    expect(await pending).toMatchObject({ status: 'previewing' })
    expect((await flow.choose('price_starter_month')).status).toBe('previewing')
  })
})

describe('add payment method', () => {
  test('a declined card goes back to the form with the server’s reason; the list reloads after a success', async () => {
    const client = await t.client('cus_active')
    const stop = client.stores.paymentMethods.listen(() => undefined)
    const before = await until(client.stores.paymentMethods, (s) => s.status === 'ready')
    const add = client.flows.addPaymentMethod()
    await add.begin()
    const declined = await add.attach('pm_card_declined')
    expect(declined).toMatchObject({ status: 'collecting', error: { code: 'payment_failed' } })
    expect(await add.attach('pm_card_mastercard')).toMatchObject({ status: 'done' })
    const after = await until(client.stores.paymentMethods, (s) => s.status === 'ready' && s.data.data.length > before.data!.data.length)
    expect(after.data!.data).toHaveLength(before.data!.data.length + 1)
    stop()
  })
})

describe('cancel and resume', () => {
  test('the choice is the flow’s: cancel now', async () => {
    const client = await t.client('cus_active')
    const cancel = client.flows.cancel()
    expect(await cancel.open()).toEqual({ status: 'choosing', atPeriodEnd: true })
    await cancel.choose(false)
    const done = await cancel.confirm()
    expect(done).toMatchObject({ status: 'done', atPeriodEnd: false, subscription: { status: 'canceled' } })
    const account = await until(client.stores.account, (s) => s.status === 'ready')
    expect(account.data!.subscription!.status).toBe('canceled')
  })

  test('at the period end by default, then resume', async () => {
    const client = await t.client('cus_active')
    const cancel = client.flows.cancel()
    await cancel.open()
    expect(await cancel.confirm()).toMatchObject({ status: 'done', subscription: { cancel_at_period_end: true, status: 'active' } })
    expect(await client.flows.resume().run()).toMatchObject({ status: 'done', result: { cancel_at_period_end: false } })
  })
})

describe('API keys', () => {
  test('roll shows the new secret once, in the flow’s result; the store keeps it masked', async () => {
    const client = await t.client('cus_active')
    const stop = client.stores.apiKeys.listen(() => undefined)
    const keys = await until(client.stores.apiKeys, (s) => s.status === 'ready')
    const key = keys.data!.data[0]
    const rolled = await client.flows.rollApiKey().run(key.id)
    expect(rolled).toMatchObject({ status: 'done', input: key.id, result: { id: key.id, secret: expect.any(String) } })
    const listed = client.stores.apiKeys.get().data!.data.find((k) => k.id === key.id)!
    expect(listed).not.toHaveProperty('secret')
    expect(listed.masked).not.toBe(key.masked)
    expect(t.count('GET', /^\/api-keys$/)).toBe(1) // updated in place, no reload
    stop()
  })

  test('create appends, revoke removes', async () => {
    const client = await t.client('cus_active')
    const stop = client.stores.apiKeys.listen(() => undefined)
    await until(client.stores.apiKeys, (s) => s.status === 'ready')
    const created = await client.flows.createApiKey().run('CI')
    expect(created).toMatchObject({ status: 'done', result: { name: 'CI', secret: expect.any(String) } })
    expect(client.stores.apiKeys.get().data!.data.map((k) => k.name)).toEqual(['Production', 'Staging', 'CI'])
    await client.flows.revokeApiKey().run(created.status === 'done' ? created.result.id : '')
    expect(client.stores.apiKeys.get().data!.data.map((k) => k.name)).toEqual(['Production', 'Staging'])
    stop()
  })
})

describe('billing details and paying an invoice', () => {
  test('updateBillingDetails puts the answer in the store', async () => {
    const client = await t.client('cus_active')
    const stop = client.stores.billingDetails.listen(() => undefined)
    await until(client.stores.billingDetails, (s) => s.status === 'ready')
    const done = await client.flows.updateBillingDetails().run({ name: 'Ada King' })
    expect(done).toMatchObject({ status: 'done', result: { name: 'Ada King' } })
    expect(client.stores.billingDetails.get()).toMatchObject({ status: 'ready', data: { name: 'Ada King' } })
    expect(t.count('GET', /^\/customer$/)).toBe(1)
    stop()
  })

  test('paying a past-due customer’s open invoice is declined on the old card; a new default card settles it, and the stores follow', async () => {
    const client = await t.client('cus_past_due')
    const stopInvoices = client.stores.invoices.listen(() => undefined)
    const stopAccount = client.stores.account.listen(() => undefined)
    const list = await until(client.stores.invoices, (s) => s.status === 'ready')
    await until(client.stores.account, (s) => s.status === 'ready' && s.data.subscription!.status === 'past_due')
    const open = list.data!.data.find((invoice) => invoice.status === 'open')!
    const pay = client.flows.payInvoice()
    expect(await pay.run(open.id)).toMatchObject({ status: 'failed', input: open.id, error: { code: 'payment_failed' } })
    const add = client.flows.addPaymentMethod()
    await add.begin()
    await add.attach('pm_card_visa', true)
    // The engine collects open invoices from a new default card.
    await until(client.stores.invoices, (s) => s.status === 'ready' && s.data.data.some((i) => i.id === open.id && i.status === 'paid'))
    await until(client.stores.account, (s) => s.status === 'ready' && s.data.subscription!.status === 'active')
    expect(await pay.run(open.id)).toMatchObject({ status: 'failed', error: { code: 'conflict' } })
    stopInvoices()
    stopAccount()
  })
})
