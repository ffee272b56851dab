/**
 * Issue 14: two portals on one page sharing one client (against the real handler): one
 * session and one request per resource for both, and a plan changed in one shows in the
 * other without a reload.
 */
import { afterEach, describe, expect, test, vi } from 'vitest'
import { createPortalClient, type PortalClient } from '../../src/headless.js'
import { createPortal } from '../../src/portal.js'
import { createPricingPortal } from '../../src/pricing.js'
import type { PortalHandle, PricingOptions } from '../../src/types.js'
import { TEST_PUBLIC_KEY } from '../helpers/portal.js'
import { setup, type Setup } from './headless/support.js'
import { buttonNamed, text, waitFor } from './views/harness.js'

let t: Setup
const handles: PortalHandle<never>[] = []
afterEach(async () => {
  handles.splice(0).forEach((handle) => handle.destroy())
  document.body.textContent = ''
  await t?.close()
})

async function page(customer = 'cus_active') {
  t = setup()
  const client = await t.client(customer)
  const billingEl = document.body.appendChild(document.createElement('div'))
  const pricingEl = document.body.appendChild(document.createElement('div'))
  const onBillingError = vi.fn()
  const onPricingError = vi.fn()
  const portal = createPortal(billingEl, { client, defaultView: 'billing', locale: 'en-US', onError: onBillingError })
  const pricing = createPricingPortal(pricingEl, { client, publicKey: TEST_PUBLIC_KEY, locale: 'en-US', onError: onPricingError })
  handles.push(portal as PortalHandle<never>, pricing as PortalHandle<never>)
  const billing = await waitFor(() => billingEl.querySelector<HTMLElement>('.ap-view--billing .ap-plan-options') && billingEl.querySelector<HTMLElement>('.ap-view--billing'))
  await waitFor(() => pricingEl.querySelector('.ap-plan-card--current'))
  return { client, portal, pricing, billing, pricingEl, onBillingError, onPricingError }
}

const currentCard = (root: HTMLElement) => root.querySelector<HTMLElement>('.ap-plan-card--current')?.dataset.planId
const planName = (view: HTMLElement) => text(view.querySelector('.ap-card .ap-plan__name'))

describe('two portals, one client', () => {
  test('one session and one request per resource for both portals', async () => {
    const { portal, pricing, client } = await page()
    expect(t.count('GET', /^\/session$/)).toBe(1)
    expect(t.count('GET', /^\/plans$/)).toBe(1)
    expect(portal.state).toBe(client.state)
    expect(pricing.state).toBe(client.state)
  })

  test('a plan changed in the customer portal shows in the pricing portal without a reload', async () => {
    const { billing, pricingEl } = await page()
    const pricingView = pricingEl.querySelector('.ap-pricing')
    expect(currentCard(pricingEl)).toBe('plan_pro')
    buttonNamed(billing, 'Choose Scale at $199.00 / month')!.click()
    const preview = await waitFor(() => billing.querySelector('.ap-preview'))
    buttonNamed(preview, 'Confirm change')!.click()
    await waitFor(() => planName(billing) === 'Scale')
    await waitFor(() => currentCard(pricingEl) === 'plan_scale')
    // The same view, re-rendered from the store: no remount, no second mount of the portal.
    expect(pricingEl.querySelector('.ap-pricing')).toBe(pricingView)
    expect(t.count('POST', /^\/subscription$/)).toBe(1)
  })

  test('and the other way: a plan changed on the pricing cards shows in the billing view', async () => {
    const { billing, pricingEl } = await page()
    const scale = [...pricingEl.querySelectorAll<HTMLElement>('.ap-plan-card')].find((card) => card.dataset.planId === 'plan_scale')!
    scale.querySelector<HTMLButtonElement>('.ap-plan-card__actions button')!.click()
    const preview = await waitFor(() => pricingEl.querySelector('.ap-preview'))
    buttonNamed(preview, 'Confirm change')!.click()
    await waitFor(() => planName(billing) === 'Scale')
    expect(currentCard(pricingEl)).toBe('plan_scale')
  })

  // The billing view then renders from stores that already hold data, synchronously in its
  // first subscription: nothing it draws may be defined after that subscription.
  test('a portal mounted after the other has loaded the shared stores draws from them at once', async () => {
    t = setup()
    const client = await t.client('cus_active')
    const pricingEl = document.body.appendChild(document.createElement('div'))
    handles.push(createPricingPortal(pricingEl, { client, publicKey: TEST_PUBLIC_KEY, locale: 'en-US' }) as PortalHandle<never>)
    await waitFor(() => pricingEl.querySelector('.ap-plan-card--current'))
    const onError = vi.fn()
    const billingEl = document.body.appendChild(document.createElement('div'))
    handles.push(createPortal(billingEl, { client, defaultView: 'billing', locale: 'en-US', onError }) as PortalHandle<never>)
    const billing = await waitFor(() => billingEl.querySelector<HTMLElement>('.ap-view--billing .ap-plan-options') && billingEl.querySelector<HTMLElement>('.ap-view--billing'))
    expect(planName(billing)).toBe('Pro')
    expect(onError).not.toHaveBeenCalled()
    expect(t.count('GET', /^\/session$/)).toBe(1)
  })

  test('destroying one portal leaves the shared client and the other portal working', async () => {
    const { portal, client, billing, pricingEl } = await page()
    portal.destroy()
    expect(billing.isConnected).toBe(false)
    expect(client.state.get()).toEqual({ status: 'active' })
    const cancel = await client.flows.cancel().open()
    expect(cancel.status).toBe('choosing')
    expect(currentCard(pricingEl)).toBe('plan_pro')
  })

  test('each portal’s onError hears a failure of the shared session', async () => {
    const { client, onBillingError, onPricingError } = await page()
    client.report({ code: 'server', message: 'Injected' })
    expect(onBillingError).toHaveBeenCalledWith(expect.objectContaining({ message: 'Injected' }))
    expect(onPricingError).toHaveBeenCalledWith(expect.objectContaining({ message: 'Injected' }))
  })

  test('a client that is not one is a TypeError naming the option; without a client, a token is still required', () => {
    const el = document.body.appendChild(document.createElement('div'))
    expect(() => createPortal(el, { client: {} as PortalClient })).toThrow('client must be a client made by createPortalClient() (got object)')
    expect(() => createPortal(el, {} as never)).toThrow(/token must be a non-empty string/)
    expect(() => createPricingPortal(el, { publicKey: TEST_PUBLIC_KEY, client: 'x' } as unknown as PricingOptions)).toThrow(/client must be/)
    const visitor = createPortalClient()
    const pricing = createPricingPortal(el, { publicKey: TEST_PUBLIC_KEY, client: visitor })
    pricing.destroy()
    visitor.destroy()
  })
})
