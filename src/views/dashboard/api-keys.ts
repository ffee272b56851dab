/**
 * The API-keys card's door in the core bundle: the card's frame (so the dashboard's layout
 * never waits) and, on demand, ./api-keys-card.ts, which lists the keys and creates, rolls
 * and revokes them. That module gets the helpers it shares with the dashboard as an
 * `ApiKeysKit` and imports only what chunks alone use (its strings, ../parts/actions.ts),
 * so the bundler gives it a chunk of its own, keeping the core under budget. Its English strings travel in that chunk too; the frame uses only the title
 * and the error, which stay in the core's table.
 */
import { h, replaceChildren } from '../../dom/h.js'
import { loadFlows } from '../../flows/lazy.js'
import { addEnglish } from '../../i18n/translate.js'
import type { ViewContext } from '../context.js'
import { button } from '../parts/buttons.js'
import { card, emptyState, uid } from '../parts/layout.js'
import { bindResource, byFocusKey } from '../parts/resource.js'

export const apiKeysKit = { addEnglish, h, replaceChildren, bindResource, button, byFocusKey, emptyState, uid }
export type ApiKeysKit = typeof apiKeysKit

export function apiKeysCard(ctx: ViewContext, readOnly: boolean): HTMLElement {
  const { t } = ctx
  const actions = h('div', { class: 'ap-card__actions' })
  const revealHost = h('div', { class: 'ap-reveal-host' })
  const listHost = h('div')
  const el = card(t('dashboard.keys.title'), actions, revealHost, listHost)
  const load = () => {
    replaceChildren(listHost, h('p', { class: 'ap-muted', role: 'status' }, t('state.loading')))
    // The card runs flows (create, roll, revoke): their chunk comes with it.
    Promise.all([import('./api-keys-card.js'), loadFlows()]).then(
      ([part]) => !ctx.signal.aborted && part.fillApiKeysCard(ctx, { el, actions, revealHost, listHost, readOnly }, apiKeysKit),
      // The card's chunk did not arrive (offline, a deploy replaced it): say so, with Retry.
      () => replaceChildren(listHost, h('p', { class: 'ap-form__error', role: 'alert' }, t('dashboard.keys.error')), button(t('state.retry'), load)),
    )
  }
  load()
  return el
}
