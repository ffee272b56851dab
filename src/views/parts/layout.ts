import { h, type Child } from '../../dom/h.js'

/** Layout: the view's root, cards and the empty state. */

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
