/**
 * The API-keys card's door in the core bundle: the card's frame (so the dashboard's layout
 * never waits) and, on demand, ./api-keys-card.ts, which lists the keys and creates, rolls
 * and revokes them, with its English strings. The frame uses only the title and the error,
 * which stay in the core's table.
 */
import { h } from '../../dom/h.js'
import { loadFlows } from '../../flows/lazy.js'
import { withEnglish } from '../../i18n/translate.js'
import type { ViewContext } from '../context.js'
import { withKit } from '../parts/core-kit.js'
import { card } from '../parts/layout.js'
import { loadPart } from '../parts/on-demand.js'

export function apiKeysCard(ctx: ViewContext, readOnly: boolean): HTMLElement {
  const actions = h('div', { class: 'ap-card__actions' })
  const revealHost = h('div', { class: 'ap-reveal-host' })
  const listHost = h('div')
  const el = card(ctx.t('dashboard.keys.title'), actions, revealHost, listHost)
  loadPart(
    ctx,
    listHost,
    // The card runs flows (create, roll, revoke): their chunk comes with it.
    () => Promise.all([import('./api-keys-card.js').then(withKit), loadFlows()]),
    ([part]) => withEnglish(part.english, part).fillApiKeysCard(ctx, { el, actions, revealHost, listHost, readOnly }),
    'dashboard.keys.error',
  )
  return el
}
