import { h, safeHref } from './kit.js'

/**
 * A link that opens outside the portal without giving the new page a handle on it. Only
 * the invoices view draws one (hosted invoice and PDF), so it is not in the core's kit.
 */
export function externalLink(href: string, text: string, ariaLabel?: string): HTMLAnchorElement {
  // The one URL rule again at the last step: an unsafe URL makes no link at all.
  return h('a', { class: 'ap-link', href: safeHref(href), target: '_blank', rel: 'noopener noreferrer', 'aria-label': ariaLabel }, text)
}
