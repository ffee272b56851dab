import type { PortalError } from '../api/types.js'
import { h } from '../dom/h.js'
import type { Translate } from '../i18n/translate.js'

/**
 * What both portals show in place of their content when the session is `expired` or in
 * `error`: a heading the portal may focus, why, Retry (error only) and the return link.
 */
export function sessionPanel(
  t: Translate,
  state: { status: 'expired' } | { status: 'error'; error: PortalError },
  retry: () => void,
  returnHref?: string,
): HTMLElement {
  const expired = state.status === 'expired'
  const body = expired ? t('state.expired.body') : t(state.error.code === 'unauthorized' ? 'state.unauthorized.body' : 'state.error.body')
  return h(
    'section',
    { class: `ap-session-panel ap-session-panel--${state.status}`, role: 'alert' },
    h('h1', { class: 'ap-session-panel__title', tabindex: '-1' }, t(expired ? 'state.expired.title' : 'state.error.title')),
    h('p', null, body),
    h(
      'div',
      { class: 'ap-session-panel__actions' },
      !expired && h('button', { type: 'button', class: 'ap-button ap-button--primary', onClick: retry }, t('state.retry')),
      returnHref && h('a', { class: 'ap-button ap-button--secondary', href: returnHref }, t('nav.return')),
    ),
  )
}
