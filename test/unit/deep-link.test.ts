/**
 * The deep-link router's own parts: routes and hashes, starting a flow once its control is
 * drawn (or reporting invalid_config once the view has settled without it), and the hash
 * under syncUrl with back/forward. The portal-level behaviour is in views/account.test.ts.
 */
import { atom } from 'nanostores'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { createDeepLinks, fromHash, routeOf, startFlow, toHash } from '../../src/shell/deep-link.js'
import type { ViewName } from '../../src/types.js'
import { answerDialog, buttonNamed, mountPortal, viewEl, waitFor, type Harness } from './views/harness.js'

const cleanups: (() => void)[] = []
afterEach(() => {
  cleanups.splice(0).forEach((cleanup) => cleanup())
  history.replaceState(null, '', '#')
})

describe('routes and hashes', () => {
  test('every flow is on the billing view; a price goes with change-plan', () => {
    expect(routeOf('cancel')).toEqual({ view: 'billing', flow: 'cancel' })
    expect(routeOf({ flow: 'change-plan', priceId: 'price_pro_year' })).toEqual({ view: 'billing', flow: 'change-plan', priceId: 'price_pro_year' })
    expect(toHash({ view: 'billing', flow: 'change-plan', priceId: 'price pro/1' })).toBe('#billing/change-plan/price%20pro%2F1')
    expect(fromHash('#billing/change-plan/price%20pro%2F1')).toEqual({ view: 'billing', flow: 'change-plan', priceId: 'price pro/1' })
    expect(fromHash('#invoices')).toEqual({ view: 'invoices' })
    expect(fromHash('#billing/teleport')).toEqual({ view: 'billing' })
    expect(fromHash('#pricing-table')).toBeNull() // the host's own anchor
    expect(fromHash('')).toBeNull()
  })
})

function viewHost(): HTMLElement {
  const host = document.createElement('div')
  host.className = 'ap-view-host'
  document.body.append(host)
  cleanups.push(() => host.remove())
  return host
}

describe('startFlow', () => {
  test('presses the flow’s button once the view draws it', async () => {
    const host = viewHost()
    const report = vi.fn()
    cleanups.push(startFlow(host, { view: 'billing', flow: 'cancel' }, report))
    host.innerHTML = '<section class="ap-view"><div class="ap-skeleton"></div></section>'
    const button = document.createElement('button')
    button.setAttribute('data-ap-open', 'cancel')
    const clicked = vi.fn()
    button.addEventListener('click', clicked)
    host.querySelector('.ap-view')!.replaceChildren(button)
    await vi.waitFor(() => expect(clicked).toHaveBeenCalledOnce())
    expect(report).not.toHaveBeenCalled()
  })

  test('a price’s Choose, matched as text; a section’s first field takes focus', async () => {
    const host = viewHost()
    host.innerHTML = `<section class="ap-view"><div data-ap-open="change-plan"><li data-price-id='p"1'><button>Choose</button></li></div><form data-ap-open="billing-details"><input name="name"></form></section>`
    const clicked = vi.fn()
    host.querySelector('button')!.addEventListener('click', clicked)
    cleanups.push(startFlow(host, { view: 'billing', flow: 'change-plan', priceId: 'p"1' }, vi.fn()))
    expect(clicked).toHaveBeenCalledOnce()
    cleanups.push(startFlow(host, { view: 'billing', flow: 'billing-details' }, vi.fn()))
    expect(document.activeElement).toBe(host.querySelector('input'))
  })

  test('a view that settles without the flow reports invalid_config, once', async () => {
    const host = viewHost()
    const report = vi.fn()
    host.innerHTML = '<section class="ap-view"><div class="ap-skeleton"></div></section>'
    cleanups.push(startFlow(host, { view: 'billing', flow: 'change-plan', priceId: 'price_gone' }, report))
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(report).not.toHaveBeenCalled() // still loading
    host.innerHTML = '<section class="ap-view"><div data-ap-open="change-plan"></div></section>'
    await vi.waitFor(() => expect(report).toHaveBeenCalledOnce())
    expect(report.mock.calls[0][0]).toMatchObject({ code: 'invalid_config', message: expect.stringContaining('price_gone') })
  })
})

