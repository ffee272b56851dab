import { atom } from 'nanostores'
import type { Session } from './api/types.js'
import type { Resource } from './stores/index.js'
import { h } from './dom/h.js'
import { createNav, hiddenViews } from './shell/nav.js'
import { createShell, type WithClient } from './shell/shell.js'
import type { DeepLinks } from './shell/deep-link.js'
import type { OpenTarget, PortalHandle, PortalOptions, ViewName } from './types.js'
import type { MessageKey } from './i18n/messages.js'
import { validatePortalOptions, VIEW_NAMES } from './validate.js'
import { views } from './views/index.js'
import { prefetch } from './views/lazy.js'
import type { View, ViewContext } from './views/context.js'
import { viewRoot } from './views/parts/layout.js'
import { skeleton } from './views/parts/resource.js'

/** Skeleton rows of each view's first load: its stand-in while its chunk loads shows as many. */
const SKELETON_ROWS: Record<ViewName, number> = { dashboard: 6, invoices: 5, billing: 6 }

/**
 * Mounts the customer portal into `el`: a sidebar (logo, navigation, return link), the
 * current view in `<main>`, and the session's expired / error panels over it. One
 * instance per mount; `update` applies only what changed; `destroy` leaves nothing.
 */
export function createPortal(el: HTMLElement, options: WithClient<PortalOptions>): PortalHandle {
  validatePortalOptions(options, true, el)
  // Under `syncUrl` a hash naming a view wins; every flow `open` names is on the billing view.
  const hashView = (options.syncUrl && el.ownerDocument.location.hash.slice(1).split('/')[0]) as ViewName
  const $view = atom<ViewName>(VIEW_NAMES.includes(hashView) ? hashView : options.open ? 'billing' : (options.defaultView ?? 'dashboard'))
  /** The views the seller turned off (`features`, in the account): unknown until the account answers. */
  let hidden: readonly ViewName[] | undefined
  let answer!: () => void
  /** The account has answered (or failed): a view that waits for the features may mount. */
  const answered = new Promise<void>((resolve) => (answer = resolve))
  /** Whether the next view shown takes focus (a move the customer made) or leaves it where it is. */
  let focusNext = true
  /** The features turned the view shown off: the portal is landing on another (the account's listeners run first). */
  let landing = false
  const nav = createNav(VIEW_NAMES, navigate, (name) => prefetch(views[name]))

  /** `name`, or the first view that is on when the seller turned it off. */
  const landOn = (name: ViewName) => (hidden?.includes(name) ? VIEW_NAMES.find((view) => !hidden!.includes(view))! : name)
  function show(name: ViewName, focus = true) {
    focusNext = focus
    $view.set(landOn(name))
  }

  // A view whose every section the seller turned off leaves the nav. Until the account
  // answers, the nav's items wait for it, so one that is off never shows.
  const learn = ({ status, data }: Resource<Session>) => {
    if (data) {
      hidden = hiddenViews(data.features)
      nav.hide(hidden)
      // The view shown is off: land on another, leaving focus where it was and handing the account over to it.
      if (hidden.includes($view.get())) {
        landing = true
        show($view.get(), false)
      }
    } else if (status === 'error' && !hidden) nav.hide([]) // features unknown: every view is on, as with a backend that sends none
    if (data || status === 'error') answer()
  }
  /**
   * Until the features are known, each view mounted listens to the account for them, and
   * lets go when it is left: on the dashboard that is the dashboard's own request; on
   * another view, the one it waits for (and then takes over, with no second request).
   */
  const watch = (ctx: ViewContext) => {
    if (hidden) return
    const stop = ctx.client.stores.account.listen(learn)
    // Left, it lets go at once (a request stops, the next view loads the account afresh), but
    // a microtask on when landing on another view: that one takes the answer over, with no second request.
    ctx.signal.addEventListener('abort', () => (landing ? queueMicrotask(stop) : stop()))
  }
  nav.hide(VIEW_NAMES)
  // A shared client may know the account already.
  if (options.client) learn(options.client.stores.account.get())

  const shell = createShell<WithClient<PortalOptions>>(el, {
    options,
    validate: (next) => validatePortalOptions(next, false),
    keep: ['token'],
    className: 'ap-portal',
    // The layout is the size container (sidebar -> top bar below 640 px).
    layout: (viewHost, panelHost) => h('div', { class: 'ap-layout' }, nav.el, h('main', { class: 'ap-main' }, viewHost, panelHost)),
    view() {
      const name = $view.get()
      const loaded = views[name]()
      if (hidden) return loaded
      // A view the seller may turn off waits for the features (its chunk loads meanwhile, its
      // stand-in watches), so one that is off is never asked for its data. The dashboard is always on.
      if (name !== 'dashboard') return Promise.all([answered, loaded]).then(([, view]) => view)
      return (ctx) => (watch(ctx), (loaded as View)(ctx))
    },
    placeholder(ctx) {
      const name = $view.get()
      watch(ctx)
      // Not yet `.ap-view--<name>`: that is the view itself, which replaces this frame.
      const { el, body } = viewRoot('loading', ctx.t(`${name}.title` as MessageKey))
      body.appendChild(skeleton(ctx, SKELETON_ROWS[name]))
      return { el, body, errorTitle: ctx.t(`${name}.error` as MessageKey) }
    },
    prefetch: () => VIEW_NAMES.forEach((name) => prefetch(views[name])),
    navigate,
    renderChrome(t, opts) {
      nav.render(t, opts.config ?? {})
      nav.markCurrent($view.get())
    },
  })
  // Deep links (`open`, `syncUrl`, a view starting another's flow) load on demand: most portals use none.
  // They start once the views that are on are known: a link into one that is off lands on one that is on.
  let links: Promise<DeepLinks> | undefined
  const deepLinks = () =>
    (links ??= Promise.all([import('./shell/deep-link.js'), answered]).then(([m]) =>
      m.createDeepLinks(shell, { get: $view.get, listen: $view.listen, set: (name) => show(name) }),
    ))
  if (options.open || options.syncUrl) void deepLinks()

  function navigate(name: ViewName, open?: OpenTarget) {
    if (shell.destroyed) return
    if (!VIEW_NAMES.includes(name)) throw new TypeError(`navigate(): unknown view ${JSON.stringify(name)}`)
    if (open) return void deepLinks().then((router) => !shell.destroyed && router.go(open))
    if ($view.get() === name && shell.hasView()) return shell.root.querySelector<HTMLElement>('.ap-view-host h1')?.focus()
    show(name)
  }

  const stopView = $view.listen((name) => {
    nav.markCurrent(name)
    shell.mountView(focusNext)
    landing = false
  })

  return shell.handle(
    ({ changed }) => {
      const open = changed('open') ? shell.opts.open : undefined
      if (open) void deepLinks().then((router) => !shell.destroyed && router.go(open))
      const nextView = changed('defaultView') ? landOn(shell.opts.defaultView ?? 'dashboard') : undefined
      if (!nextView || nextView === $view.get()) return false
      show(nextView)
      return true
    },
    () => {
      stopView()
      void links?.then((router) => router.destroy())
    },
  )
}
