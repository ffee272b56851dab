import { atom, type ReadableAtom } from 'nanostores'
import type { PortalError } from '../api/types.js'
import { createClientWithFlows, type PortalClient } from '../client.js'
import { lazyFlows } from '../flows/lazy.js'
import { h, replaceChildren } from '../dom/h.js'
import { createLiveRegion } from '../dom/live.js'
import { createFormatters } from '../i18n/format.js'
import { createTranslator, resolveLocale, whenLocaleReady, type Translate } from '../i18n/translate.js'
import { applyTheme, whenThemed } from '../theme/index.js'
import type { OpenTarget, PortalHandle, PortalOptions, SessionState, ViewName } from '../types.js'
import type { ViewContext, ViewOptions } from '../views/context.js'
import { prefetch, type ViewLoader } from '../views/lazy.js'
import { errorPanel } from '../views/parts/resource.js'
import { sessionPanel } from './panel.js'

/**
 * The options both portals take alike; each entry adds its own (`defaultView`, `publicKey`...).
 * `client`: one shared with other portals or your own UI (its session, stores and flows);
 * without it the portal makes its own from `token`, `getToken`, `apiUrl` and `fetch`.
 */
export type SharedOptions = Omit<PortalOptions, 'token' | 'defaultView'> & { token?: string; client?: PortalClient }

/**
 * An entry's options, or the same with a shared `client` in place of the `token` (the
 * client holds the session): two portals and the page's own UI on one client share one
 * session, one request per resource, and see each other's changes.
 */
export type WithClient<O extends { token?: string }> = (O & { client?: undefined }) | (Omit<O, 'token'> & { token?: string; client: PortalClient })

export interface ShellSpec<O extends SharedOptions> {
  options: O
  /** Checks an `update()` before anything is applied (throws a TypeError naming the option). */
  validate(next: Partial<O>): void
  /** Keys that `update({ key: undefined })` leaves as they were (the portal's token, the pricing's publicKey). */
  keep: readonly (keyof O)[]
  /** The root's classes. */
  className: string
  /** What goes around the view host and the session panel host (the customer portal's sidebar). */
  layout?(viewHost: HTMLElement, panelHost: HTMLElement): Node
  /** The view to show now: at once when its module is loaded, else once its chunk is. */
  view: ViewLoader
  /**
   * What the view area shows while the view's chunk loads: the view's frame with its
   * skeleton (as the view itself shows until its data is there, so nothing flashes).
   * A chunk that fails to load shows `errorTitle` and Retry in `body`.
   */
  placeholder(ctx: ViewContext): { el: HTMLElement; body: HTMLElement; errorTitle: string }
  /** Loads the views not shown yet, once the browser is idle after the mount. */
  prefetch?(): void
  navigate(name: ViewName, open?: OpenTarget): void
  /** Redraws the entry's own chrome (nav labels, logo, return link) after a locale or config change. */
  renderChrome?(t: Translate, options: O): void
}

/** What changed in one `update()`, for the entry's own options. */
export interface Diff<O> {
  has(key: keyof O): boolean
  changed(key: keyof O): boolean
}

export interface Shell<O extends SharedOptions> {
  readonly root: HTMLElement
  readonly opts: O
  readonly client: PortalClient
  readonly destroyed: boolean
  hasView(): boolean
  mountView(focus: boolean): void
  /**
   * The entry's handle. `update` applies what both portals share (theme, onError, token,
   * locale, the views' options) and remounts the view when the transport or the strings
   * changed; `own` applies the entry's options first, and returning true means it already
   * remounted the view. `destroy` runs the entry's `teardown` first.
   */
  handle(own?: (diff: Diff<O>) => boolean | void, teardown?: () => void): PortalHandle<O>
}

const loadDialog = () => import('../dom/dialog.js')

/**
 * The one shell both portals mount: the root, the view host and the session panels over
 * it, the live region, the session (optional: a pricing visitor has none), localisation
 * and `update()`'s diffing. The entries add only what is theirs (nav, pricing settings).
 */
