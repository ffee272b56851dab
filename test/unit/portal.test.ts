import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { readTokenExpiry } from '../../src/api/token.js'
import { safeHref } from '../../src/dom/href.js'
import { createPortal } from '../../src/index.js'
import type { PortalHandle, PortalOptions } from '../../src/types.js'
import { createTestPortal, type TestPortal } from '../helpers/portal.js'

let portal: TestPortal
let el: HTMLElement
let handles: PortalHandle[] = []

beforeEach(() => {
  portal = createTestPortal()
  el = document.createElement('div')
  document.body.appendChild(el)
})
afterEach(async () => {
  for (const handle of handles) handle.destroy()
  handles = []
  vi.useRealTimers()
  vi.restoreAllMocks()
  document.body.textContent = ''
  await portal.close()
})

/** Records every request; `hold` lets a test keep responses back. */
function transport() {
  const requests: Request[] = []
  const fetch = vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
    requests.push(new Request(input, init))
    return portal.fetch(input, init)
  })
  return { fetch: fetch as unknown as typeof globalThis.fetch, requests }
}

async function mount(options: Partial<PortalOptions> = {}, customer = 'cus_active') {
  const token = options.token ?? (await portal.token(customer))
  const handle = createPortal(el, { apiUrl: portal.apiUrl, fetch: portal.fetch, locale: 'en', ...options, token })
  handles.push(handle)
  return handle
}

const $ = <E extends Element = HTMLElement>(selector: string) => el.querySelector<E>(selector)
const $$ = (selector: string) => [...el.querySelectorAll<HTMLElement>(selector)]
const navButton = (label: string) => $$('.ap-nav__item').find((b) => b.textContent === label)!
const currentNav = () => $$('[aria-current="page"]').map((b) => b.textContent)
const h1s = () => $$('main h1').filter((h) => !h.closest('[hidden]'))
const loaded = () => vi.waitFor(() => expect($('.ap-view [aria-busy], .ap-skeleton')).toBeNull())

describe('mount', () => {
  test('a sidebar (labelled nav, logo slot, return link) and the dashboard in main', async () => {
    await mount({ config: { returnHref: '/account', logo: 'https://cdn.example.com/logo.svg' } })
    const root = $('.ap-portal')!
    expect(root.parentElement).toBe(el)
    expect(root.getAttribute('lang')).toBe('en')
    const nav = $('nav')!
    expect(nav.getAttribute('aria-label')).toBe('Customer portal')
    expect($$('nav button').map((b) => b.textContent)).toEqual(['Dashboard', 'Invoices', 'Billing'])
    expect(currentNav()).toEqual(['Dashboard'])
    expect($('[data-ap-slot="logo"] img')?.getAttribute('alt')).toBe('Logo')
    expect($('[data-ap-slot="logo"] img')?.getAttribute('src')).toBe('https://cdn.example.com/logo.svg')
    expect($<HTMLAnchorElement>('a.ap-return')?.getAttribute('href')).toBe('/account')
    expect($('a.ap-return')?.textContent).toContain('Back')
    expect($$('main')).toHaveLength(1)
    expect($('[aria-live="polite"]')).not.toBeNull()
    await vi.waitFor(() => expect($('.ap-plan__name')?.textContent).toBe('Pro'))
    expect(h1s()).toHaveLength(1)
    expect(h1s()[0].textContent).toBe('Dashboard')
    // Mounting does not steal the host page's focus.
    expect(document.activeElement).toBe(document.body)
  })

  test('a Node logo is appended as is; no return link without returnHref', async () => {
    const logo = document.createElement('svg')
    await mount({ config: { logo } })
    expect($('[data-ap-slot="logo"]')?.firstChild).toBe(logo)
    expect($('a.ap-return')?.hidden).toBe(true)
  })

  test('defaultView picks the first view', async () => {
    await mount({ defaultView: 'invoices' })
    expect(currentNav()).toEqual(['Invoices'])
    await vi.waitFor(() => expect($('.ap-view--invoices')).not.toBeNull())
  })

  test('the locale defaults to the browser’s at mount time', async () => {
    vi.spyOn(navigator, 'language', 'get').mockReturnValue('de-DE')
    await mount({ locale: undefined })
    await vi.waitFor(() => expect($$('nav button').map((b) => b.textContent)).toEqual(['Übersicht', 'Rechnungen', 'Abrechnung']))
    expect($('.ap-portal')?.getAttribute('lang')).toBe('de-DE')
  })

  test('a locale still loading holds the view back: no English flash, one request', async () => {
    const t = transport()
    await mount({ locale: 'ja-JP', fetch: t.fetch })
    expect($('.ap-view')).toBeNull()
    expect(t.requests).toHaveLength(0)
    await vi.waitFor(() => expect(currentNav()).toEqual(['ダッシュボード']))
    await loaded()
    const paths = t.requests.map((r) => new URL(r.url).pathname)
    expect(paths).toContain('/api/portal/session')
    expect(new Set(paths).size).toBe(paths.length) // nothing fetched twice
  })

  test('config colours reach the root as custom properties', async () => {
    await mount({ config: { primary: '#1c1c1c', secondary: '#f5f5f5', colorScheme: 'dark' } })
    const root = $('.ap-portal')!
    expect(root.style.getPropertyValue('--ap-primary')).toBe('#1c1c1c')
    // The text colours come with the colour maths' chunk.
    await vi.waitFor(() => expect(root.style.getPropertyValue('--ap-on-primary')).toBe('#ffffff'))
    expect(root.style.getPropertyValue('--ap-on-secondary')).toBe('#111111')
    expect(root.getAttribute('data-color-scheme')).toBe('dark')
  })
})

