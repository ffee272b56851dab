import { afterEach, describe, expect, test } from 'vitest'
import type { PlansResponse, Subscription, SubscriptionPreview } from '../../../src/api/types.js'
import { answerDialog, buttonNamed, dialog, mountPortal, text, waitFor, type Harness } from './harness.js'

let portal: Harness | undefined
afterEach(async () => {
  await portal?.close()
  portal = undefined
})

const scope = (customUid: string) => ({ appId: 'app_demo', customUid })

async function billingOf(customer: string): Promise<HTMLElement> {
  portal = await mountPortal(customer, { view: 'billing' })
  const view = portal.root.querySelector<HTMLElement>('.ap-view--billing')!
  await waitFor(() => view.querySelector('.ap-plan-options') && view.querySelector('.ap-methods, .ap-add-method .ap-empty, .ap-card .ap-empty'))
  return view
}

const cardOf = (view: HTMLElement, title: string) => [...view.querySelectorAll<HTMLElement>('.ap-card')].find((c) => text(c.querySelector('h2')) === title)!
const methods = (view: HTMLElement) => [...cardOf(view, 'Payment methods').querySelectorAll('.ap-method')].map((m) => text(m.querySelector('.ap-method__card')) + (m.querySelector('.ap-badge') ? ' (default)' : ''))
const subscriptionText = (view: HTMLElement) => text(cardOf(view, 'Subscription'))
const planName = (view: HTMLElement) => text(cardOf(view, 'Subscription').querySelector('.ap-plan__name'))