export function createShell<O extends SharedOptions>(el: HTMLElement, spec: ShellSpec<O>): Shell<O> {
  let opts: O = { ...spec.options }
  let locale = resolveLocale(opts.locale)
  let t = createTranslator(locale, opts.messages)
  let format = createFormatters(locale)
  let destroyed = false
  /** The first locale table has loaded: until then nothing is shown, rather than English for a moment. */
  let ready = false
  const doc = el.ownerDocument
  const $viewOptions = atom<ViewOptions>(viewOptions())
  /** A client given is shared (its owner destroys it); one made here lives and dies with the portal. */
  const owned = !opts.client
  // The portal's own client loads its flows with the views that run them (a headless client has them in its bundle).
  const client = opts.client ?? createClientWithFlows({ token: opts.token, getToken: opts.getToken, apiUrl: opts.apiUrl, fetch: opts.fetch }, lazyFlows)
  const { state: $state } = client
  let view: { controller: AbortController; destroy?(): void } | undefined
  let cancelIdle: (() => void) | undefined

  const live = createLiveRegion()
  const viewHost = h('div', { class: 'ap-view-host' })
  const panelHost = h('div', { class: 'ap-session-panel-host', hidden: true })
  // Dialogs are appended to the root, outside the layout: a size container would trap their fixed position.
  const root = h('div', { class: spec.className }, spec.layout ? spec.layout(viewHost, panelHost) : [viewHost, panelHost], live.el)

  function viewOptions(): ViewOptions {
    return { stripePubKey: opts.stripePubKey, config: opts.config ?? {}, locale, loadStripe: opts.loadStripe }
  }

  const focusInside = () => root.contains(doc.activeElement)

  // --- session ---------------------------------------------------------------------
  const isPanel = (state: SessionState): state is Extract<SessionState, { status: 'expired' | 'error' }> => state.status === 'expired' || state.status === 'error'

  /** Expired / error: the panel over the view. Back to active: the view again, with focus if it was on the panel. */
  function showState(state: SessionState) {
    const hadFocus = focusInside()
    if (isPanel(state)) {
      unmountView()
      renderPanel(state)
      if (hadFocus) panelHost.querySelector<HTMLElement>('h1')?.focus()
    } else {
      renderPanel(state)
      if (!view) mountView(hadFocus)
    }
  }

  function renderPanel(state: SessionState) {
    if (!isPanel(state)) {
      panelHost.textContent = ''
      panelHost.hidden = true
      return
    }
    replaceChildren(panelHost, sessionPanel(t, state, () => client.retry(), opts.config?.returnHref))
    panelHost.hidden = false
    viewHost.hidden = true
  }

  // --- view --------------------------------------------------------------------------
  function unmountView() {
    if (!view) return
    view.controller.abort()
    try {
      view.destroy?.()
    } finally {
      view = undefined
      viewHost.textContent = ''
    }
  }

  /** Mounts the current view afresh; `focus` moves focus to its `h1` (on navigation). */
  function mountView(focus: boolean) {
    unmountView()
    if (destroyed || !ready || isPanel($state.get())) return
    const controller = new AbortController()
    const { signal } = controller
    const ctx: ViewContext = {
      client,
      t,
      format,
      announce: (message) => !signal.aborted && live.announce(message),
      report: (error: PortalError) => !signal.aborted && client.report(error),
      // The dialog is a chunk (prefetched when idle): most visits never ask for a confirmation.
      confirm: (o) =>
        loadDialog().then(
          ({ confirmDialog }) => confirmDialog(h, root, { cancelLabel: t('dialog.cancel'), ...o }, signal),
          () => (ctx.report(chunkError()), false),
        ),
      navigate: spec.navigate,
      options: $viewOptions,
      signal,
    }
    const current: NonNullable<typeof view> = { controller }
    view = current
    const attach = (mounted: { el: HTMLElement; destroy?(): void }, focusView: boolean) => {
      current.destroy = mounted.destroy
      viewHost.appendChild(mounted.el)
      panelHost.hidden = true
      viewHost.hidden = false
      if (focusView) mounted.el.querySelector<HTMLElement>('h1')?.focus()
    }
    const loaded = spec.view()
    if (!(loaded instanceof Promise)) return attach(loaded(ctx), focus)
    // The chunk is on its way: the view's frame and skeleton stand in, focusable like the view.
    const stand = spec.placeholder(ctx)
    attach(stand, focus)
    loaded.then(
      (render) => {
        if (signal.aborted) return
        const hadFocus = stand.el.contains(doc.activeElement)
        stand.el.remove()
        attach(render(ctx), hadFocus)
      },
      () => {
        if (signal.aborted) return
        const error = chunkError()
        ctx.report(error)
        replaceChildren(stand.body, errorPanel(ctx, stand.errorTitle, error, () => mountView(focusInside())))
      },
    )
  }

  /** A chunk that did not load: the network, most likely; Retry (or the next click) loads it again. */
  const chunkError = (): PortalError => ({ code: 'network', message: t('state.error.body') })

  /** Once the browser is idle: the other views' chunks and the dialog's, so what is clicked next shows at once. */
  function prefetchWhenIdle() {
    const win = doc.defaultView
    if (!win) return
    const run = () => {
      cancelIdle = undefined
      if (destroyed) return
      spec.prefetch?.()
      loadDialog().catch(() => undefined)
    }
    if (typeof win.requestIdleCallback === 'function') {
      const handle = win.requestIdleCallback(run, { timeout: 5000 })
      cancelIdle = () => win.cancelIdleCallback(handle)
    } else {
      const handle = win.setTimeout(run, 1000)
      cancelIdle = () => win.clearTimeout(handle)
    }
  }

  // --- locale --------------------------------------------------------------------------
  function renderChrome() {
    root.setAttribute('lang', locale)
    spec.renderChrome?.(t, opts)
    renderPanel($state.get())
  }

  /**
   * Re-translates the chrome, and the view when asked (or first shown), once the locale's table
   * is loaded and a custom colour's text colours are in (their maths are a chunk): no flash of the default ones.
   */
  function localize(remount: boolean) {
    const wanted = locale
    const current = () => !destroyed && locale === wanted
    whenLocaleReady(wanted, current, () => whenThemed(root, current, () => {
      t = createTranslator(locale, opts.messages)
      const first = !ready
      ready = true
      renderChrome()
      if (remount || first) mountView(focusInside())
    }))
  }

  // --- mount ---------------------------------------------------------------------------
  el.appendChild(root)
  // Once connected: a colour only the browser can resolve (a name, oklch()) is probed in place.
  applyTheme(root, opts.config ?? {})
  // Subscribing starts the client's session (idle -> active).
  const stopState = $state.listen((state) => !destroyed && showState(state))
  const stopErrors = client.onError((error) => opts.onError?.(error))
  // The view's chunk (when it has one) loads beside the locale's strings.
  prefetch(spec.view)
  // The view waits for its locale's strings (a small chunk, only for non-English) rather
  // than flashing English and fetching twice.
  localize(true)
  prefetchWhenIdle()

  // --- the entry's handle ------------------------------------------------------------
  function update(next: Partial<O>, own?: (diff: Diff<O>) => boolean | void) {
    if (destroyed) return
    spec.validate(next)
    const prev = opts
    const has = (key: keyof O) => Object.prototype.hasOwnProperty.call(next, key)
    const changed = (key: keyof O) => has(key) && next[key] !== prev[key]
    opts = { ...opts, ...next }
    for (const key of spec.keep) opts[key] = next[key] ?? prev[key]

    if (has('config')) applyTheme(root, opts.config ?? {})
    if (changed('locale')) {
      locale = resolveLocale(opts.locale)
      format = createFormatters(locale)
    }
    if (has('config') || has('stripePubKey') || has('loadStripe') || has('locale')) $viewOptions.set(viewOptions())

    const strings = changed('locale') || changed('messages')
    let remount = strings || changed('apiUrl') || changed('fetch')
    // A token signs a visitor in or resumes an expired or failed session (which remounts
    // the view itself); taking it away signs out. What the client takes, it gets (a shared one too).
    if (isPanel($state.get()) && changed('token')) remount = false
    const forClient = (['token', 'getToken', 'apiUrl', 'fetch'] as const).filter((key) => has(key))
    if (forClient.length) client.update(Object.fromEntries(forClient.map((key) => [key, opts[key]])))
    if (own?.({ has, changed })) remount = false
    if (strings) localize(remount && view !== undefined)
    else {
      if (has('config')) renderChrome()
      if (remount && view) mountView(focusInside())
    }
  }

  function destroy(teardown?: () => void) {
    if (destroyed) return
    teardown?.()
    destroyed = true
    cancelIdle?.()
    stopState()
    stopErrors()
    if (owned) client.destroy()
    unmountView()
    live.destroy()
    root.remove()
  }

  return {
    root,
    get opts() {
      return opts
    },
    client,
    get destroyed() {
      return destroyed
    },
    hasView: () => view !== undefined,
    mountView,
    handle: (own, teardown) => ({
      state: $state,
      error: client.error,
      update: (next) => update(next, own),
      destroy: () => destroy(teardown),
    }),
  }
}
