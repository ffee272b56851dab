/**
 * Views on demand (issue 14): the dashboard ships in the initial chunk; invoices and
 * billing are chunks fetched on navigation, prefetched when the browser is idle or when a
 * nav item is pointed at or focused. While a chunk loads the nav stays and the view area
 * shows the view's frame and skeleton; a chunk that fails shows the error with Retry.
 *
 * A chunk's arrival is held with `vi.doMock` on the view's module (the dynamic `import()`
 * in src/views/index.ts waits for the factory), so each test imports the portal afresh.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import type { PortalError, PortalHandle, PortalOptions } from '../../src/types.js'
import { createTestPortal, type TestPortal } from '../helpers/portal.js'

type Chunk = 'invoices' | 'billing' | 'pricing'
interface Gate {
  /** How many times the chunk's module was asked for. */
  loads: number
  open(): void
  fail(): void
}

let server: TestPortal
let el: HTMLElement
let handle: PortalHandle | undefined
let gates: Record<Chunk, Gate>
let held: ((value?: unknown) => void)[] = []

function gate(chunk: Chunk): Gate {
  let release!: (ok: boolean) => void
  let arrived = new Promise<boolean>((resolve) => (release = resolve))
  const g: Gate = {
    loads: 0,
    open: () => release(true),
    fail: () => release(false),
  }
  vi.doMock(`../../src/views/${chunk}.js`, async (importOriginal) => {
    g.loads++
    const ok = await arrived
    // The next load waits again (a Retry after a failure).
    arrived = new Promise<boolean>((resolve) => (release = resolve))
    if (!ok) throw new TypeError(`Failed to fetch dynamically imported module: ${chunk}`)
    return importOriginal()
  })
  return g
}

beforeEach(() => {
  vi.resetModules()
  server = createTestPortal()
  el = document.createElement('div')
  document.body.appendChild(el)
  gates = { invoices: gate('invoices'), billing: gate('billing'), pricing: gate('pricing') }
})

afterEach(async () => {
  handle?.destroy()
  handle = undefined
  held.forEach((release) => release())
  held = []
  vi.doUnmock('../../src/views/invoices.js')
  vi.doUnmock('../../src/views/billing.js')
  vi.doUnmock('../../src/views/pricing.js')
  vi.doUnmock('../../src/dom/dialog.js')
  document.body.textContent = ''
  await server.close()
})

/** The portal imported afresh (its views' chunks unloaded); `/invoices` requests can be held back. */
async function mount(options: Partial<PortalOptions> = {}, holdInvoices = false) {
  const { createPortal } = await import('../../src/portal.js')
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    if (holdInvoices && String(input).includes('/invoices')) await new Promise((resolve) => held.push(resolve))
    return server.fetch(input, init)
  }) as typeof globalThis.fetch
  handle = createPortal(el, { token: await server.token('cus_active'), apiUrl: server.apiUrl, fetch, locale: 'en', ...options })
  await vi.waitFor(() => expect(el.querySelector('.ap-plan__name')).not.toBeNull())
  return handle
}

const $ = (selector: string) => el.querySelector<HTMLElement>(selector)
const navItem = (view: string) => $(`.ap-nav__item[data-view="${view}"]`)!
const viewArea = () => $('.ap-view-host')!

