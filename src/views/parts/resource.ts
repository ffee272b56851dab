import type { PortalError } from '../../api/types.js'
import { h, replaceChildren, type Child } from '../../dom/h.js'
import { createResource, type ResourceStore } from '../../session/resource.js'
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
 */
export function bindResource<T>(ctx: ViewContext, host: HTMLElement, store: ResourceStore<T>, view: ResourceRender<T>): () => void {
  return store.$state.subscribe((state) => {
    if (ctx.signal.aborted) return
    const focusKey = focusedKey(host)
    const retry = () => void store.reload()
    const shown: Child[] = []
    if (state.status === 'error') shown.push(errorPanel(ctx, view.errorTitle, state.error, retry))
    if (state.data !== undefined) shown.push(view.render(state.data))
    else if (state.status === 'loading') shown.push(skeleton(ctx, view.skeletonRows))
    if (state.status === 'loading' && state.data !== undefined) host.setAttribute('aria-busy', 'true')
    else host.removeAttribute('aria-busy')
    replaceChildren(host, shown)
    restoreFocus(host, focusKey)
  })
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

/** A resource tied to the view: stops when the view is left; its failures reach the session. */
export function loadResource<T>(ctx: ViewContext, load: (signal: AbortSignal) => Promise<T>): ResourceStore<T> {
  return createResource(load, { signal: ctx.signal, onError: ctx.report })
}