test('with a colour to compute, its colours show at once and nothing is drawn on them before their text colours (a chunk)', async () => {
  vi.resetModules() // a page whose colour maths have not loaded yet
  const { createPortal: createFresh } = await import('../../src/index.js')
  handles.push(createFresh(el, { apiUrl: portal.apiUrl, fetch: portal.fetch, locale: 'en', token: await portal.token('cus_active'), config: { primary: 'rgb(28 28 28)' } }))
  const root = $('.ap-portal')!
  expect(root.style.getPropertyValue('--ap-primary')).toBe('rgb(28 28 28)') // never the default colour first
  expect($$('nav button').map((b) => b.textContent)).toEqual(['', '', ''])
  expect($('.ap-view-host')!.childElementCount).toBe(0)
  await vi.waitFor(() => expect(navButton('Dashboard')).toBeDefined())
  expect(root.style.getPropertyValue('--ap-on-primary')).toBe('#ffffff')
  await loaded()
})

describe('navigation', () => {
  test('switching views: aria-current moves, the old view goes, focus lands on the new h1', async () => {
    await mount()
    await loaded()
    const dashboard = $('.ap-view--dashboard')
    navButton('Invoices').click()
    expect(currentNav()).toEqual(['Invoices'])
    expect(dashboard?.isConnected).toBe(false)
    expect(h1s()).toHaveLength(1)
    expect(document.activeElement).toBe(h1s()[0])
    expect(h1s()[0].getAttribute('tabindex')).toBe('-1')
    await vi.waitFor(() => expect($$('.ap-view--invoices tbody tr').length).toBeGreaterThan(0))
    navButton('Billing').click()
    expect(currentNav()).toEqual(['Billing'])
    expect(document.activeElement?.textContent).toBe(h1s()[0].textContent)
    expect($$('.ap-view')).toHaveLength(1)
  })

  test('leaving a view aborts its requests; a late response renders nothing', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const signals: AbortSignal[] = []
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input).endsWith('/session')) {
        signals.push(init!.signal!)
        await gate
      }
      return portal.fetch(String(input), { ...init, signal: undefined })
    }) as typeof globalThis.fetch
    await mount({ fetch })
    await vi.waitFor(() => expect(signals).toHaveLength(1))
    navButton('Invoices').click()
    expect(signals[0].aborted).toBe(true)
    release()
    await vi.waitFor(() => expect($$('.ap-view--invoices tbody tr').length).toBeGreaterThan(0))
    expect($('.ap-view--dashboard')).toBeNull()
    expect($('.ap-plan__name')).toBeNull()
  })
})

