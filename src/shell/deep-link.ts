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
 *
 * While a flow's dialog or form is open, the view marks it `data-ap-flow="<flow>"` (with
 * `data-price-id` for a plan change's preview) and closes it on an `ap-close` event. Under
 * `syncUrl` that is how the hash follows a flow the customer opens in the view, and how
 * back/forward close it.
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
  /** The open flow's hash and how many flows were open, as last seen: only a change is the customer's doing. */
  let seen = { hash: '', count: 0 }
  /**
   * The hashes of the history entries under the current one, as far as known (nearest
   * last): each route we pushed from, or moved forward from onto one of its flows. Closing
   * a flow onto exactly the nearest steps back to it (no dead entry left behind); onto
   * anything else replaces the flow's entry.
   */
  let below: string[] = []
  const nearest = () => below[below.length - 1]

  /** Puts `route` in the hash (under syncUrl); true when that added an entry. */
  function write(route: Route, push: boolean): boolean {
    if (!syncUrl || win.location.hash === toHash(route)) return false
    if (push) win.history.pushState(win.history.state, '', toHash(route))
    else win.history.replaceState(win.history.state, '', toHash(route))
    return push
  }

  function show(route: Route, push: boolean, first = false): void {
    stopFlow()
    // The first route replaces the host's entry: nothing of ours is under it. Back/forward
    // only tells where it went: onto the nearest entry under is back; from a view onto its
    // flow is forward (a flow's entry is pushed from its view); anything else is not known.
    const from = toHash(current)
    const forward = !push && !!route.flow && !current.flow && current.view === route.view
    current = route
    const pushed = write(route, push)
    if (first) below = []
    else if (pushed || forward) below = [...below.slice(-50), from]
    else if (!push) below = toHash(route) === nearest() ? below.slice(0, -1) : []
    view.set(route.view)
    // Back/forward off a flow (or onto another): its dialog or form closes, as its Cancel would.
    const open = openFlow()
    if (open && toHash(open.route) !== toHash(route)) open.el.dispatchEvent(new CustomEvent('ap-close'))
    // That closing was the route's doing, not the customer's.
    seen = openState()
    stopFlow = startFlow(viewHost, route, report)
  }

  /** The flow whose dialog or form is open in the portal, if any (the latest: a dialog over a preview). */
  function openFlow(): { el: HTMLElement; route: Route } | undefined {
    const marked = root.querySelectorAll<HTMLElement>('[data-ap-flow]')
    const el = marked[marked.length - 1]
    const flow = el?.getAttribute('data-ap-flow') as FlowName | null
    if (!el || !flow) return undefined
    const priceId = el.getAttribute('data-price-id')
    return { el, route: { view: current.view, flow, ...(priceId ? { priceId } : {}) } }
  }
  function openState(): { hash: string; count: number } {
    const open = openFlow()
    return { hash: open ? toHash(open.route) : '', count: root.querySelectorAll('[data-ap-flow]').length }
  }

  // Under syncUrl, a flow the customer opens in the view is a history entry; closing it
  // (done, cancel, Escape) steps back off that entry, so no dead entry is left behind and
  // forward opens it again (or, when the entry before is not where it closes onto, replaces
  // it). A flow the route itself opened is already in the hash.
  function followFlows(): void {
    const now = openState()
    const closed = now.count < seen.count
    const changed = now.hash !== seen.hash
    seen = now
    if (!changed || toHash(current) === now.hash || (!now.hash && !current.flow)) return
    stopFlow()
    const from = current
    current = openFlow()?.route ?? { view: from.view }
    if (closed && nearest() === toHash(current)) {
      // Closed onto the entry under it (its view, or the preview under a dialog): step back to it.
      below.pop()
      win.history.back()
    } else if (!closed && current.flow !== from.flow) {
      // A flow opened: an entry of its own.
      if (write(current, true)) below.push(toHash(from))
    } else {
      // Another price of the same plan change, or closed onto what no entry holds: in place.
      write(current, false)
    }
  }
  const flows = new MutationObserver(followFlows)
  if (syncUrl) flows.observe(root, { childList: true, subtree: true })

  // A move made in the portal (its nav, a view's link) becomes a history entry too.
  const stopView = view.listen((name) => {
    if (name !== current.view) show({ view: name }, true)
  })
  const onPop = () => {
    const route = fromHash(win.location.hash) ?? { view: opts.defaultView ?? 'dashboard' }
    // Our own step back off a flow that closed: the portal is there already.
    if (toHash(route) !== toHash(current)) show(route, false)
  }
  if (syncUrl) win.addEventListener('popstate', onPop)
  // Where the portal starts: a hash naming a view (syncUrl) wins over `open`.
  const initial = (syncUrl && fromHash(win.location.hash)) || (opts.open && routeOf(opts.open))
  // The URL says where the portal is from the start (replacing the entry: no extra step back).
  show(initial || current, false, true)

  return {
    go: (open) => show(routeOf(open), true),
    destroy() {
      stopFlow()
      stopView()
      flows.disconnect()
      win.removeEventListener('popstate', onPop)
    },
  }
}
