import { h, type Child } from '../../dom/h.js'
import { safeHref } from '../../dom/href.js'

/** Layout: the view's root, cards, the empty state and outbound links. */

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

export function emptyState(title: string, body?: string, action?: HTMLElement): HTMLElement {
  return h('div', { class: 'ap-empty' }, h('p', { class: 'ap-empty__title' }, title), body && h('p', { class: 'ap-empty__body' }, body), action)
}

/** A link that opens outside the portal without giving the new page a handle on it. */
export function externalLink(href: string, text: string, ariaLabel?: string): HTMLAnchorElement {
  // The one URL rule again at the last step: an unsafe URL makes no link at all.
  return h('a', { class: 'ap-link', href: safeHref(href), target: '_blank', rel: 'noopener noreferrer', 'aria-label': ariaLabel }, text)
}
