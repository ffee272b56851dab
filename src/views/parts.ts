import type { PortalError, Price, Subscription, SubscriptionStatus } from '../api/types.js'
import { isAbortError, newIdempotencyKey } from '../api/client.js'
import { h, replaceChildren, type Child } from '../dom/h.js'
import type { ResourceStore } from '../session/resource.js'
import { createResource, toPortalError } from '../session/resource.js'
import type { MutationRequestOptions, ViewContext } from './context.js'

/** Small building blocks every view shares: cards, badges and the loading / empty / error states. */

let nextId = 0
/** Ids unique within the page, for `aria-labelledby` / `aria-controls`. */
export function uid(prefix: string): string {
  return `ap-${prefix}-${++nextId}`
}

/** The view's root: one `h1` (the shell focuses it on navigation) above a body. */
export function viewRoot(name: string, title: string): { el: HTMLElement; body: HTMLElement } {
  const headingId = uid('h')
  const body = h('div', { class: 'ap-view__body' })
  const el = h(
    'section',
    { class: `ap-view ap-view--${name}`, 'aria-labelledby': headingId },
    h('h1', { id: headingId, class: 'ap-view__title', tabindex: '-1' }, title),
    body,
  )
  return { el, body }
}

export function card(title: string, ...children: Child[]): HTMLElement {
  const headingId = uid('card')
  return h('section', { class: 'ap-card', 'aria-labelledby': headingId }, h('h2', { id: headingId, class: 'ap-card__title' }, title), ...children)
}

export type Tone = 'success' | 'info' | 'warning' | 'danger' | 'neutral'

const STATUS_TONE: Record<SubscriptionStatus, Tone> = { trialing: 'info', active: 'success', past_due: 'danger', canceled: 'neutral' }

/** One badge per subscription status, and one for a scheduled cancellation (its date is `subscriptionDate`'s). */
export function statusBadge(ctx: ViewContext, sub: Subscription): HTMLElement {
  if (sub.cancel_at_period_end && sub.status !== 'canceled') return badge(ctx.t('dashboard.status.canceling'), 'warning')
  return badge(ctx.t(`dashboard.status.${sub.status}`), STATUS_TONE[sub.status] ?? 'neutral')
}

/**
 * Renewal, trial end, scheduled end or when it ended: the one date that matters for this
 * subscription. A canceled one ended at `ended_at` (a cancellation at once may come long
 * before the period end); a backend that leaves it out gets no date rather than a wrong one.
 */
export function subscriptionDate(ctx: ViewContext, sub: Subscription): string | null {
  const { t, format } = ctx
  if (sub.status === 'canceled') {
    const ended = sub.ended_at ?? sub.canceled_at
    return ended ? t('dashboard.canceledOn', { date: format.date(ended) }) : null
  }
  if (sub.cancel_at_period_end) return t('dashboard.endsOn', { date: format.date(sub.current_period_end) })
  if (sub.status === 'trialing' && sub.trial_end !== null) return t('dashboard.trialEnds', { date: format.date(sub.trial_end) })
  return t('dashboard.renews', { date: format.date(sub.current_period_end) })
}

/** One mutation's request options: its own Idempotency-Key (so the client may retry it safely), stopped with the view. */
export function once(ctx: ViewContext): MutationRequestOptions {
  return { idempotencyKey: newIdempotencyKey(), signal: ctx.signal }
}

export function badge(text: string, tone: Tone): HTMLElement {
  return h('span', { class: `ap-badge ap-badge--${tone}` }, text)
}

/** Grey blocks while the first load runs; screen readers hear "Loading…" once. */
export function skeleton(ctx: ViewContext, rows = 3): HTMLElement {
  const blocks: HTMLElement[] = []
  for (let i = 0; i < rows; i++) blocks.push(h('div', { class: 'ap-skeleton__row', 'aria-hidden': 'true' }))
  return h('div', { class: 'ap-skeleton', role: 'status' }, h('span', { class: 'ap-sr-only' }, ctx.t('state.loading')), blocks)
}