describe('payment methods', () => {
  test('lists brand, last four, expiry and the default', async () => {
    const view = await billingOf('cus_active')
    await waitFor(() => methods(view).length === 2)
    expect(methods(view)).toEqual(['Visa ending in 4242 (default)', 'Mastercard ending in 4444'])
    expect(text(view.querySelector('.ap-method__expiry'))).toMatch(/^Expires 12\/\d{4}$/)
    expect(view.querySelectorAll('h1')).toHaveLength(1)
  })

  test('add a sandbox test card', async () => {
    const view = await billingOf('cus_free')
    await waitFor(() => text(cardOf(view, 'Payment methods')).includes('You have no payment methods yet.'))
    buttonNamed(view, 'Add payment method')!.click()
    const form = await waitFor(() => view.querySelector('.ap-add-method form'))
    const radios = [...form.querySelectorAll<HTMLInputElement>('input[type="radio"]')]
    expect(radios.map((r) => r.value)).toEqual(['pm_card_visa', 'pm_card_mastercard', 'pm_card_amex', 'pm_card_declined'])
    expect(radios[0].checked).toBe(true)
    expect(document.activeElement).toBe(view.querySelector('.ap-panel__title'))
    radios[2].click()
    form.querySelector<HTMLInputElement>('input[type="checkbox"]')!.click()
    buttonNamed(form, 'Add card')!.click()
    await waitFor(() => methods(view).length === 1)
    expect(methods(view)).toEqual(['Amex ending in 8431 (default)'])
    expect(view.querySelector('.ap-add-method form')).toBeNull()
    expect(document.activeElement).toBe(buttonNamed(view, 'Add payment method'))
    const attach = portal!.requests.find((r) => r.method === 'POST' && r.path === '/payment-methods')!
    expect(attach.body).toEqual({ payment_method: 'pm_card_amex', make_default: true })
    expect(attach.headers.get('Idempotency-Key')).toBeTruthy()
    await waitFor(() => portal!.announced.includes('Amex ending in 8431 added.'))
  })

  test('a declined card shows the server’s message in the form', async () => {
    const view = await billingOf('cus_active')
    buttonNamed(view, 'Add payment method')!.click()
    const form = await waitFor(() => view.querySelector('.ap-add-method form'))
    form.querySelector<HTMLInputElement>('input[value="pm_card_declined"]')!.click()
    buttonNamed(form, 'Add card')!.click()
    await waitFor(() => text(form.querySelector('.ap-form__error')) === 'Your card was declined.')
    expect(form.isConnected).toBe(true)
    expect(buttonNamed(form, 'Add card')!.disabled).toBe(false)
    expect(methods(view)).toHaveLength(2)
    await waitFor(() => portal!.announced.includes('Your card was declined.'))
    // Cancel closes the form.
    buttonNamed(form, 'Cancel')!.click()
    expect(view.querySelector('.ap-add-method form')).toBeNull()
  })

  // The Stripe form itself: test/unit/stripe-element.test.ts.
  test('with the Stripe provider and no stripePubKey, adding says card entry is not set up', async () => {
    portal = await mountPortal('cus_active', { view: 'dashboard' })
    portal.fail('POST', /^\/payment-methods\/setup$/, () => Response.json({ provider: 'stripe', client_secret: 'seti_123_secret_456' }))
    const view = await portal.open('billing')
    await waitFor(() => buttonNamed(view, 'Add payment method'))
    buttonNamed(view, 'Add payment method')!.click()
    const panel = await waitFor(() => view.querySelector('.ap-add-method .ap-panel'))
    await waitFor(() => text(panel).includes('Card entry is not set up for this portal'))
    buttonNamed(panel, 'Close')!.click()
    expect(buttonNamed(view, 'Add payment method')).toBeDefined()
  })

  test('set default', async () => {
    const view = await billingOf('cus_active')
    await waitFor(() => methods(view).length === 2)
    const release = portal!.hold('POST', /\/default$/)
    const button = buttonNamed(view, 'Set as default: Mastercard ending in 4444')!
    button.click()
    await waitFor(() => button.getAttribute('aria-busy') === 'true')
    expect(button.disabled).toBe(true)
    release()
    await waitFor(() => methods(view).includes('Mastercard ending in 4444 (default)'))
    expect(methods(view).sort()).toEqual(['Mastercard ending in 4444 (default)', 'Visa ending in 4242'])
    await waitFor(() => portal!.announced.includes('Mastercard ending in 4444 is now your default payment method.'))
  })

  test('remove asks first; declining keeps the card', async () => {
    const view = await billingOf('cus_active')
    await waitFor(() => methods(view).length === 2)
    buttonNamed(view, 'Remove Mastercard ending in 4444')!.click()
    const asked = await answerDialog(portal!.root, false)
    expect(text(asked.querySelector('h2'))).toBe('Remove Mastercard ending in 4444?')
    expect(portal!.count('DELETE', /^\/payment-methods\//)).toBe(0)
    await waitFor(() => !buttonNamed(view, 'Remove Mastercard ending in 4444')!.disabled)

    buttonNamed(view, 'Remove Mastercard ending in 4444')!.click()
    await answerDialog(portal!.root, true)
    await waitFor(() => methods(view).length === 1)
    expect(methods(view)).toEqual(['Visa ending in 4242 (default)'])
    expect(portal!.count('DELETE', /^\/payment-methods\/pm_/)).toBe(1)
    await waitFor(() => portal!.announced.includes('Mastercard ending in 4444 removed.'))
  })
})

describe('change plan', () => {
  test('plans with prices, the current one marked', async () => {
    const view = await billingOf('cus_active')
    const options = [...view.querySelectorAll('.ap-plan-option')]
    expect(options.map((o) => text(o.querySelector('h3')))).toEqual(['Free', 'Starter', 'Pro', 'Scale'])
    const pro = options[2]
    const prices = [...pro.querySelectorAll('.ap-price')].map((p) => [...p.children].map(text))
    expect(prices).toEqual([
      ['$49.00 / month', 'Current plan'],
      ['$490.00 / year', 'Choose'],
    ])
    expect(buttonNamed(view, 'Choose Pro at $490.00 / year')).toBeDefined()
  })

  test('plan names and descriptions from the server are text', async () => {
    portal = await mountPortal('cus_active', { view: 'dashboard' })
    const payload = '<img src=x onerror="window.__xss=1">'
    portal.patch<PlansResponse>('GET', /^\/plans$/, (plans) => ({ ...plans, data: plans.data.map((p) => ({ ...p, name: payload, description: payload })) }))
    const view = await portal.open('billing')
    await waitFor(() => view.querySelector('.ap-plan-option'))
    expect(text(view.querySelector('.ap-plan-option h3'))).toBe(payload)
    expect(view.querySelector('img')).toBeNull()
  })

  test('an upgrade previews what is due now, then Confirm applies it and invoices it', async () => {
    const view = await billingOf('cus_active')
    const before = (await portal!.server.billing.listInvoices(scope('cus_active'), { limit: 100 })).data.map((i) => i.id)
    // The preview's moment travels with Confirm: moved back a few seconds here, to see it is the preview's and not a new now.
    let pricedAt = 0
    portal!.patch<SubscriptionPreview>('POST', /^\/subscription\/preview$/, (p) => ({ ...p, proration_date: (pricedAt = p.proration_date! - 5) }))
    const release = portal!.hold('POST', /^\/subscription\/preview$/)
    const choose = buttonNamed(view, 'Choose Scale at $199.00 / month')!
    choose.click()
    await waitFor(() => choose.getAttribute('aria-busy') === 'true')
    expect(choose.disabled).toBe(true)
    release()

    const preview = await waitFor(() => view.querySelector('.ap-preview'))
    expect(text(preview.querySelector('h3'))).toBe('Change to Scale')
    expect(document.activeElement).toBe(preview.querySelector('h3'))
    const due = text(preview.querySelector('.ap-preview__due'))
    expect(due).toMatch(/^\$\d+\.\d\d$/)
    expect(due).not.toBe('$0.00')
    expect(text(preview.querySelector('.ap-preview__renewal'))).toBe('$199.00')
    expect(text(preview.querySelector('.ap-preview__effective'))).toBe('The change applies now.')
    expect(preview.querySelectorAll('tbody tr').length).toBeGreaterThan(0)
    expect(portal!.count('POST', /^\/subscription$/)).toBe(0)

    buttonNamed(preview, 'Confirm change')!.focus()
    buttonNamed(preview, 'Confirm change')!.click()
    await waitFor(() => planName(view) === 'Scale')
    expect(view.querySelector('.ap-preview')).toBeNull()
    expect(document.activeElement).toBe(view.querySelector('h1'))
    const change = portal!.requests.find((r) => r.method === 'POST' && r.path === '/subscription')!
    expect(change.body).toEqual({ price_id: 'price_scale_month', proration_date: pricedAt })
    expect(change.headers.get('Idempotency-Key')).toBeTruthy()
    await waitFor(() => portal!.announced.includes('Your plan is now Scale.'))
    expect([...view.querySelectorAll('.ap-price')].find((p) => text(p).startsWith('$199.00 / month'))!.textContent).toContain('Current plan')

    // The prorated charge is a new invoice at the top of the list, for the amount the preview showed.
    const invoices = await portal!.open('invoices')
    const first = await waitFor(() => invoices.querySelector<HTMLElement>('tr.ap-invoice'))
    expect(before).not.toContain(first.dataset.invoiceId)
    expect(text(first.children[2])).toBe(due)
  })

  test('a backend whose preview has no proration_date: Confirm sends the price alone', async () => {
    const view = await billingOf('cus_active')
    portal!.patch<SubscriptionPreview>('POST', /^\/subscription\/preview$/, ({ proration_date: _, ...rest }) => rest)
    buttonNamed(view, 'Choose Scale at $199.00 / month')!.click()
    const preview = await waitFor(() => view.querySelector('.ap-preview'))
    buttonNamed(preview, 'Confirm change')!.click()
    await waitFor(() => planName(view) === 'Scale')
    expect(portal!.requests.find((r) => r.method === 'POST' && r.path === '/subscription')!.body).toEqual({ price_id: 'price_scale_month' })
  })

  test('a paid plan without a card: the server’s reason shows in the preview and Confirm can be tried again', async () => {
    const view = await billingOf('cus_free')
    buttonNamed(view, 'Choose Scale at $199.00 / month')!.click()
    const preview = await waitFor(() => view.querySelector('.ap-preview'))
    const confirm = buttonNamed(preview, 'Confirm change')!
    confirm.click()
    await waitFor(() => text(preview.querySelector('.ap-form__error')) === 'Add a payment method before choosing a paid plan.')
    expect(confirm.disabled).toBe(false)
    expect(planName(view)).toBe('Free')
    expect(portal!.onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'payment_failed' }))
  })

  test('a double click on Confirm changes the plan once', async () => {
    const view = await billingOf('cus_active')
    buttonNamed(view, 'Choose Scale at $199.00 / month')!.click()
    const preview = await waitFor(() => view.querySelector('.ap-preview'))
    const confirm = buttonNamed(preview, 'Confirm change')!
    confirm.click()
    confirm.click()
    confirm.dispatchEvent(new MouseEvent('click', { bubbles: true }))
    await waitFor(() => portal!.announced.includes('Your plan is now Scale.'))
    expect(portal!.count('POST', /^\/subscription$/)).toBe(1)
  })

  test('Keep current plan closes the preview without a change', async () => {
    const view = await billingOf('cus_active')
    buttonNamed(view, 'Choose Starter at $19.00 / month')!.click()
    const preview = await waitFor(() => view.querySelector('.ap-preview'))
    buttonNamed(preview, 'Keep current plan')!.click()
    expect(view.querySelector('.ap-preview')).toBeNull()
    expect(document.activeElement).toBe(buttonNamed(view, 'Choose Starter at $19.00 / month'))
    expect(portal!.count('POST', /^\/subscription$/)).toBe(0)
  })

  test('a downgrade is scheduled for the period end, and Undo takes it back', async () => {
    const view = await billingOf('cus_active')
    const periodEnd = (await portal!.server.billing.getSession(scope('cus_active'))).subscription!.current_period_end
    buttonNamed(view, 'Choose Starter at $19.00 / month')!.click()
    const preview = await waitFor(() => view.querySelector('.ap-preview'))
    expect(text(preview.querySelector('.ap-preview__due'))).toBe('$0.00')
    expect(text(preview.querySelector('.ap-preview__effective'))).toMatch(/^The change applies on \w{3} \d{1,2}, \d{4}, at the end of your billing period\.$/)
    buttonNamed(preview, 'Confirm change')!.click()

    const date = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' }).format(new Date(periodEnd * 1000))
    await waitFor(() => subscriptionText(view).includes(`Change to Starter scheduled for ${date}.`))
    expect(planName(view)).toBe('Pro')
    await waitFor(() => portal!.announced.includes(`Change to Starter scheduled for ${date}.`))
    expect((await portal!.server.billing.getSession(scope('cus_active'))).subscription!.scheduled_change).toMatchObject({ price_id: 'price_starter_month' })

    buttonNamed(view, 'Undo the change to Starter')!.click()
    await waitFor(() => !subscriptionText(view).includes('scheduled for'))
    expect(portal!.count('DELETE', /^\/subscription\/scheduled-change$/)).toBe(1)
    expect((await portal!.server.billing.getSession(scope('cus_active'))).subscription!.scheduled_change).toBeNull()
    await waitFor(() => portal!.announced.includes('The scheduled change is undone. You stay on Pro.'))
  })

  test('a customer without a subscription chooses a plan to start one', async () => {
    portal = await mountPortal('cus_active', { view: 'dashboard' })
    const engine = portal.server.billing as unknown as { createCustomer(app: string, c: { customUid: string }): Promise<unknown> }
    await engine.createCustomer('app_demo', { customUid: 'cus_new' })
    portal.handle.update({ token: await portal.server.token('cus_new') })
    const view = await portal.open('billing')
    await waitFor(() => subscriptionText(view).includes('You have no subscription'))
    const starter = view.querySelector('[data-plan-id="plan_starter"]')!
    expect(text(starter.querySelector('.ap-badge'))).toBe('14-day free trial')
    expect(view.querySelector('[data-plan-id="plan_scale"] .ap-badge')).toBeNull()
    expect(buttonNamed(view, 'Cancel subscription')).toBeUndefined()
    buttonNamed(view, 'Choose Starter at $19.00 / month')!.click()
    const preview = await waitFor(() => view.querySelector('.ap-preview'))
    buttonNamed(preview, 'Confirm change')!.click()
    await waitFor(() => planName(view) === 'Starter')
    expect(subscriptionText(view)).toMatch(/Trial|Active/)
  })
})

