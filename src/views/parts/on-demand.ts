import { h, replaceChildren } from '../../dom/h.js'
import type { MessageKey } from '../../i18n/messages.js'
import type { ViewContext } from '../context.js'
import { button } from './buttons.js'

/**
 * A part of a view whose code is a chunk of its own: "Loading…" in `host` until `load`
 * brings it, then `mount` (unless the view was left meanwhile). A chunk that does not
 * arrive (offline, a deploy replaced it) shows `errorKey`'s text with Retry.
 */
export function loadPart<T>(ctx: ViewContext, host: HTMLElement, load: () => Promise<T>, mount: (part: T) => void, errorKey: MessageKey): void {
  const attempt = () => {
    replaceChildren(host, h('p', { class: 'ap-muted', role: 'status' }, ctx.t('state.loading')))
    load().then(
      (part) => !ctx.signal.aborted && mount(part),
      () => replaceChildren(host, h('p', { class: 'ap-form__error', role: 'alert' }, ctx.t(errorKey)), button(ctx.t('state.retry'), attempt)),
    )
  }
  attempt()
}
