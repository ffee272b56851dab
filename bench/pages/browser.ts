/**
 * The browser bench's page (bench/browser.mjs drives it through `window.bench`). It imports
 * the package by name, resolved to the built dist/, as a user's app would, and runs under
 * a strict CSP. All timing happens here, with `performance.now()`, so nothing of the
 * DevTools round trip is counted.
 */
import { createPortal, type PortalHandle, type ViewName } from '@archetypeapi/portals'

const API = '/api/portal'
const TIMEOUT_MS = 15_000
const tokens = new Map<string, string>()

async function token(customer: string): Promise<string> {
  let value = tokens.get(customer)
  if (!value) {
    const response = await fetch(`/token?customer=${encodeURIComponent(customer)}`)
    value = ((await response.json()) as { token: string }).token
    tokens.set(customer, value)
  }
  return value
}

/** The time at which `ready()` first holds, checked on every mutation under `root`. */
function when(root: HTMLElement, ready: () => boolean, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    if (ready()) return resolve(performance.now())
    const observer = new MutationObserver(() => {
      if (!ready()) return
      const at = performance.now()
      observer.disconnect()
      clearTimeout(timer)
      resolve(at)
    })
    const timer = setTimeout(() => {
      observer.disconnect()
      reject(new Error(`${what} did not appear within ${TIMEOUT_MS} ms; the portal shows: ${root.textContent?.slice(0, 300)}`))
    }, TIMEOUT_MS)
    observer.observe(root, { childList: true, subtree: true, characterData: true })
  })
}

/**
 * After the next paint: a `requestAnimationFrame` callback runs just before the frame's
 * style, layout and paint; a message posted from it is handled once that frame is done.
 */
function afterPaint(): Promise<number> {
  return new Promise((resolve) =>
    requestAnimationFrame(() => {
      const channel = new MessageChannel()
      channel.port1.onmessage = () => {
        channel.port1.close()
        resolve(performance.now())
      }
      channel.port2.postMessage(null)
    }),
  )
}

/** The floor: one bare round trip to the same route, body parsed. */
async function bareFetch(path: string, customer: string): Promise<number> {
  const headers = { authorization: `Bearer ${await token(customer)}` }
  const started = performance.now()
  const response = await fetch(API + path, { headers })
  await response.json()
  return performance.now() - started
}

function host(): HTMLElement {
  const el = document.createElement('div')
  el.className = 'bench-host'
  document.body.appendChild(el)
  return el
}

const dashboardReady = (el: HTMLElement) => () => Boolean(el.querySelector('.ap-plan__name')?.textContent && el.querySelector('[role="meter"]'))
const invoiceRows = (el: HTMLElement) => el.querySelectorAll('tr.ap-invoice').length

export interface DashboardTimes {
  floor: number[]
  data: number[]
  painted: number[]
  firstPaint: number[]
}

/** `runs` times: a bare fetch of GET /session, then createPortal until plan and usage are shown (alternating which goes first). */
async function dashboard(runs: number, warmup = 3): Promise<DashboardTimes> {
  const times: DashboardTimes = { floor: [], data: [], painted: [], firstPaint: [] }
  const auth = await token('cus_active')
  for (let i = -warmup; i < runs; i++) {
    const portal = async () => {
      const el = host()
      const started = performance.now()
      // Marks for a performance trace (the README says how to record one); they cost microseconds.
      performance.mark('bench:createPortal')
      const handle = createPortal(el, { token: auth, apiUrl: API, locale: 'en' })
      // The first frame with the dashboard in it: its skeleton's, or its data's when the data comes first.
      const firstPaint = when(el, () => Boolean(el.querySelector('.ap-skeleton, .ap-plan')), 'The dashboard’s skeleton').then(afterPaint)
      const data = await when(el, dashboardReady(el), 'The dashboard’s plan and usage')
      performance.mark('bench:data')
      const painted = await afterPaint()
      performance.mark('bench:painted')
      const first = await firstPaint
      handle.destroy()
      el.remove()
      return [data - started, painted - started, first - started]
    }
    const floorFirst = i % 2 === 0
    const floor = floorFirst ? await bareFetch('/session', 'cus_active') : undefined
    const [data, painted, firstPaint] = await portal()
    const floorAfter = floorFirst ? floor! : await bareFetch('/session', 'cus_active')
    if (i < 0) continue
    times.floor.push(floorAfter)
    times.data.push(data)
    times.painted.push(painted)
    times.firstPaint.push(firstPaint)
  }
  return times
}