describe('createDeepLinks with syncUrl', () => {
  test('each move is a history entry; back and forward follow the hash', async () => {
    const root = document.createElement('div')
    root.append(viewHost())
    document.body.append(root)
    const $view = atom<ViewName>('dashboard')
    const links = createDeepLinks({ root, opts: { syncUrl: true }, client: { report: vi.fn() }, destroyed: false }, $view)
    cleanups.push(() => links.destroy(), () => root.remove())
    $view.set('invoices')
    expect(location.hash).toBe('#invoices')
    links.go('cancel')
    expect(location.hash).toBe('#billing/cancel')
    expect($view.get()).toBe('billing')
    history.back()
    await vi.waitFor(() => expect($view.get()).toBe('invoices'))
    history.forward()
    await vi.waitFor(() => expect($view.get()).toBe('billing'))
    expect(location.hash).toBe('#billing/cancel')
  })

  test('flows opened in the view: a dialog over a preview, each an entry; closing each steps back to the one under it', async () => {
    const root = document.createElement('div')
    const host = viewHost()
    root.append(host)
    document.body.append(root)
    const $view = atom<ViewName>('invoices')
    const links = createDeepLinks({ root, opts: { syncUrl: true }, client: { report: vi.fn() }, destroyed: false }, $view)
    cleanups.push(() => links.destroy(), () => root.remove())
    $view.set('billing')
    expect(location.hash).toBe('#billing')
    const marked = (flow: string, priceId?: string) => {
      const el = document.createElement('div')
      el.setAttribute('data-ap-flow', flow)
      if (priceId) el.setAttribute('data-price-id', priceId)
      return el
    }
    const preview = marked('change-plan', 'price_a')
    host.append(preview)
    await vi.waitFor(() => expect(location.hash).toBe('#billing/change-plan/price_a'))
    // Another price in the same preview: the same entry.
    preview.setAttribute('data-price-id', 'price_b')
    preview.replaceChildren(document.createElement('p'))
    await vi.waitFor(() => expect(location.hash).toBe('#billing/change-plan/price_b'))
    const dialog = marked('cancel')
    root.append(dialog)
    await vi.waitFor(() => expect(location.hash).toBe('#billing/cancel'))
    dialog.remove()
    await vi.waitFor(() => expect(location.hash).toBe('#billing/change-plan/price_b'))
    preview.remove()
    await vi.waitFor(() => expect(location.hash).toBe('#billing'))
    // Nothing dead behind: one step back is where the portal was before billing.
    history.back()
    await vi.waitFor(() => expect($view.get()).toBe('invoices'))
    expect(location.hash).toBe('#invoices')
  })

  test('back off a flow sends its dialog or form `ap-close`', async () => {
    const root = document.createElement('div')
    const host = viewHost()
    root.append(host)
    document.body.append(root)
    const $view = atom<ViewName>('billing')
    const links = createDeepLinks({ root, opts: { syncUrl: true }, client: { report: vi.fn() }, destroyed: false }, $view)
    cleanups.push(() => links.destroy(), () => root.remove())
    const form = document.createElement('form')
    form.setAttribute('data-ap-flow', 'add-payment-method')
    const closed = vi.fn(() => form.remove())
    form.addEventListener('ap-close', closed)
    host.append(form)
    await vi.waitFor(() => expect(location.hash).toBe('#billing/add-payment-method'))
    history.back()
    await vi.waitFor(() => expect(closed).toHaveBeenCalledOnce())
    expect(location.hash).toBe('#billing')
  })

  test('without syncUrl the URL is the host’s', () => {
    const root = document.createElement('div')
    root.append(viewHost())
    const $view = atom<ViewName>('dashboard')
    const links = createDeepLinks({ root, opts: {}, client: { report: vi.fn() }, destroyed: false }, $view)
    cleanups.push(() => links.destroy())
    const before = location.href
    $view.set('billing')
    links.go('billing-details')
    expect(location.href).toBe(before)
  })
})

/**
 * Flows the customer opens inside the billing view, under syncUrl, in a portal mounted
 * against the real handler: each is a history entry; closing it (done, cancel, Escape)
 * steps back off it; back and forward close and reopen it.
 */
