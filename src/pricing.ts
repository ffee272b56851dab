import { atom } from 'nanostores'
import { createApiClient } from './api/client.js'
import { confirmDialog } from './dom/dialog.js'
import { h, replaceChildren } from './dom/h.js'
import { createLiveRegion } from './dom/live.js'
import { createFormatters } from './i18n/format.js'
import { createTranslator, resolveLocale, whenLocaleReady } from './i18n/translate.js'
import { createErrorReporter } from './session/errors.js'
import { createSessionMachine, type SessionMachine } from './session/machine.js'
import { sessionPanel } from './session/panel.js'
import { applyTheme } from './theme/index.js'
import type { PortalHandle, PortalOptions, PricingOptions, SessionState } from './types.js'
import { fail, validatePortalOptions } from './validate.js'
import type { ViewContext, ViewOptions } from './views/context.js'
import { safeHref } from './dom/href.js'
import { pricingView, type PricingSettings } from './views/pricing.js'

/** Programmer errors, caught at the call: a TypeError naming the option. On `update`, only the keys present are checked. */
export function validatePricingOptions(options: Partial<PricingOptions>, initial: boolean, el?: unknown): void {
  if (initial && (el as Node | null)?.nodeType !== 1) fail('createPricingPortal(el, options): el', 'an HTMLElement', el)
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options)
  const has = (key: keyof PricingOptions) => options[key] !== undefined
  if ((initial || has('publicKey')) && (typeof options.publicKey !== 'string' || options.publicKey === '')) {
    fail('publicKey', "a non-empty string: your app's public key", options.publicKey)
  }
  // The options both portals share (token, getToken, apiUrl, config, locale, messages...) are checked alike.
  validatePortalOptions(options as Partial<PortalOptions>, false)
  if (has('period') && options.period !== 'month' && options.period !== 'year') fail('period', '"month" or "year"', options.period)
  if (has('plans') && !(Array.isArray(options.plans) && options.plans.every((id) => typeof id === 'string'))) {
    fail('plans', 'an array of plan ids (strings)', options.plans)
  }
  for (const key of ['title', 'description', 'featuredPlanId', 'signupHref', 'onSelect'] as const) {
    const type = key === 'onSelect' ? 'function' : 'string'
    if (has(key) && typeof options[key] !== type) fail(key, `a ${type}`, options[key])
  }
  if (has('signupHref') && safeHref(options.signupHref) === null) fail('signupHref', 'an http(s) or relative URL', options.signupHref)
}

/**
 * Mounts the pricing portal into `el`: plans as cards for a visitor (no token, the
 * public plans of `publicKey`) or for a signed-in customer (a token: their current plan
 * marked, plan changes in place). Same lifecycle as `createPortal`: one instance per
 * mount, `update` applies what changed without a remount, `destroy` leaves nothing.
 */
