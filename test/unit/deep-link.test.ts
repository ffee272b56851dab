/**
 * The deep-link router's own parts: routes and hashes, starting a flow once its control is
 * drawn (or reporting invalid_config once the view has settled without it), and the hash
 * under syncUrl with back/forward. The portal-level behaviour is in views/account.test.ts.
 */
import { atom } from 'nanostores'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { createDeepLinks, fromHash, routeOf, startFlow, toHash } from '../../src/shell/deep-link.js'
import type { ViewName } from '../../src/types.js'

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