describe('syncUrl follows the flows a customer opens in the view', () => {
  let portal: Harness | undefined
  afterEach(async () => {
    await portal?.close()
    portal = undefined
    history.replaceState(null, '', location.pathname)
  })

  /** Mounted on the dashboard, then to billing by its nav: the entries are #dashboard, #billing. */
  async function onBilling(customer = 'cus_active'): Promise<{ harness: Harness; view: HTMLElement }> {
    history.replaceState(null, '', location.pathname)
    portal = await mountPortal(customer, { syncUrl: true })
    await waitFor(() => location.hash === '#dashboard')
    const view = await portal.open('billing')
    expect(location.hash).toBe('#billing')
    return { harness: portal, view }
  }
  const escape = (el: Element) => el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
  const openDialog = (h: Harness) => h.root.querySelector<HTMLElement>('[role="dialog"]')

  test('Cancel subscription: its dialog is #billing/cancel; Escape steps back to #billing with no dead entry; forward reopens it and back closes it', async () => {
    const { harness, view } = await onBilling()
    ;(await waitFor(() => buttonNamed(view, 'Cancel subscription')))!.click()
    await waitFor(() => openDialog(harness))
    await waitFor(() => location.hash === '#billing/cancel')
    escape(openDialog(harness)!)
    await waitFor(() => location.hash === '#billing' && !openDialog(harness))
    // Forward reopens the dialog; back closes it (as Keep would), no request made.
    history.forward()
    await waitFor(() => location.hash === '#billing/cancel' && openDialog(harness))
    history.back()
    await waitFor(() => location.hash === '#billing' && !openDialog(harness))
    expect(harness.count('POST', /\/subscription\/cancel$/)).toBe(0)
    // No dead #billing behind: one step back is the dashboard.
    history.back()
    await waitFor(() => location.hash === '#dashboard' && viewEl(harness.root, 'dashboard'))
  })

  test('done: cancelling in the dialog leaves #billing/cancel for #billing, and back is the dashboard', async () => {
    const { harness, view } = await onBilling()
    ;(await waitFor(() => buttonNamed(view, 'Cancel subscription')))!.click()
    await waitFor(() => location.hash === '#billing/cancel')
    await answerDialog(harness.root, true)
    await waitFor(() => location.hash === '#billing')
    await waitFor(() => buttonNamed(view, 'Resume subscription'))
    expect(harness.count('POST', /\/subscription\/cancel$/)).toBe(1)
    history.back()
    await waitFor(() => location.hash === '#dashboard')
  })

  test('Choose: the preview is #billing/change-plan/<price>; back closes it, forward reopens it, its Cancel steps back', async () => {
    const { harness, view } = await onBilling()
    const preview = () => harness.root.querySelector<HTMLElement>('.ap-preview-host .ap-preview')
    ;(await waitFor(() => view.querySelector<HTMLElement>('[data-price-id="price_scale_month"] button')))!.click()
    await waitFor(() => preview())
    await waitFor(() => location.hash === '#billing/change-plan/price_scale_month')
    history.back()
    await waitFor(() => location.hash === '#billing' && !preview())
    history.forward()
    await waitFor(() => location.hash === '#billing/change-plan/price_scale_month' && preview())
    buttonNamed(preview()!, 'Keep current plan')!.click()
    await waitFor(() => location.hash === '#billing' && !preview())
    expect(harness.count('POST', /\/subscription$/)).toBe(0)
    history.back()
    await waitFor(() => location.hash === '#dashboard')
  })

  test('Add payment method: the form is #billing/add-payment-method; Escape and back close it', async () => {
    const { harness, view } = await onBilling('cus_free')
    const form = () => view.querySelector<HTMLElement>('[data-ap-flow="add-payment-method"]')
    ;(await waitFor(() => buttonNamed(view, 'Add payment method')))!.click()
    await waitFor(() => form() && location.hash === '#billing/add-payment-method')
    escape(form()!.querySelector('input')!)
    await waitFor(() => !form() && location.hash === '#billing')
    expect(buttonNamed(view, 'Add payment method')).toBeDefined()
    history.forward()
    await waitFor(() => form() && location.hash === '#billing/add-payment-method')
    history.back()
    await waitFor(() => !form() && location.hash === '#billing')
    expect(harness.count('POST', /\/payment-methods$/)).toBe(0)
  })

  test('a flow opened from another view (the dashboard banner’s link) closes onto #billing, not back to the dashboard', async () => {
    history.replaceState(null, '', location.pathname)
    portal = await mountPortal('cus_active', { syncUrl: true })
    await waitFor(() => location.hash === '#dashboard')
    portal.handle.update({ open: 'add-payment-method' })
    const view = await waitFor(() => viewEl(portal!.root, 'billing'))
    const form = await waitFor(() => view.querySelector<HTMLElement>('[data-ap-flow="add-payment-method"]'))
    expect(location.hash).toBe('#billing/add-payment-method')
    buttonNamed(form, 'Cancel')!.click()
    await waitFor(() => location.hash === '#billing')
    expect(viewEl(portal.root, 'billing')).not.toBeNull()
    history.back()
    await waitFor(() => location.hash === '#dashboard' && viewEl(portal!.root, 'dashboard'))
  })

  test('without syncUrl a flow opened in the view leaves the URL alone', async () => {
    history.replaceState(null, '', location.pathname + '#host-anchor')
    portal = await mountPortal('cus_active', { view: 'billing', open: 'billing-details' })
    const view = viewEl(portal.root, 'billing')!
    ;(await waitFor(() => buttonNamed(view, 'Cancel subscription')))!.click()
    await waitFor(() => openDialog(portal!))
    escape(openDialog(portal)!)
    await waitFor(() => !openDialog(portal!))
    expect(location.hash).toBe('#host-anchor')
  })
})