describe('cancel and resume', () => {
  test('cancel at the period end (the dialog’s default), then resume', async () => {
    const view = await billingOf('cus_active')
    buttonNamed(view, 'Cancel subscription')!.focus()
    buttonNamed(view, 'Cancel subscription')!.click()
    const asked = await dialog(portal!.root)
    expect(text(asked.querySelector('h2'))).toBe('Cancel your subscription?')
    const choices = [...asked.querySelectorAll<HTMLInputElement>('input[type="radio"]')]
    expect(choices.map((c) => c.checked)).toEqual([true, false])
    expect(text(asked)).toMatch(/At the end of the period, on \w{3} \d{1,2}, \d{4}/)
    await answerDialog(portal!.root, true)

    await waitFor(() => buttonNamed(view, 'Resume subscription'))
    expect(document.activeElement).toBe(buttonNamed(view, 'Resume subscription'))
    const sub = (await portal!.server.billing.getSession(scope('cus_active'))).subscription as Subscription
    expect(sub).toMatchObject({ status: 'active', cancel_at_period_end: true })
    expect(portal!.requests.find((r) => r.path === '/subscription/cancel')!.body).toEqual({ at_period_end: true })
    expect(text(cardOf(view, 'Subscription').querySelector('.ap-badge'))).toBe('Canceling')
    expect(subscriptionText(view)).toMatch(/Your subscription ends on \w{3} \d{1,2}, \d{4}\./)
    await waitFor(() => portal!.announced.some((m) => m.startsWith('Your subscription ends on ')))

    const release = portal!.hold('POST', /^\/subscription\/resume$/)
    const resume = buttonNamed(view, 'Resume subscription')!
    resume.click()
    await waitFor(() => resume.getAttribute('aria-busy') === 'true')
    expect(resume.disabled).toBe(true)
    release()
    await waitFor(() => buttonNamed(view, 'Cancel subscription'))
    expect(text(cardOf(view, 'Subscription').querySelector('.ap-badge'))).toBe('Active')
    expect((await portal!.server.billing.getSession(scope('cus_active'))).subscription!.cancel_at_period_end).toBe(false)
    await waitFor(() => portal!.announced.includes('Your subscription continues.'))
  })

  test('cancel now', async () => {
    const view = await billingOf('cus_active')
    buttonNamed(view, 'Cancel subscription')!.click()
    const asked = await dialog(portal!.root)
    asked.querySelector<HTMLInputElement>('input[value="now"]')!.click()
    await answerDialog(portal!.root, true)
    await waitFor(() => text(cardOf(view, 'Subscription').querySelector('.ap-badge')) === 'Canceled')
    expect(portal!.requests.find((r) => r.path === '/subscription/cancel')!.body).toEqual({ at_period_end: false })
    expect(buttonNamed(view, 'Cancel subscription')).toBeUndefined()
    expect(buttonNamed(view, 'Resume subscription')).toBeUndefined()
    const ended = (await portal!.server.billing.getSession(scope('cus_active'))).subscription!
    expect(ended).toMatchObject({ status: 'canceled', ended_at: expect.any(Number) })
    // The day it ended, not the period end it never reached.
    const day = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' }).format(new Date(ended.ended_at! * 1000))
    expect(text(cardOf(view, 'Subscription').querySelector('.ap-plan__date'))).toBe(`Canceled on ${day}`)
    await waitFor(() => portal!.announced.includes('Your subscription is canceled.'))
  })

  test('keeping the subscription in the dialog changes nothing', async () => {
    const view = await billingOf('cus_active')
    buttonNamed(view, 'Cancel subscription')!.focus()
    buttonNamed(view, 'Cancel subscription')!.click()
    await answerDialog(portal!.root, false)
    expect(portal!.count('POST', /^\/subscription\/cancel$/)).toBe(0)
    await waitFor(() => document.activeElement === buttonNamed(view, 'Cancel subscription'))
  })

  test('cus_canceling offers Resume', async () => {
    const view = await billingOf('cus_canceling')
    expect(buttonNamed(view, 'Resume subscription')).toBeDefined()
    expect(buttonNamed(view, 'Cancel subscription')).toBeUndefined()
  })
})