describe('option errors are TypeErrors naming the option', () => {
  const valid = async () => ({ token: await portal.token('cus_active') })
  test.each<[string, (base: PortalOptions) => [unknown, unknown]]>([
    ['el', (o) => [null, o]],
    ['el', (o) => [{}, o]],
    ['token', () => [el, {}]],
    ['token', () => [el, { token: '' }]],
    ['token', () => [el, { token: 'not-a-jwt' }]],
    ['defaultView', (o) => [el, { ...o, defaultView: 'settings' }]],
    ['config.primary', (o) => [el, { ...o, config: { primary: 'not a colour' } }]],
    ['config.accent', (o) => [el, { ...o, config: { accent: '#12345' } }]],
    ['config.returnHref', (o) => [el, { ...o, config: { returnHref: 'javascript:alert(1)' } }]],
    ['config.logo', (o) => [el, { ...o, config: { logo: 42 } }]],
    ['apiUrl', (o) => [el, { ...o, apiUrl: 42 }]],
    ['getToken', (o) => [el, { ...o, getToken: 'token' }]],
    ['onError', (o) => [el, { ...o, onError: true }]],
    ['fetch', (o) => [el, { ...o, fetch: {} }]],
    ['locale', (o) => [el, { ...o, locale: 'not a locale!' }]],
    ['messages', (o) => [el, { ...o, messages: { 'nav.dashbord': 'Home' } }]],
    ['messages', (o) => [el, { ...o, messages: { 'dashboard.keys.rol': 'Rotate' } }]], // a key the API-keys chunk brings, misspelt
    ['open', (o) => [el, { ...o, open: 'checkout' }]],
    ['open', (o) => [el, { ...o, open: 42 }]],
    ['open', (o) => [el, { ...o, open: { flow: 'cancel', priceId: 'price_pro_month' } }]],
    ['open', (o) => [el, { ...o, open: { flow: 'change-plan' } }]],
    ['syncUrl', (o) => [el, { ...o, syncUrl: 'yes' }]],
  ])('%s', async (option, args) => {
    const [target, options] = args(await valid())
    const call = () => createPortal(target as HTMLElement, options as PortalOptions)
    expect(call).toThrow(TypeError)
    expect(call).toThrow(new RegExp(option.replace('.', '\\.')))
    expect(el.childNodes).toHaveLength(0)
  })

  // One URL rule for options and links (issue 14): validation once let ftp: and mailto: through.
  test('config.returnHref follows the same rule as every link the portal draws (safeHref)', async () => {
    const options = await valid()
    for (const returnHref of ['ftp://files.example.com/', 'mailto:billing@example.com', 'java\nscript:alert(1)', 'file:///etc/passwd']) {
      expect(safeHref(returnHref), returnHref).toBeNull()
      expect(() => createPortal(el, { ...options, config: { returnHref } }), returnHref).toThrow(/config\.returnHref must be an http\(s\) or relative URL/)
    }
    for (const returnHref of ['https://example.com/account', '/account', 'account']) {
      expect(safeHref(returnHref)).toBe(returnHref)
      expect(() => createPortal(el, { ...options, config: { returnHref } }).destroy()).not.toThrow()
    }
  })

  test('update validates too, and applies nothing on error', async () => {
    const handle = await mount()
    expect(() => handle.update({ config: { primary: 'blurple!' } })).toThrow(/config\.primary/)
    expect(() => handle.update({ token: 'x' })).toThrow(/token/)
    expect(() => handle.update({ defaultView: 'home' as 'billing' })).toThrow(/defaultView/)
    expect($('.ap-portal')!.style.getPropertyValue('--ap-primary')).toBe('')
  })
})

describe('update', () => {
  test('applies what changed without remounting the portal', async () => {
    const handle = await mount()
    await loaded()
    const root = $('.ap-portal')
    const view = $('.ap-view')
    handle.update({ config: { primary: '#ff0000', returnHref: '/back' } })
    // Applied whole once the colour maths' chunk is in.
    await vi.waitFor(() => expect(root!.style.getPropertyValue('--ap-primary')).toBe('#ff0000'))
    expect($('a.ap-return')?.getAttribute('href')).toBe('/back')
    expect($('.ap-view')).toBe(view) // a theme change leaves the view alone

    handle.update({ locale: 'fr' })
    await vi.waitFor(() => expect($$('nav button').map((b) => b.textContent)).toEqual(['Tableau de bord', 'Factures', 'Facturation']))
    expect($('.ap-portal')).toBe(root)
    expect($('.ap-view')).not.toBe(view) // re-rendered in the new locale

    handle.update({ messages: { 'nav.billing': 'Payments' } })
    expect(navButton('Payments')).toBeDefined()

    handle.update({ defaultView: 'billing' })
    expect(currentNav()).toEqual(['Payments'])
    await vi.waitFor(() => expect($('.ap-view--billing')).not.toBeNull())
    expect($('.ap-portal')).toBe(root)
  })

  test('a new onError is the one called; the same options again change nothing', async () => {
    const first = vi.fn()
    const second = vi.fn()
    const options = { onError: first, config: { primary: '#123456' } }
    const handle = await mount(options)
    await loaded()
    const view = $('.ap-view')
    handle.update({ ...options })
    expect($('.ap-view')).toBe(view)
    handle.update({ onError: second })
    handle.update({ token: 'x.eyJleHAiOjF9.y' }) // exp in 1970: expired on arrival
    expect(handle.state.get().status).toBe('expired')
    expect(first).not.toHaveBeenCalled()
    expect(second).toHaveBeenCalledTimes(1)
  })
})