export function emptyState(title: string, body?: string, action?: HTMLElement): HTMLElement {
  return h('div', { class: 'ap-empty' }, h('p', { class: 'ap-empty__title' }, title), body && h('p', { class: 'ap-empty__body' }, body), action)
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

export function button(label: string, onClick: () => void, variant: ButtonVariant = 'secondary', attrs: Record<string, string> = {}): HTMLButtonElement {
  return h('button', { type: 'button', class: `ap-button ap-button--${variant}`, ...attrs, onClick }, label)
}

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'link'

export interface ActionOptions {
  label: string
  /** The accessible name when the visible label alone is ambiguous ("Remove" -> "Remove Visa ending in 4242"). */
  ariaLabel?: string
  variant?: ButtonVariant
  /** Lets a re-render give focus back to this button's replacement (see `bindResource`). */
  focusKey?: string
  /** Asked before the request; resolving false does nothing. Runs before the button turns busy, so focus can return to it. */
  confirm?: () => Promise<boolean>
  /** The request. Resolves to what screen readers should hear, if anything. */
  run: () => Promise<string | void>
  /** Shows a failure in place (e.g. in a form); the failure is announced and reported either way. */
  onError?: (error: PortalError) => void
}

/**
 * A button that runs one request at a time: disabled and `aria-busy` while it runs (a
 * double click sends one request), its outcome announced, its failure reported.
 */
export function actionButton(ctx: ViewContext, options: ActionOptions): HTMLButtonElement {
  let busy = false
  const el = h(
    'button',
    { type: 'button', class: `ap-button ap-button--${options.variant ?? 'secondary'}`, 'aria-label': options.ariaLabel, 'data-ap-focus': options.focusKey, onClick: () => void trigger() },
    options.label,
  )
  async function trigger(): Promise<void> {
    if (busy) return
    busy = true
    try {
      if (options.confirm && !(await options.confirm())) return
      if (ctx.signal.aborted) return
      setBusy(el, true)
      await runAction(ctx, options.run, options.onError)
    } finally {
      busy = false
      setBusy(el, false)
    }
  }
  return el
}

/** Runs a request for a button or a form: announces the outcome and hands failures to the session. */
export async function runAction(ctx: ViewContext, run: () => Promise<string | void>, onError?: (error: PortalError) => void): Promise<boolean> {
  try {
    const outcome = await run()
    if (!ctx.signal.aborted && outcome) ctx.announce(outcome)
    return true
  } catch (error) {
    if (ctx.signal.aborted || isAbortError(error)) return false
    const portalError = toPortalError(error)
    ctx.report(portalError)
    ctx.announce(portalError.message)
    onError?.(portalError)
    return false
  }
}

export function setBusy(el: HTMLButtonElement, busy: boolean): void {
  el.disabled = busy
  if (busy) el.setAttribute('aria-busy', 'true')
  else el.removeAttribute('aria-busy')
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

/**
 * An `href` only when it is http(s) or relative: `javascript:`, `data:` and the like are
 * dropped. Parsed the way the browser will parse it, so "java\nscript:" is caught too.
 */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null
  try {
    const { protocol } = new URL(url, 'https://base.invalid/')
    return protocol === 'https:' || protocol === 'http:' ? url : null
  } catch {
    return null
  }
}

/** A link that opens outside the portal without giving the new page a handle on it. */
/** "$49.00 / month" */
export function priceText(ctx: ViewContext, price: Price): string {
  const amount = ctx.format.money(price.amount, price.currency)
  return ctx.t(price.period === 'year' ? 'dashboard.price.year' : 'dashboard.price.month', { amount })
}

export function externalLink(href: string, text: string, ariaLabel?: string): HTMLAnchorElement {
  return h('a', { class: 'ap-link', href, target: '_blank', rel: 'noopener noreferrer', 'aria-label': ariaLabel }, text)
}