export function createPricingPortal(el: HTMLElement, options: PricingOptions): PortalHandle<PricingOptions> {
  validatePricingOptions(options, true, el)
  let opts: PricingOptions = { ...options }
  let locale = resolveLocale(opts.locale)
  let t = createTranslator(locale, opts.messages)
  let format = createFormatters(locale)
  let destroyed = false
  /** The first locale table has loaded: until then nothing is shown, rather than English for a moment. */
  let ready = false
  const $state = atom<SessionState>({ status: 'idle' })
  /** One for the portal's life: a visitor's failures and each signed-in session's report here. */
  const errors = createErrorReporter(opts.onError)
  const $settings = atom<PricingSettings>(settings())
  const $viewOptions = atom<ViewOptions>(viewOptions())
  const live = createLiveRegion()
  const viewHost = h('div', { class: 'ap-view-host' })
  const panelHost = h('div', { class: 'ap-session-panel-host', hidden: true })
  const root = h('div', { class: 'ap-portal ap-portal--pricing' }, viewHost, panelHost, live.el)
  const doc = el.ownerDocument
  let view: AbortController | undefined
  /** Only while a token is given: a visitor has no session to expire. */
  let machine: SessionMachine | undefined
  let stopMachine: (() => void) | undefined

  function settings(): PricingSettings {
    const { publicKey, title, description, featuredPlanId, plans, period, onSelect, signupHref } = opts
    return { publicKey, signedIn: !!opts.token, title, description, featuredPlanId, plans, period, onSelect, signupHref }
  }

  function viewOptions(): ViewOptions {
    return { stripePubKey: opts.stripePubKey, config: opts.config ?? {}, locale, loadStripe: opts.loadStripe }
  }

  function signIn(token: string) {
    if (machine) return machine.setToken(token)
    const session = createSessionMachine({ token, getToken: opts.getToken, errors, onResume: () => mountView() })
    machine = session
    stopMachine = session.$state.listen((state) => {
      if (destroyed || machine !== session) return
      $state.set(state)
      showState(state)
    })
    session.start()
  }

  function signOut() {
    stopMachine?.()
    machine?.destroy()
    machine = stopMachine = undefined
    $state.set({ status: 'active' })
    errors.clear()
    showState($state.get())
  }

  function showState(state: SessionState) {
    if (state.status === 'expired' || state.status === 'error') {
      const hadFocus = root.contains(doc.activeElement)
      unmountView()
      replaceChildren(panelHost, sessionPanel(t, state, () => machine?.retry(), opts.config?.returnHref))
      panelHost.hidden = false
      if (hadFocus) panelHost.querySelector<HTMLElement>('h1')?.focus()
    } else if (!panelHost.hidden) {
      replaceChildren(panelHost)
      panelHost.hidden = true
      // `onResume` remounts after the machine's own transitions; a sign-out has none.
      if (!machine) mountView()
    }
  }

  function unmountView() {
    view?.abort()
    view = undefined
    viewHost.textContent = ''
  }

  function mountView() {
    unmountView()
    const status = $state.get().status
    if (destroyed || !ready || status === 'expired' || status === 'error') return
    const controller = new AbortController()
    const ctx: ViewContext = {
      api: createApiClient({
        apiUrl: opts.apiUrl ?? '/api/portal',
        getToken: () => machine?.token() ?? '',
        fetch: opts.fetch ?? ((input, init) => fetch(input, init)),
        signal: controller.signal,
        track: errors.begin,
      }),
      t,
      format,
      announce: (message) => !controller.signal.aborted && live.announce(message),
      report: (error) => {
        if (controller.signal.aborted) return
        // A visitor has no session to expire: every failure is just reported.
        if (machine) machine.report(error)
        else errors.report(error)
      },
      confirm: (o) => confirmDialog(root, { cancelLabel: t('dialog.cancel'), ...o }, controller.signal),
      // One view: nothing to navigate to.
      navigate: () => undefined,
      options: $viewOptions,
      signal: controller.signal,
    }
    view = controller
    viewHost.appendChild(pricingView(ctx, $settings).el)
  }

  /** Translates and remounts once the locale's table is loaded (at once when it is). */
  function localize() {
    const wanted = locale
    whenLocaleReady(wanted, () => !destroyed && locale === wanted, () => {
      t = createTranslator(locale, opts.messages)
      root.setAttribute('lang', locale)
      ready = true
      mountView()
    })
  }

  el.appendChild(root)
  // Once connected: a colour the theme cannot parse (a name, oklch()) is resolved by the browser.
  applyTheme(root, opts.config ?? {})
  if (opts.token) signIn(opts.token)
  else $state.set({ status: 'active' })
  localize()

  return {
    state: $state,
    error: errors.$error,
    update(next) {
      if (destroyed) return
      validatePricingOptions(next, false)
      const has = (key: keyof PricingOptions) => Object.prototype.hasOwnProperty.call(next, key)
      const changed = (key: keyof PricingOptions) => has(key) && next[key] !== prev[key]
      const prev = opts
      opts = { ...opts, ...next, publicKey: next.publicKey ?? opts.publicKey }
      if (has('config')) applyTheme(root, opts.config ?? {})
      if (has('onError')) errors.onError = opts.onError
      if (has('getToken')) machine?.setGetToken(opts.getToken)

      if (changed('locale')) {
        locale = resolveLocale(opts.locale)
        format = createFormatters(locale)
      }
      if (has('config') || has('stripePubKey') || has('loadStripe') || has('locale')) $viewOptions.set(viewOptions())

      // A token signs the visitor in (or resumes an expired session); taking it away signs out.
      if (has('token') && next.token !== prev.token) {
        if (next.token) signIn(next.token)
        else signOut()
      }
      $settings.set(settings())
      if (changed('locale') || changed('messages')) localize()
      else if ((changed('apiUrl') || changed('fetch')) && view) mountView()
    },
    destroy() {
      if (destroyed) return
      destroyed = true
      stopMachine?.()
      machine?.destroy()
      unmountView()
      live.destroy()
      root.remove()
    },
  }
}