describe('session', () => {
  test('expires at exp with no request, shows the panel, then resumes on a new token without remounting', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] })
    const onError = vi.fn()
    const t = transport()
    const token = await portal.token('cus_active', 120)
    const handle = await mount({ token, fetch: t.fetch, onError, config: { returnHref: '/login' } })
    await vi.waitFor(() => expect($('.ap-plan__name')?.textContent).toBe('Pro'))
    // The dashboard's on-demand parts (chart, API keys, alerts) load once the browser is idle
    // after the first frame: once they have, what follows counts only what the expiry asks.
    const paths = () => t.requests.map((request) => new URL(request.url).pathname.split('/').pop())
    await vi.waitFor(() => expect(paths()).toEqual(expect.arrayContaining(['usage', 'api-keys', 'usage-alerts'])))
    const root = $('.ap-portal')
    const requests = t.requests.length
    await vi.advanceTimersByTimeAsync(readTokenExpiry(token) * 1000 - Date.now() - 1)
    expect(handle.state.get()).toEqual({ status: 'active' })
    await vi.advanceTimersByTimeAsync(1)
    expect(handle.state.get()).toEqual({ status: 'expired' })
    expect(t.requests.length).toBe(requests)
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'session_expired' }))
    const panel = $('.ap-session-panel')!
    expect(panel.getAttribute('role')).toBe('alert')
    expect(panel.textContent).toContain('Your session has expired')
    expect(panel.querySelector('a')?.getAttribute('href')).toBe('/login')
    expect($('.ap-view')).toBeNull()

    handle.update({ token: await portal.token('cus_active') })
    expect(handle.state.get()).toEqual({ status: 'active' })
    expect($('.ap-session-panel')).toBeNull()
    expect($('.ap-portal')).toBe(root)
    await vi.waitFor(() => expect($('.ap-plan__name')?.textContent).toBe('Pro'))
    expect(onError).toHaveBeenCalledTimes(1)
  })

  test('with getToken the token is renewed 60 s ahead and the panel never shows', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] })
    const onError = vi.fn()
    const t = transport()
    const token = await portal.token('cus_active', 120)
    // Minted up front: signing is real async crypto, which fake time would outrun.
    const renewed = await portal.token('cus_active', 600)
    const getToken = vi.fn(async () => renewed)
    const handle = await mount({ token, fetch: t.fetch, onError, getToken })
    await loaded()
    const exp = readTokenExpiry(token) * 1000
    await vi.advanceTimersByTimeAsync(exp - 60_000 - Date.now() - 1)
    expect(getToken).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(getToken).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(120_000) // well past the first token's exp
    expect(handle.state.get()).toEqual({ status: 'active' })
    expect($('.ap-session-panel')).toBeNull()
    expect(onError).not.toHaveBeenCalled()
    navButton('Invoices').click()
    await vi.waitFor(() => expect($$('.ap-view--invoices tbody tr').length).toBeGreaterThan(0))
    expect(t.requests.at(-1)?.headers.get('authorization')).toBe(`Bearer ${renewed}`)
    expect(getToken).toHaveBeenCalledTimes(1)
  })

  test('a 401 unauthorized shows the error panel once; Retry brings the view back', async () => {
    const onError = vi.fn()
    let refuse = true
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) =>
      refuse
        ? new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'Invalid portal token' } }), { status: 401 })
        : portal.fetch(input, init)) as typeof globalThis.fetch
    const handle = await mount({ fetch, onError })
    await vi.waitFor(() => expect(handle.state.get().status).toBe('error'))
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError).toHaveBeenCalledWith({ code: 'unauthorized', message: 'Invalid portal token', status: 401 })
    const panel = $('.ap-session-panel')!
    expect(panel.textContent).toContain('Something went wrong')
    refuse = false
    ;[...panel.querySelectorAll('button')].find((b) => b.textContent === 'Retry')!.click()
    expect(handle.state.get()).toEqual({ status: 'active' })
    await vi.waitFor(() => expect($('.ap-plan__name')?.textContent).toBe('Pro'))
    expect(onError).toHaveBeenCalledTimes(1)
  })
})

