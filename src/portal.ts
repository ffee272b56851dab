import { atom, onSet } from 'nanostores'
import type { Session } from './api/types.js'
import { h } from './dom/h.js'
import { createNav, hiddenViews } from './shell/nav.js'
import { createShell, type WithClient } from './shell/shell.js'
import type { DeepLinks } from './shell/deep-link.js'
import type { OpenTarget, PortalHandle, PortalOptions, ViewName } from './types.js'
import type { MessageKey } from './i18n/messages.js'
import { validatePortalOptions, VIEW_NAMES } from './validate.js'
import { views } from './views/index.js'
import { prefetch } from './views/lazy.js'
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
  const nav = createNav(VIEW_NAMES, navigate, (name) => prefetch(views[name]))
  const shell = createShell<WithClient<PortalOptions>>(el, {
    options,
    validate: (next) => validatePortalOptions(next, false),
    keep: ['token'],
    className: 'ap-portal',
    // The layout is the size container (sidebar -> top bar below 640 px).
    layout: (viewHost, panelHost) => h('div', { class: 'ap-layout' }, nav.el, h('main', { class: 'ap-main' }, viewHost, panelHost)),
    view: () => views[$view.get()](),
    placeholder(ctx) {
      const name = $view.get()
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
  let links: Promise<DeepLinks> | undefined
  const deepLinks = () => (links ??= import('./shell/deep-link.js').then((m) => m.createDeepLinks(shell, $view)))
  if (options.open || options.syncUrl) void deepLinks()

  function navigate(name: ViewName, open?: OpenTarget) {
    if (shell.destroyed) return
    if (!VIEW_NAMES.includes(name)) throw new TypeError(`navigate(): unknown view ${JSON.stringify(name)}`)
    if (open) return void deepLinks().then((router) => !shell.destroyed && router.go(open))
    if ($view.get() === name && shell.hasView()) return shell.root.querySelector<HTMLElement>('.ap-view-host h1')?.focus()
    $view.set(name)
  }

  // A view whose every section the seller turned off (`features`, in the account) leaves the
  // nav. Observed, not subscribed: the nav makes no request and holds none in flight.
  const showFeatures = (session?: Session) => {
    const hidden = hiddenViews(session?.features)
    nav.hide(hidden)
    if (hidden.includes($view.get())) $view.set('dashboard')
  }
  const stopFeatures = onSet(shell.client.stores.account, ({ newValue }) => newValue.data && showFeatures(newValue.data))
  showFeatures(shell.client.stores.account.get().data)

  const stopView = $view.listen((name) => {
    nav.markCurrent(name)
    shell.mountView(true)
  })

  return {
    state: shell.$state,
    error: shell.$error,
    update(next) {
      shell.update(next, ({ changed }) => {
        const open = changed('open') ? shell.opts.open : undefined
        if (open) void deepLinks().then((router) => !shell.destroyed && router.go(open))
        const nextView = changed('defaultView') ? (shell.opts.defaultView ?? 'dashboard') : undefined
        if (!nextView || nextView === $view.get()) return false
        $view.set(nextView)
        return true
      })
    },
    destroy() {
      if (shell.destroyed) return
      stopView()
      stopFeatures()
      void links?.then((router) => router.destroy())
      shell.destroy()
    },
  }
}