describe('loading and errors', () => {
  test('skeleton first, then the error with Retry; Retry loads the view', async () => {
    portal = await mountPortal('cus_active', { view: 'dashboard' })
    const heal = portal.fail('GET', /^\/plans$/)
    const view = await portal.open('billing')
    expect(view.querySelector('.ap-skeleton')).not.toBeNull()
    const error = await waitFor(() => view.querySelector('.ap-stack .ap-error'))
    expect(text(error)).toContain('We couldn’t load your billing details.')
    heal()
    buttonNamed(error, 'Retry')!.click()
    await waitFor(() => view.querySelector('.ap-plan-options'))
    expect(view.querySelector('.ap-stack .ap-error')).toBeNull()
  })

  test('a failed reload after a change keeps what was shown, with Retry', async () => {
    const view = await billingOf('cus_canceling')
    const heal = portal!.fail('GET', /^\/session$/)
    buttonNamed(view, 'Resume subscription')!.click()
    const error = await waitFor(() => view.querySelector('.ap-stack .ap-error'))
    expect(view.querySelector('.ap-plan-options')).not.toBeNull()
    expect(planName(view)).toBe('Starter')
    heal()
    buttonNamed(error, 'Retry')!.click()
    await waitFor(() => buttonNamed(view, 'Cancel subscription'))
    expect(view.querySelector('.ap-stack .ap-error')).toBeNull()
  })

  test('a session that expires mid-action shows the expired panel', async () => {
    const view = await billingOf('cus_active')
    portal!.fail('POST', /^\/payment-methods\/setup$/, () => Response.json({ error: { code: 'session_expired', message: 'The portal token has expired' } }, { status: 401 }))
    buttonNamed(view, 'Add payment method')!.click()
    await waitFor(() => portal!.handle.state.get().status === 'expired')
    expect(portal!.onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'session_expired' }))
    expect(text(portal!.root)).toContain('Your session has expired')
  })
})