describe('safety', () => {
  test('an XSS payload in the customer name, plan name and invoice number renders as text', async () => {
    const payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    const db = new Database(portal.filename)
    db.prepare(`UPDATE customers SET name = ? WHERE custom_uid = 'cus_active'`).run(payload)
    db.prepare(`UPDATE plans SET name = ? WHERE id = 'plan_pro'`).run(payload)
    db.prepare(`UPDATE invoices SET number = ?`).run(payload)
    db.close()
    await mount()
    await vi.waitFor(() => expect($('.ap-plan__name')?.textContent).toBe(payload))
    expect($('.ap-customer__name')?.textContent).toBe(payload)
    navButton('Invoices').click()
    await vi.waitFor(() => expect($('.ap-view--invoices tbody')?.textContent).toContain(payload))
    navButton('Billing').click()
    await loaded()
    expect(el.querySelector('img, script')).toBeNull()
    expect((window as unknown as { __xss?: number }).__xss).toBeUndefined()
  })
})

describe('destroy', () => {
  test('removes every node, is harmless twice, and nothing is written after it', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] })
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const onError = vi.fn()
    // A transport that ignores abort and answers late.
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      await gate
      return portal.fetch(String(input), { ...init, signal: undefined })
    }) as typeof globalThis.fetch
    const handle = await mount({ fetch, onError, token: await portal.token('cus_active', 120) })
    const root = $('.ap-portal')!
    const writes: MutationRecord[] = []
    const observer = new MutationObserver((records) => writes.push(...records))
    handle.destroy()
    expect(el.childNodes).toHaveLength(0)
    observer.observe(el, { subtree: true, childList: true, attributes: true, characterData: true })
    observer.observe(root, { subtree: true, childList: true, attributes: true, characterData: true })
    handle.destroy()
    release()
    await vi.advanceTimersByTimeAsync(3600_000)
    await new Promise((resolve) => queueMicrotask(() => resolve(undefined)))
    expect(writes.splice(0)).toEqual(observer.takeRecords())
    expect(writes).toEqual([])
    expect(onError).not.toHaveBeenCalled()
    expect(vi.getTimerCount()).toBe(0)
    handle.update({ defaultView: 'billing' }) // ignored after destroy
    expect(el.childNodes).toHaveLength(0)
  })

  test('1,000 mount / destroy cycles leave no listeners or timers behind', async () => {
    const token = await portal.token('cus_active')
    const live = new Map<ReturnType<typeof setTimeout>, true>()
    const realSetTimeout = globalThis.setTimeout
    const realClearTimeout = globalThis.clearTimeout
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      const id = realSetTimeout(() => {
        live.delete(id)
        fn()
      }, ms)
      live.set(id, true)
      return id
    }) as typeof setTimeout)
    vi.spyOn(globalThis, 'clearTimeout').mockImplementation(((id?: ReturnType<typeof setTimeout>) => {
      if (id !== undefined) live.delete(id)
      realClearTimeout(id)
    }) as typeof clearTimeout)
    const listeners = new Map<EventTarget, number>()
    const add = EventTarget.prototype.addEventListener
    const remove = EventTarget.prototype.removeEventListener
    vi.spyOn(EventTarget.prototype, 'addEventListener').mockImplementation(function (this: EventTarget, ...args) {
      listeners.set(this, (listeners.get(this) ?? 0) + 1)
      return add.apply(this, args)
    })
    vi.spyOn(EventTarget.prototype, 'removeEventListener').mockImplementation(function (this: EventTarget, ...args) {
      listeners.set(this, (listeners.get(this) ?? 0) - 1)
      return remove.apply(this, args)
    })

    for (let i = 0; i < 1000; i++) {
      const handle = createPortal(el, { token, apiUrl: portal.apiUrl, fetch: portal.fetch, locale: 'en' })
      handle.destroy()
    }
    await vi.waitFor(() => expect(live.size).toBe(0))
    expect(el.childNodes).toHaveLength(0)
    // Listeners may only remain on nodes that left the document with the portal.
    const lingering = [...listeners].filter(([target, count]) => count > 0 && (target === window || target === document || (target instanceof Node && target.isConnected)))
    expect(lingering).toEqual([])
  }, 60_000)
})
