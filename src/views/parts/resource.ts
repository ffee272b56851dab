import type { PortalError } from '../../api/types.js'
import { h, replaceChildren, type Child } from '../../dom/h.js'
import { toPortalError, type Resource, type ResourceStore } from '../../stores/resource.js'
import type { ViewContext } from '../context.js'
import { button } from './buttons.js'

/** Resources in a view: the skeleton while loading, the error with Retry, and the data once there. */

/** Grey blocks while the first load runs; screen readers hear "Loading…" once. */
export function skeleton(ctx: ViewContext, rows = 3): HTMLElement {
  const blocks: HTMLElement[] = []
  for (let i = 0; i < rows; i++) blocks.push(h('div', { class: 'ap-skeleton__row', 'aria-hidden': 'true' }))
  return h('div', { class: 'ap-skeleton', role: 'status' }, h('span', { class: 'ap-sr-only' }, ctx.t('state.loading')), blocks)
}

/** An alert with the server's message as text and a Retry button. */
export function errorPanel(ctx: ViewContext, title: string, error: PortalError, retry: () => void): HTMLElement {
  return h(
    'div',
    { class: 'ap-error', role: 'alert' },
    h('p', { class: 'ap-error__title' }, title),
    h('p', { class: 'ap-error__message' }, error.message),
    button(ctx.t('state.retry'), retry),
  )
}

/** What a view binds to: a client store, or several joined (`joined`); Retry reloads it. */
export interface Bindable<T> {
  subscribe(listener: (state: Resource<T>) => void): () => void
  reload(): Promise<unknown>
}

export interface ResourceRender<T> {
  /** Rows of skeleton for the first load. */
  skeletonRows?: number
  errorTitle: string
  render(data: T): Child
}

/**
 * Renders a resource into `host`: skeleton on the first load, the data once ready (kept,
 * marked busy, while reloading), and an error with Retry that keeps what was shown. A
 * focused button that a re-render replaces gets focus back through its `data-ap-focus` key.
 * The binding ends with the view.
 */
export function bindResource<T>(ctx: ViewContext, host: HTMLElement, store: ResourceStore<T> | Bindable<T>, view: ResourceRender<T>): () => void {
  /** Data the view could not render (JSON of another shape): shown as an error until data that renders arrives. */
  let unreadable: PortalError | undefined
  /** The last data that rendered: what stays shown beside that error. */
  let rendered: T | undefined
  const stop = store.subscribe((state) => {
    if (ctx.signal.aborted) return
    const focusKey = focusedKey(host)
    const retry = () => void store.reload()
    const shown: Child[] = []
    // The unreadable data again, while a Retry loads: the error stays rather than throwing (and reporting) once more.
    if (state.data !== undefined && !(unreadable && state.status === 'loading')) {
      try {
        shown.push(view.render(state.data))
        rendered = state.data
        unreadable = undefined
      } catch (thrown) {
        unreadable = toPortalError(thrown)
        ctx.report(unreadable)
      }
    }
    if (unreadable && rendered !== undefined) shown.push(view.render(rendered))
    const error = state.status === 'error' ? state.error : unreadable
    if (error) shown.unshift(errorPanel(ctx, view.errorTitle, error, retry))
    else if (state.data === undefined && state.status === 'loading') shown.push(skeleton(ctx, view.skeletonRows))
    if (state.status === 'loading' && state.data !== undefined) host.setAttribute('aria-busy', 'true')
    else host.removeAttribute('aria-busy')
    replaceChildren(host, shown)
    restoreFocus(host, focusKey)
  })
  ctx.signal.addEventListener('abort', stop, { once: true })
  return stop
}

function focusedKey(host: HTMLElement): string | null {
  const active = host.ownerDocument.activeElement
  if (!active || !host.contains(active)) return null
  return active.closest('[data-ap-focus]')?.getAttribute('data-ap-focus') ?? ''
}

function restoreFocus(host: HTMLElement, key: string | null): void {
  if (key === null || host.contains(host.ownerDocument.activeElement)) return
  const target = key ? byFocusKey(host, key) : undefined
  ;(target ?? host.closest('.ap-view')?.querySelector<HTMLElement>('h1'))?.focus()
}

/** The element with this `data-ap-focus` key, compared as text: keys hold server ids, which may not be safe in a selector. */
export function byFocusKey(scope: ParentNode | null | undefined, key: string): HTMLElement | undefined {
  return Array.from(scope?.querySelectorAll<HTMLElement>('[data-ap-focus]') ?? []).find((el) => el.getAttribute('data-ap-focus') === key)
}