export interface InvoiceTimes {
  floor: number[]
  first: number[]
  firstPainted: number[]
  more: number[]
  morePainted: number[]
}

/** The invoices view of cus_many_invoices: first page shown, then "Load more" clicked until the next page is shown. */
async function invoices(runs: number, warmup = 3): Promise<InvoiceTimes> {
  const times: InvoiceTimes = { floor: [], first: [], firstPainted: [], more: [], morePainted: [] }
  const auth = await token('cus_many_invoices')
  for (let i = -warmup; i < runs; i++) {
    const floor = await bareFetch('/invoices?limit=10', 'cus_many_invoices')
    const el = host()
    const started = performance.now()
    const handle = createPortal(el, { token: auth, apiUrl: API, locale: 'en', defaultView: 'invoices' })
    const first = await when(el, () => invoiceRows(el) > 0, 'The first page of invoices')
    const firstPainted = await afterPaint()
    const shown = invoiceRows(el)
    const button = el.querySelector<HTMLButtonElement>('.ap-table-footer button')
    if (!button) throw new Error('The invoices view shows no "Load more" button for cus_many_invoices')
    const clicked = performance.now()
    button.click()
    const more = await when(el, () => invoiceRows(el) > shown, 'The second page of invoices')
    const morePainted = await afterPaint()
    handle.destroy()
    el.remove()
    if (i < 0) continue
    times.floor.push(floor)
    times.first.push(first - started)
    times.firstPainted.push(firstPainted - started)
    times.more.push(more - clicked)
    times.morePainted.push(morePainted - clicked)
  }
  return times
}

// --- steady state -------------------------------------------------------------------

/** GET answers kept after their first network round trip: a server that answers at once. */
const answers = new Map<string, string>()
const quickFetch: typeof fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
  init?.signal?.throwIfAborted()
  const cached = (init?.method ?? 'GET') === 'GET' ? answers.get(url) : undefined
  if (cached !== undefined) return new Response(cached, { status: 200, headers: { 'content-type': 'application/json' } })
  const response = await fetch(input, init)
  const body = await response.text()
  if (response.ok && (init?.method ?? 'GET') === 'GET') answers.set(url, body)
  return new Response(body, { status: response.status, headers: response.headers })
}

interface Cycle {
  view: ViewName
  /** Over loopback, or from the answers kept in memory. */
  network: boolean
  /** Destroyed at once, with its requests in flight, rather than once its data is shown. */
  early: boolean
}

/** The mix over each ten cycles: mostly the dashboard, some invoices and billing, some over the network, one destroyed mid-request. */
export function cycleKind(i: number): Cycle {
  switch (i % 10) {
    case 0: return { view: 'dashboard', network: true, early: false }
    case 5: return { view: 'dashboard', network: true, early: true }
    case 3: return { view: 'invoices', network: false, early: false }
    case 7: return { view: 'billing', network: false, early: false }
    default: return { view: 'dashboard', network: false, early: false }
  }
}

function viewReady(view: ViewName, el: HTMLElement): () => boolean {
  if (view === 'dashboard') return dashboardReady(el)
  if (view === 'invoices') return () => invoiceRows(el) > 0
  // Billing: its account and payment-method cards are in, no skeleton left.
  return () => el.querySelectorAll('.ap-card').length >= 2 && !el.querySelector('.ap-skeleton')
}

/** `count` mount/destroy cycles of the customer portal (see cycleKind); resolves to how many waited for data. */
async function cycles(count: number): Promise<{ waited: number; early: number }> {
  const auth = await token('cus_active')
  let waited = 0
  let early = 0
  for (let i = 0; i < count; i++) {
    const kind = cycleKind(i)
    const el = host()
    const handle: PortalHandle = createPortal(el, { token: auth, apiUrl: API, locale: 'en', defaultView: kind.view, fetch: kind.network ? undefined : quickFetch })
    if (kind.early) early++
    else {
      await when(el, viewReady(kind.view, el), `The ${kind.view} view`)
      waited++
    }
    handle.destroy()
    el.remove()
  }
  // Let anything the portals left scheduled (nothing, if destroy did its job) run before GC.
  await new Promise((resolve) => setTimeout(resolve, 100))
  return { waited, early }
}

const bench = { dashboard, invoices, cycles }
declare global {
  interface Window {
    bench: typeof bench
  }
}
window.bench = bench
document.documentElement.dataset.benchReady = 'true'