describe('views on demand', () => {
  test('navigating shows the view’s frame and skeleton under the nav until the chunk, then the view’s own skeleton until the data', async () => {
    await mount({}, true)
    navItem('invoices').click()

    // The chunk is on its way: the nav stays, the view area holds a titled skeleton with focus on its heading.
    expect($('nav.ap-sidebar')).not.toBeNull()
    expect(navItem('invoices').getAttribute('aria-current')).toBe('page')
    const frame = viewArea().querySelector<HTMLElement>('.ap-view')!
    expect(frame.querySelector('h1')!.textContent).toBe('Invoices')
    expect(document.activeElement).toBe(frame.querySelector('h1'))
    expect(frame.querySelector('.ap-skeleton[role="status"]')).not.toBeNull()
    expect($('.ap-view--dashboard')).toBeNull()

    // The chunk arrives: the view replaces the frame, focus follows, and its own skeleton waits for the data.
    gates.invoices.open()
    const view = await vi.waitFor(() => {
      const found = $('.ap-view--invoices')
      expect(found).not.toBeNull()
      return found!
    })
    expect(viewArea().querySelectorAll('.ap-view')).toHaveLength(1)
    expect(document.activeElement).toBe(view.querySelector('h1'))
    expect(view.querySelector('.ap-skeleton')).not.toBeNull()
    expect(view.querySelector('table')).toBeNull()

    // Then the data.
    held.forEach((release) => release())
    await vi.waitFor(() => expect(view.querySelector('table')).not.toBeNull())
    expect(view.querySelector('.ap-skeleton')).toBeNull()
  })

  test('pointing at or focusing a nav item prefetches its chunk, so the click shows the view at once', async () => {
    await mount()
    expect(gates.billing.loads).toBe(0)
    // Well before the idle prefetch (a second at the soonest): only the item pointed at loads.
    navItem('billing').dispatchEvent(new Event('pointerenter'))
    await vi.waitFor(() => expect(gates.billing.loads).toBe(1), { timeout: 300 })
    expect(gates.invoices.loads).toBe(0)
    navItem('invoices').focus()
    await vi.waitFor(() => expect(gates.invoices.loads).toBe(1), { timeout: 300 })

    gates.billing.open()
    // Once loaded, navigating mounts the view itself at once, with no stand-in frame.
    await vi.waitFor(() => {
      navItem('dashboard').click()
      navItem('billing').click()
      expect(viewArea().querySelector('.ap-view--billing')).not.toBeNull()
    })
    expect(viewArea().querySelector('.ap-view--loading')).toBeNull()
    expect(gates.billing.loads).toBe(1)
  })

  test('when the browser is idle, the other views’ chunks are prefetched; the pricing cards never are', async () => {
    await mount()
    await vi.waitFor(() => {
      expect(gates.invoices.loads).toBe(1)
      expect(gates.billing.loads).toBe(1)
    }, { timeout: 3000 })
    gates.billing.open()
    gates.invoices.open()
    navItem('billing').click()
    await vi.waitFor(() => expect($('.ap-view--billing .ap-plan-options')).not.toBeNull())
    expect(gates.pricing.loads).toBe(0)
  })

  test('the pricing portal shows its skeleton until its cards’ chunk is there', async () => {
    const { createPricingPortal } = await import('../../src/pricing.js')
    handle = createPricingPortal(el, { publicKey: 'pk_demo', apiUrl: server.apiUrl, fetch: server.fetch, locale: 'en' }) as PortalHandle
    expect($('.ap-pricing .ap-skeleton[role="status"]')).not.toBeNull()
    await vi.waitFor(() => expect(gates.pricing.loads).toBe(1))
    expect($('.ap-plan-card, .ap-pricing__body .ap-card')).toBeNull()
    gates.pricing.open()
    await vi.waitFor(() => expect(el.querySelectorAll('.ap-pricing')).toHaveLength(1))
    await vi.waitFor(() => expect($('.ap-pricing .ap-skeleton')).toBeNull())
    expect($('.ap-pricing__body')!.textContent).not.toBe('')
  })

  test('a chunk that fails to load shows the view’s error with Retry, reports a network error, and Retry loads it', async () => {
    const errors: PortalError[] = []
    await mount({ onError: (error) => errors.push(error) })
    navItem('invoices').click()
    gates.invoices.fail()
    const alert = await vi.waitFor(() => {
      const found = viewArea().querySelector<HTMLElement>('.ap-error[role="alert"]')
      expect(found).not.toBeNull()
      return found!
    })
    expect(alert.textContent).toContain('We couldn’t load your invoices.')
    expect(errors.map((e) => e.code)).toEqual(['network'])
    expect($('nav.ap-sidebar')).not.toBeNull()
    expect(handle!.state.get().status).toBe('active')

    const retry = [...alert.querySelectorAll('button')].find((b) => b.textContent === 'Retry')!
    retry.click()
    gates.invoices.open()
    await vi.waitFor(() => expect($('.ap-view--invoices table')).not.toBeNull())
    expect(gates.invoices.loads).toBe(2)
    expect(viewArea().querySelector('.ap-error')).toBeNull()
  })

  test('the dialog is a chunk too: one that fails to load reports a network error and asks nothing, and the next click loads it', async () => {
    const dialog = { loads: 0, ok: false }
    vi.doMock('../../src/dom/dialog.js', async (importOriginal) => {
      dialog.loads++
      if (!dialog.ok) throw new TypeError('Failed to fetch dynamically imported module: dialog')
      return importOriginal()
    })
    const errors: PortalError[] = []
    await mount({ onError: (error) => errors.push(error) })
    gates.billing.open()
    navItem('billing').click()
    const cancel = await vi.waitFor(() => {
      const found = [...el.querySelectorAll<HTMLButtonElement>('.ap-view--billing button')].find((b) => b.textContent === 'Cancel subscription')
      expect(found).toBeDefined()
      return found!
    })
    cancel.click()
    await vi.waitFor(() => expect(errors.map((e) => e.code)).toContain('network'))
    expect($('[role="dialog"]')).toBeNull()
    await vi.waitFor(() => expect(cancel.disabled).toBe(false))

    dialog.ok = true
    cancel.click()
    await vi.waitFor(() => expect($('[role="dialog"]')).not.toBeNull())
    expect(dialog.loads).toBeGreaterThanOrEqual(2)
  })

  test('leaving before the chunk arrives drops it: the view shown is the one navigated to last', async () => {
    await mount()
    navItem('invoices').click()
    navItem('dashboard').click()
    gates.invoices.open()
    await vi.waitFor(() => expect($('.ap-view--dashboard .ap-plan__name')).not.toBeNull())
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect($('.ap-view--invoices')).toBeNull()
    expect(viewArea().querySelectorAll('.ap-view')).toHaveLength(1)
  })
})
