/**
 * Issue 17 in the customer portal, mounted against the real handler: the billing details
 * card and bill-to block in their views, the failed-payment banner on the dashboard and the
 * billing view, Pay on an open invoice, the seller's controls hiding what is off, and deep
 * links (`open`, `syncUrl` with back/forward).
 */
import { afterEach, describe, expect, test } from 'vitest'
import type { PortalFeatures } from '../../../src/api/types.js'
import type { OpenTarget } from '../../../src/types.js'
import { buttonNamed, mountPortal, text, viewEl, waitFor, type Harness } from './harness.js'

let portal: Harness | undefined
afterEach(async () => {
  await portal?.close()
  portal = undefined
  history.replaceState(null, '', location.pathname)
})

type Features = Omit<Partial<PortalFeatures>, 'plans'> & { plans?: string[] }
const withFeatures = (features: Features) => ({ server: { handler: { features } } })
const cardTitled = (scope: ParentNode, title: string) => [...scope.querySelectorAll<HTMLElement>('.ap-card')].find((c) => text(c.querySelector('h2')) === title)
const navItems = (h: Harness) => [...h.root.querySelectorAll<HTMLElement>('.ap-nav__item')].filter((b) => !b.closest('li')!.hidden).map(text)
/** The token's customer, over the Portal API (arranging a case as the customer would). */
async function call(h: Harness, customer: string, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${await h.server.token(customer)}` }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const answer = await h.server.fetch(`${h.server.apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  return answer.json()
}
/** Makes a working card the default without collecting the open invoice (as a fixed card elsewhere would). */
async function fixCard(h: Harness, customer: string) {
  const methods = (await call(h, customer, 'GET', '/payment-methods')).data as { id: string; is_default: boolean }[]
  await call(h, customer, 'POST', '/payment-methods', { payment_method: 'pm_card_visa', make_default: false })
  await call(h, customer, 'DELETE', `/payment-methods/${methods.find((m) => m.is_default)!.id}`)
}

describe('billing details and bill-to', () => {
  test('the billing view has the billing details card', async () => {
    portal = await mountPortal('cus_active', { view: 'billing' })
    const view = viewEl(portal.root, 'billing')!
    const details = await waitFor(() => cardTitled(view, 'Billing details')?.querySelector('form'))
    expect((details.querySelector('[name="name"]') as HTMLInputElement).value).toBe('Ada Lovelace')
  })

  test('an invoice issued after an edit shows it as its bill-to block', async () => {
    portal = await mountPortal('cus_active')
    await call(portal, 'cus_active', 'POST', '/customer', {
      name: 'Ada Lovelace Ltd',
      address: { line1: '12 Analytical Row', city: 'London', postal_code: 'N1 9GU', country: 'GB' },
      tax_ids: [{ type: 'gb_vat', value: 'GB123456789' }],
    })
    await call(portal, 'cus_active', 'POST', '/subscription', { price_id: 'price_scale_month' })
    const view = await portal.open('invoices')
    const first = await waitFor(() => view.querySelector<HTMLElement>('tr.ap-invoice'))
    buttonNamed(first, /^Details/)!.click()
    const block = await waitFor(() => view.querySelector<HTMLElement>('.ap-bill-to'))
    expect(text(block)).toContain('Ada Lovelace Ltd')
    expect(text(block)).toContain('United Kingdom')
    expect(text(block)).toContain('UK VAT number: GB123456789')
  })
})

describe('a failed payment', () => {
  test('dashboard: the banner says what failed; Pay now shows the decline; Update payment method opens the add-card form', async () => {
    portal = await mountPortal('cus_past_due')
    const view = viewEl(portal.root, 'dashboard')!
    const banner = await waitFor(() => view.querySelector<HTMLElement>('.ap-banner'))
    expect(view.querySelector('.ap-view__title')!.nextElementSibling!.contains(banner) || view.querySelector('.ap-banner-host') === banner.parentElement).toBe(true)
    expect(text(banner)).toMatch(/We couldn’t collect \$\d+\.\d\d for invoice .+ of .+\./)
    buttonNamed(banner, 'Pay now')!.click()
    await waitFor(() => text(banner.querySelector('.ap-form__error')) === 'Your card was declined.')
    buttonNamed(banner, 'Update payment method')!.click()
    const billing = await waitFor(() => viewEl(portal!.root, 'billing'))
    await waitFor(() => billing.querySelector('form input[value="pm_card_visa"]'))
  })

  test('billing view: Pay now with a working card pays, the banner leaves and the subscription is active', async () => {
    portal = await mountPortal('cus_past_due', { view: 'billing' })
    const view = viewEl(portal.root, 'billing')!
    const banner = await waitFor(() => view.querySelector<HTMLElement>('.ap-banner'))
    await fixCard(portal, 'cus_past_due')
    buttonNamed(banner, 'Pay now')!.click()
    await waitFor(() => !view.querySelector('.ap-banner'))
    await waitFor(() => text(cardTitled(view, 'Subscription')).includes('Active'))
    await waitFor(() => portal!.announced.some((m) => /^Invoice .+ is paid\.$/.test(m)))
  })

  test('invoices view: Pay on the open invoice', async () => {
    portal = await mountPortal('cus_past_due', { view: 'invoices' })
    const view = viewEl(portal.root, 'invoices')!
    const pay = await waitFor(() => buttonNamed(view, /^Pay invoice /))
    expect(view.querySelectorAll('.ap-pay')).toHaveLength(1)
    await fixCard(portal, 'cus_past_due')
    pay.click()
    await waitFor(() => view.querySelectorAll('.ap-pay').length === 0)
    expect((await call(portal, 'cus_past_due', 'GET', '/session')).subscription.status).toBe('active')
  })
})

describe('seller controls hide what is off', () => {
  test('apiKeys read_only: keys listed without Create, Roll or Revoke', async () => {
    portal = await mountPortal('cus_active', withFeatures({ apiKeys: 'read_only' }))
    const keys = await waitFor(() => cardTitled(portal!.root, 'API keys')?.querySelector('.ap-key'))
    const card = keys.closest('.ap-card')!
    expect(buttonNamed(card, 'Create key')).toBeUndefined()
    expect(buttonNamed(card, /^Roll /)).toBeUndefined()
    expect(buttonNamed(card, /^Revoke /)).toBeUndefined()
  })

  test('apiKeys off: no keys card and no request for keys', async () => {
    portal = await mountPortal('cus_active', withFeatures({ apiKeys: false }))
    await waitFor(() => portal!.root.querySelector('.ap-plan__name'))
    expect(cardTitled(portal.root, 'API keys')).toBeUndefined()
    expect(portal.count('GET', /^\/api-keys/)).toBe(0)
    expect(portal.onError).not.toHaveBeenCalled()
  })

  test('cancel at_period_end: the dialog offers no immediate cancel', async () => {
    portal = await mountPortal('cus_active', { view: 'billing', ...withFeatures({ cancel: 'at_period_end' }) })
    const view = viewEl(portal.root, 'billing')!
    ;(await waitFor(() => buttonNamed(view, 'Cancel subscription')))!.click()
    const dialog = await waitFor(() => portal!.root.querySelector<HTMLElement>('[role="dialog"]'))
    expect(dialog.querySelector('input[value="period_end"]')).not.toBeNull()
    expect(dialog.querySelector('input[value="now"]')).toBeNull()
  })

  test('changePlan off: no plan list and no request for plans; the rest of billing stays', async () => {
    portal = await mountPortal('cus_active', { view: 'billing', ...withFeatures({ changePlan: false }) })
    const view = viewEl(portal.root, 'billing')!
    await waitFor(() => cardTitled(view, 'Subscription') && cardTitled(view, 'Payment methods'))
    expect(cardTitled(view, 'Change plan')).toBeUndefined()
    expect(portal.count('GET', /^\/plans/)).toBe(0)
    expect(portal.onError).not.toHaveBeenCalled()
  })

  test('upgrades_only: the prices offered are those the server allows (a change that waits for the period end is not; one in a trial is)', async () => {
    // Yearly Starter: monthly Pro costs more a month but applies at the period end, so the server refuses it.
    portal = await mountPortal('cus_canceling', { view: 'billing', ...withFeatures({ changePlan: 'upgrades_only' }) })
    const offered = async () => [...(await waitFor(() => viewEl(portal!.root, 'billing')!.querySelector('.ap-plan-options'))).querySelectorAll('[data-price-id]')].map((li) => li.getAttribute('data-price-id'))
    expect(await offered()).toEqual(expect.arrayContaining(['price_starter_year', 'price_pro_year']))
    expect(await offered()).not.toContain('price_pro_month')
    await portal.close()
    // In a trial every change applies at once: a cheaper plan is offered too.
    portal = await mountPortal('cus_trialing', { view: 'billing', ...withFeatures({ changePlan: 'upgrades_only' }) })
    expect(await offered()).toContain('price_starter_month')
  })

  test('upgrades_only: cheaper prices are not offered', async () => {
    portal = await mountPortal('cus_active', { view: 'billing', ...withFeatures({ changePlan: 'upgrades_only' }) })
    const plans = await waitFor(() => viewEl(portal!.root, 'billing')!.querySelector('.ap-plan-options'))
    const prices = [...plans.querySelectorAll('[data-price-id]')].map((li) => li.getAttribute('data-price-id'))
    expect(prices).toContain('price_pro_month')
    expect(prices).toContain('price_scale_month')
    expect(prices).not.toContain('price_starter_month')
    expect(prices).not.toContain('price_free_month')
  })

  test('payment methods and billing details off: their cards leave the billing view', async () => {
    portal = await mountPortal('cus_active', { view: 'billing', ...withFeatures({ paymentMethods: false, billingDetails: false }) })
    const view = viewEl(portal.root, 'billing')!
    await waitFor(() => cardTitled(view, 'Change plan'))
    expect(cardTitled(view, 'Payment methods')).toBeUndefined()
    expect(cardTitled(view, 'Billing details')).toBeUndefined()
    expect(portal.onError).not.toHaveBeenCalled()
  })

  test('a view whose every section is off leaves the nav', async () => {
    portal = await mountPortal('cus_active', withFeatures({ invoices: false, changePlan: false, cancel: false, paymentMethods: false, billingDetails: false }))
    await waitFor(() => navItems(portal!).length === 1)
    expect(navItems(portal)).toEqual(['Dashboard'])
  })

  /**
   * Watches the page from before the mount: at every point it could paint (each mutation's
   * microtask checkpoint), notes the nav items shown and the views mounted.
   */
  function watchPage() {
    const seen = { items: new Set<string>(), views: new Set<string>() }
    const note = () => {
      document.querySelectorAll<HTMLElement>('.ap-nav__item').forEach((b) => !b.closest('li')!.hidden && seen.items.add(b.dataset.view!))
      document.querySelectorAll<HTMLElement>('.ap-view-host > .ap-view').forEach((v) => seen.views.add(v.className))
    }
    const observer = new MutationObserver(note)
    observer.observe(document.body, { subtree: true, childList: true, attributes: true })
    return { seen, stop: () => (note(), observer.disconnect()) }
  }

  test('mounted onto a view that is off: no request for it, no error, the first view that is on; the nav never shows it', async () => {
    const page = watchPage()
    portal = await mountPortal('cus_active', { defaultView: 'invoices', ...withFeatures({ invoices: false }) })
    await waitFor(() => portal!.root.querySelector('.ap-plan__name'))
    page.stop()
    expect(portal.count('GET', /^\/invoices/)).toBe(0)
    expect(portal.onError).not.toHaveBeenCalled()
    expect(viewEl(portal.root, 'invoices')).toBeNull()
    expect(navItems(portal)).toEqual(['Dashboard', 'Billing'])
    expect(page.seen.items.has('invoices')).toBe(false)
    expect([...page.seen.views].some((c) => c.includes('ap-view--invoices'))).toBe(false)
    expect(portal.count('GET', /^\/session$/)).toBe(1)
  })

  test('mounted onto a billing view whose every section is off: lands on the dashboard, billing never shown', async () => {
    const page = watchPage()
    const allOff = { changePlan: false, cancel: false, paymentMethods: false, billingDetails: false }
    portal = await mountPortal('cus_active', { defaultView: 'billing', ...withFeatures(allOff) })
    await waitFor(() => portal!.root.querySelector('.ap-plan__name'))
    page.stop()
    expect(page.seen.items.has('billing')).toBe(false)
    expect([...page.seen.views].some((c) => c.includes('ap-view--billing'))).toBe(false)
    expect(navItems(portal)).toEqual(['Dashboard', 'Invoices'])
    expect(portal.onError).not.toHaveBeenCalled()
    // Not taking focus into the portal: the customer moved nowhere.
    expect(portal.root.contains(document.activeElement)).toBe(false)
  })

  test('a view that is on still opens first, with one request for the account', async () => {
    portal = await mountPortal('cus_active', { view: 'invoices', ...withFeatures({ billingDetails: false }) })
    await waitFor(() => viewEl(portal!.root, 'invoices')!.querySelector('tr.ap-invoice'))
    expect(portal.count('GET', /^\/session$/)).toBe(1)
    expect(portal.count('GET', /^\/invoices/)).toBe(1)
    expect(navItems(portal)).toEqual(['Dashboard', 'Invoices', 'Billing'])
  })

  test('the account failing shows every view in the nav (features unknown: everything on, as with a backend that sends none)', async () => {
    const fail = (async () => Response.json({ error: { code: 'server', message: 'Injected failure' } }, { status: 500 })) as typeof fetch
    portal = await mountPortal('cus_active', { fetch: fail, ...withFeatures({ invoices: false }) })
    await waitFor(() => navItems(portal!).length === 3)
    expect(navItems(portal)).toEqual(['Dashboard', 'Invoices', 'Billing'])
  })

  test('a deep link into a view that is off lands on the first view that is on and reports invalid_config', async () => {
    const allOff = { changePlan: false, cancel: false, paymentMethods: false, billingDetails: false }
    portal = await mountPortal('cus_active', { open: 'cancel', ...withFeatures(allOff) })
    await waitFor(() => portal!.onError.mock.calls.some(([e]) => e.code === 'invalid_config'))
    expect(viewEl(portal.root, 'dashboard')).not.toBeNull()
    expect(viewEl(portal.root, 'billing')).toBeNull()
  })

  test('navigating or updating to a view that is off stays on one that is on', async () => {
    portal = await mountPortal('cus_active', withFeatures({ invoices: false }))
    portal.handle.update({ defaultView: 'invoices' })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(viewEl(portal.root, 'dashboard')).not.toBeNull()
    expect(portal.count('GET', /^\/invoices/)).toBe(0)
  })

  test('invoices off: only the invoices view leaves', async () => {
    portal = await mountPortal('cus_active', withFeatures({ invoices: false }))
    await waitFor(() => navItems(portal!).length === 2)
    expect(navItems(portal)).toEqual(['Dashboard', 'Billing'])
  })
})

describe('deep links', () => {
  const start = (customer: string, open: OpenTarget, extra = {}) => mountPortal(customer, { view: 'billing', open, ...extra })

  test('change-plan: the plan list, its first Choose focused', async () => {
    portal = await start('cus_active', 'change-plan')
    await waitFor(() => document.activeElement?.closest('.ap-plan-options') && text(document.activeElement) === 'Choose')
  })

  test('{ flow: change-plan, priceId }: straight to that price’s preview', async () => {
    portal = await start('cus_active', { flow: 'change-plan', priceId: 'price_pro_year' })
    const preview = await waitFor(() => portal!.root.querySelector<HTMLElement>('.ap-preview-host .ap-panel, .ap-preview-host section'))
    expect(text(preview)).toContain('Change to Pro')
  })

  test('cancel: the cancel dialog', async () => {
    portal = await start('cus_active', 'cancel')
    const dialog = await waitFor(() => portal!.root.querySelector<HTMLElement>('[role="dialog"]'))
    expect(text(dialog)).toContain('Cancel your subscription?')
  })

  test('add-payment-method: the add-card form', async () => {
    portal = await start('cus_free', 'add-payment-method')
    await waitFor(() => viewEl(portal!.root, 'billing')!.querySelector('form input[value="pm_card_visa"]'))
  })

  test('billing-details: its first field focused', async () => {
    portal = await start('cus_active', 'billing-details')
    await waitFor(() => (document.activeElement as HTMLInputElement | null)?.name === 'name')
  })

  test('pay-invoice: Pay now focused, not pressed', async () => {
    portal = await start('cus_past_due', 'pay-invoice')
    await waitFor(() => text(document.activeElement) === 'Pay now')
    expect(portal.count('POST', /\/pay$/)).toBe(0)
  })

  test.each<[string, string, OpenTarget, Features]>([
    ['a flow the seller turned off', 'cus_active', 'cancel', { cancel: false }],
    ['nothing to pay', 'cus_active', 'pay-invoice', {}],
    ['the current price', 'cus_active', { flow: 'change-plan', priceId: 'price_pro_month' }, {}],
  ])('%s: lands on billing and reports invalid_config', async (_, customer, open, features) => {
    portal = await start(customer, open, withFeatures(features))
    await waitFor(() => portal!.onError.mock.calls.some(([e]) => e.code === 'invalid_config'))
    expect(viewEl(portal.root, 'billing')).not.toBeNull()
    expect(portal.root.querySelector('[role="dialog"]')).toBeNull()
  })

  test('syncUrl: views and flows in the hash; back and forward follow it', async () => {
    portal = await mountPortal('cus_active', { syncUrl: true })
    await waitFor(() => location.hash === '#dashboard')
    await portal.open('invoices')
    expect(location.hash).toBe('#invoices')
    portal.handle.update({ open: 'billing-details' })
    await waitFor(() => location.hash === '#billing/billing-details')
    await waitFor(() => (document.activeElement as HTMLInputElement | null)?.name === 'name')
    history.back()
    await waitFor(() => viewEl(portal!.root, 'invoices'))
    expect(location.hash).toBe('#invoices')
    history.forward()
    await waitFor(() => viewEl(portal!.root, 'billing'))
  })

  test('syncUrl: a shared link opens where it points', async () => {
    history.replaceState(null, '', '#billing/cancel')
    portal = await mountPortal('cus_active', { syncUrl: true, view: 'billing' })
    await waitFor(() => portal!.root.querySelector('[role="dialog"]'))
  })
})
