import { atom } from 'nanostores'
import { createApiClient } from './api/client.js'
import type { PortalError } from './api/types.js'
import { confirmDialog } from './dom/dialog.js'
import { h, replaceChildren } from './dom/h.js'
import { createLiveRegion } from './dom/live.js'
import { createFormatters } from './i18n/format.js'
import type { MessageKey } from './i18n/messages.js'
import { createTranslator, resolveLocale, whenLocaleReady } from './i18n/translate.js'
import { createErrorReporter } from './session/errors.js'
import { createSessionMachine } from './session/machine.js'
import { sessionPanel } from './session/panel.js'
import { applyTheme } from './theme/index.js'
import type { PortalConfig, PortalHandle, PortalOptions, SessionState, ViewName } from './types.js'
import { validatePortalOptions, VIEW_NAMES } from './validate.js'
import type { ViewContext, ViewOptions } from './views/context.js'
import { views } from './views/index.js'

/**
 * Mounts the customer portal into `el`: a sidebar (logo, navigation, return link), the
 * current view in `<main>`, and the session's expired / error panels over it. One
 * instance per mount; `update` applies only what changed; `destroy` leaves nothing.
 */
export function createPortal(el: HTMLElement, options: PortalOptions): PortalHandle {
  validatePortalOptions(options, true, el)
  let opts: PortalOptions = { ...options }
  let locale = resolveLocale(opts.locale)
  let t = createTranslator(locale, opts.messages)
  let format = createFormatters(locale)
  let destroyed = false
  const doc = el.ownerDocument

  const errors = createErrorReporter(opts.onError)
  const machine = createSessionMachine({
    token: opts.token,
    getToken: opts.getToken,
    errors,
    // Back to active: the view reloads; focus follows if it was on the panel or in the view.
    onResume: () => {
      mountView(resumeFocus || focusInside())
      resumeFocus = false
    },
  })
  let resumeFocus = false
  const $view = atom<ViewName>(opts.defaultView ?? 'dashboard')
  const $viewOptions = atom<ViewOptions>(viewOptions())

  // --- DOM -----------------------------------------------------------------------
  const live = createLiveRegion()
  const logoSlot = h('div', { class: 'ap-logo', 'data-ap-slot': 'logo' })
  let coreLogo: Node | undefined
  const navButtons = VIEW_NAMES.map((name) =>
    h('button', { type: 'button', class: 'ap-nav__item', 'data-view': name, onClick: () => navigate(name) }),
  )
  const navList = h('ul', { class: 'ap-nav__list' }, navButtons.map((button) => h('li', null, button)))
  const returnLink = h('a', { class: 'ap-return' })
  const nav = h('nav', { class: 'ap-sidebar' }, logoSlot, navList, returnLink)
  const viewHost = h('div', { class: 'ap-view-host' })
  const panelHost = h('div', { class: 'ap-session-panel-host' })
  const main = h('main', { class: 'ap-main' }, viewHost, panelHost)
  // The layout is the size container (sidebar -> top bar below 640 px). Dialogs are
  // appended to the root, outside it: containment would trap their fixed position.
  const root = h('div', { class: 'ap-portal' }, h('div', { class: 'ap-layout' }, nav, main), live.el)

  let view: { controller: AbortController; destroy?(): void } | undefined

  function viewOptions(): ViewOptions {
    return { stripePubKey: opts.stripePubKey, config: opts.config ?? {}, locale, loadStripe: opts.loadStripe }
  }

  function renderChrome() {
    root.setAttribute('lang', locale)
    nav.setAttribute('aria-label', t('nav.label'))
    navButtons.forEach((button, i) => (button.textContent = t(`nav.${VIEW_NAMES[i]}` as MessageKey)))
    markCurrent()
    const config: PortalConfig = opts.config ?? {}
    // Only the node the core put in is replaced: an adapter may render its own logo into the slot.
    coreLogo?.parentNode?.removeChild(coreLogo)
    coreLogo = typeof config.logo === 'string' ? h('img', { src: config.logo, alt: t('logo.alt') }) : config.logo
    if (coreLogo) logoSlot.appendChild(coreLogo)
    if (config.returnHref) {
      returnLink.setAttribute('href', config.returnHref)
      replaceChildren(returnLink, h('span', { 'aria-hidden': 'true' }, '← '), t('nav.return'))
      returnLink.hidden = false
    } else {
      returnLink.removeAttribute('href')
      returnLink.hidden = true
    }
    renderPanel(machine.$state.get())
  }

  function markCurrent() {
    for (const button of navButtons) {
      if (button.dataset.view === $view.get()) button.setAttribute('aria-current', 'page')
      else button.removeAttribute('aria-current')
    }
  }

  function focusInside(): boolean {
    return root.contains(doc.activeElement)
  }

  // --- views ---------------------------------------------------------------------
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
    if (destroyed || machine.$state.get().status !== 'active') return
    const controller = new AbortController()
    const name = $view.get()
    const ctx: ViewContext = {
      api: createApiClient({
        apiUrl: opts.apiUrl ?? '/api/portal',
        getToken: machine.token,
        // Looked up per call, never at import: SSR-safe, and a host's fetch patch applies.
        fetch: opts.fetch ?? ((input, init) => fetch(input, init)),
        signal: controller.signal,
        track: errors.begin,
      }),
      t,
      format,
      announce: (message) => !controller.signal.aborted && live.announce(message),
      report: (error: PortalError) => !controller.signal.aborted && machine.report(error),
      confirm: (o) => confirmDialog(root, { cancelLabel: t('dialog.cancel'), ...o }, controller.signal),
      navigate,
      options: $viewOptions,
      signal: controller.signal,
    }
    const mounted = views[name](ctx)
    view = { controller, destroy: mounted.destroy }
    viewHost.appendChild(mounted.el)
    panelHost.hidden = true
    viewHost.hidden = false
    if (focus) mounted.el.querySelector<HTMLElement>('h1')?.focus()
  }

  function navigate(name: ViewName) {
    if (destroyed) return
    if (!VIEW_NAMES.includes(name)) throw new TypeError(`navigate(): unknown view ${JSON.stringify(name)}`)
    if ($view.get() === name && view) return mounted().querySelector<HTMLElement>('h1')?.focus()
    $view.set(name)
  }

  function mounted(): HTMLElement {
    return viewHost.firstElementChild as HTMLElement
  }

  // --- session panels --------------------------------------------------------------
  function renderPanel(state: SessionState) {
    if (state.status !== 'expired' && state.status !== 'error') {
      panelHost.textContent = ''
      panelHost.hidden = true
      return
    }
    replaceChildren(panelHost, sessionPanel(t, state, () => machine.retry(), opts.config?.returnHref))
    panelHost.hidden = false
    viewHost.hidden = true
  }

  const stopState = machine.$state.listen((state) => {
    if (destroyed) return
    const hadFocus = focusInside()
    if (state.status === 'expired' || state.status === 'error') {
      unmountView()
      renderPanel(state)
      if (hadFocus) panelHost.querySelector<HTMLElement>('h1')?.focus()
    } else {
      resumeFocus = hadFocus
      renderPanel(state)
    }
  })
  const stopView = $view.listen(() => {
    markCurrent()
    mountView(true)
  })

  /** Re-translates the chrome and the view once the locale's table is loaded (at once when it is). */
  function localize(remountView: boolean) {
    const wanted = locale
    whenLocaleReady(wanted, () => !destroyed && locale === wanted, () => {
      t = createTranslator(locale, opts.messages)
      renderChrome()
      if (remountView) mountView(focusInside())
    })
  }

  // --- mount -----------------------------------------------------------------------
  el.appendChild(root)
  // Once connected: a colour only the browser can resolve (a name, oklch()) is probed in place.
  applyTheme(root, opts.config ?? {})
  machine.start()
  // The view waits for its locale's strings (a small chunk, only for non-English) rather
  // than flashing English and fetching twice.
  localize(true)

  return {
    state: machine.$state,
    error: errors.$error,
    update(next) {
      if (destroyed) return
      validatePortalOptions(next, false)
      const has = (key: keyof PortalOptions) => Object.prototype.hasOwnProperty.call(next, key)
      const changed = (key: keyof PortalOptions) => has(key) && next[key] !== prev[key]
      const prev = opts
      opts = { ...opts, ...next, token: next.token ?? opts.token }
      if (has('config')) applyTheme(root, opts.config ?? {})
      if (has('onError')) errors.onError = opts.onError
      if (has('getToken')) machine.setGetToken(opts.getToken)
      if (changed('locale')) {
        locale = resolveLocale(opts.locale)
        format = createFormatters(locale)
      }
      if (has('config') || has('stripePubKey') || has('loadStripe') || has('locale')) $viewOptions.set(viewOptions())

      let remount = changed('locale') || changed('messages') || changed('apiUrl') || changed('fetch')
      // A new token resumes an expired or failed session, which remounts the view itself.
      if (changed('token')) {
        const resuming = machine.$state.get().status !== 'active'
        machine.setToken(opts.token)
        if (resuming) remount = false
      }
      const nextView = changed('defaultView') ? (opts.defaultView ?? 'dashboard') : undefined
      if (nextView && nextView !== $view.get()) {
        $view.set(nextView)
        remount = false
      }
      if (changed('locale') || changed('messages')) localize(remount && view !== undefined)
      else {
        if (has('config')) renderChrome()
        if (remount && view) mountView(focusInside())
      }
    },
    destroy() {
      if (destroyed) return
      destroyed = true
      stopState()
      stopView()
      unmountView()
      machine.destroy()
      live.destroy()
      root.remove()
    },
  }
}
