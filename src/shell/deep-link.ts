/**
 * Deep links into the customer portal: `open` starts in a flow, and `syncUrl` keeps the
 * view and flow in the URL hash (`#billing/change-plan`), so back/forward and shared links
 * work. Loaded on demand, only by a portal that uses either.
 *
 * A flow is started the way a customer would start it: its view draws a control marked
 * `data-ap-open="<flow>"` (a button is clicked, a section's first field or button takes
 * focus). A view that has settled without that control (the seller turned the flow off,
 * there is no subscription to cancel, no open invoice to pay, no such price) reports
 * `invalid_config` and stays as it is.
 */
import type { PortalError } from '../api/types.js'
import type { FlowName, OpenTarget, ViewName } from '../types.js'

export interface Route {
  view: ViewName
  flow?: FlowName
  priceId?: string
}

export function routeOf(open: OpenTarget): Route {
  const flow = typeof open === 'string' ? open : open.flow
  const priceId = typeof open === 'string' ? undefined : open.priceId
  return { view: 'billing', flow, ...(priceId ? { priceId } : {}) }
}

// Spelled out here rather than imported: this chunk then shares no module with the core (one file fewer up front).
const VIEW_NAMES: readonly ViewName[] = ['dashboard', 'invoices', 'billing']

export const FLOWS: readonly FlowName[] = ['change-plan', 'cancel', 'add-payment-method', 'billing-details', 'pay-invoice']

/** `#billing/change-plan/price_pro_year` */
export function toHash(route: Route): string {
  return '#' + [route.view, route.flow, route.priceId].filter(Boolean).map((part) => encodeURIComponent(part!)).join('/')
}

/** The route in a hash, or null when it names no view of the portal (the host's own anchor). */
export function fromHash(hash: string): Route | null {
  const [view, flow, priceId] = hash.replace(/^#/, '').split('/').map((part) => decodeURIComponent(part))
  if (!VIEW_NAMES.includes(view as ViewName)) return null
  const route: Route = { view: view as ViewName }
  if (FLOWS.includes(flow as FlowName)) route.flow = flow as FlowName
  if (route.flow === 'change-plan' && priceId) route.priceId = priceId
  return route
}

const SETTLE_MS = 300

/**
 * Starts `route.flow` in the view drawn into `host` once its control is there; reports
 * `invalid_config` when the view has settled (no skeleton, nothing busy, no change for a
 * moment) without it. Returns a stop function (the view left, the portal destroyed).
 */
export function startFlow(host: HTMLElement, route: Route, report: (error: PortalError) => void): () => void {
  if (!route.flow) return () => undefined
  const flow = route.flow
  let timer: ReturnType<typeof setTimeout> | undefined
  const find = (): HTMLElement | undefined => {
    const marked = host.querySelector<HTMLElement>(`[data-ap-open="${flow}"]`)
    if (!marked || !route.priceId) return marked ?? undefined
    // A price is data: compared as text, never put in a selector.
    return Array.from(marked.querySelectorAll<HTMLElement>('[data-price-id]')).find((el) => el.getAttribute('data-price-id') === route.priceId)?.querySelector<HTMLElement>('button') ?? undefined
  }
  const settled = () => host.querySelector('.ap-view') && !host.querySelector('.ap-skeleton, [aria-busy="true"]')
  const stop = () => {
    observer.disconnect()
    clearTimeout(timer)
  }
  const check = () => {
    const target = find()
    if (target) {
      stop()
      act(target)
      return
    }
    clearTimeout(timer)
    timer = setTimeout(() => {
      if (find() || !settled()) return
      stop()
      const what = route.priceId ? `{ flow: 'change-plan', priceId: ${JSON.stringify(route.priceId)} }` : JSON.stringify(flow)
      report({ code: 'invalid_config', message: `open: ${what} is not possible for this customer or is turned off in this portal; showing the ${route.view} view` })
    }, SETTLE_MS)
  }
  const observer = new MutationObserver(check)
  observer.observe(host, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-busy', 'class'] })
  check()
  return stop
}

/** A button is pressed (it opens its form or dialog); a section's first control takes focus. */
function act(target: HTMLElement): void {
  if (target instanceof HTMLButtonElement) return target.click()
  target.scrollIntoView?.({ block: 'nearest' })
  ;(target.querySelector<HTMLElement>('input, select, button') ?? target).focus()
}

export interface DeepLinks {
  /** Starts a flow (on its view), as a new history entry under `syncUrl`. */
  go(open: OpenTarget): void
  destroy(): void
}

/** What the router needs of the portal (its `Shell`): the root, the options, where failures are reported. */
export interface DeepLinkHost {
  readonly root: HTMLElement
  readonly opts: { open?: OpenTarget; syncUrl?: boolean; defaultView?: ViewName }
  readonly client: { report(error: PortalError): void }
  readonly destroyed: boolean
}
export type ViewAtom = { get(): ViewName; set(view: ViewName): void; listen(listener: (view: ViewName) => void): () => void }

/**
 * The portal's router: moves between views and flows, and under `syncUrl` mirrors each
 * move in the URL hash (a new history entry) and follows back/forward (`popstate`).
 */
export function createDeepLinks(portal: DeepLinkHost, view: ViewAtom): DeepLinks {
  const { root, opts } = portal
  const win = root.ownerDocument.defaultView!
  const viewHost = root.querySelector<HTMLElement>('.ap-view-host')!
  const syncUrl = !!opts.syncUrl
  const report = (error: PortalError) => !portal.destroyed && portal.client.report(error)
  let current: Route = { view: view.get() }
  let stopFlow = () => undefined as void

  function write(route: Route, push: boolean): void {
    if (!syncUrl || win.location.hash === toHash(route)) return
    if (push) win.history.pushState(win.history.state, '', toHash(route))
    else win.history.replaceState(win.history.state, '', toHash(route))
  }

  function show(route: Route, push: boolean): void {
    stopFlow()
    current = route
    write(route, push)
    view.set(route.view)
    stopFlow = startFlow(viewHost, route, report)
  }

  // A move made in the portal (its nav, a view's link) becomes a history entry too.
  const stopView = view.listen((name) => {
    if (name !== current.view) show({ view: name }, true)
  })
  const onPop = () => show(fromHash(win.location.hash) ?? { view: opts.defaultView ?? 'dashboard' }, false)
  if (syncUrl) win.addEventListener('popstate', onPop)
  // Where the portal starts: a hash naming a view (syncUrl) wins over `open`.
  const initial = (syncUrl && fromHash(win.location.hash)) || (opts.open && routeOf(opts.open))
  // The URL says where the portal is from the start (replacing the entry: no extra step back).
  show(initial || current, false)

  return {
    go: (open) => show(routeOf(open), true),
    destroy() {
      stopFlow()
      stopView()
      win.removeEventListener('popstate', onPop)
    },
  }
}
