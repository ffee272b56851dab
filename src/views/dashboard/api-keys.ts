import type { ApiKey, List, RevealedApiKey } from '../../api/types.js'
import { h, replaceChildren } from '../../dom/h.js'
import { createResource } from '../../session/resource.js'
import type { ViewContext } from '../context.js'
import { actionButton, bindResource, button, byFocusKey, card, emptyState, once, uid } from '../parts.js'

/**
 * The customer's API keys, masked, each with Roll. A rolled key's secret is shown once,
 * in a panel above the list, until the user dismisses it or leaves the view; it is never
 * stored anywhere else.
 */
export function apiKeysCard(ctx: ViewContext): HTMLElement {
  const { t } = ctx
  const keys = createResource((signal) => ctx.api.get<List<ApiKey>>('/api-keys', { signal }), {
    signal: ctx.signal,
    // A backend without keys answers 404: the card just hides.
    onError: (error) => {
      if (error.code === 'not_found') el.hidden = true
      else ctx.report(error)
    },
  })
  const revealHost = h('div', { class: 'ap-reveal-host' })
  const listHost = h('div')
  const el = card(t('dashboard.keys.title'), revealHost, listHost)

  function roll(key: ApiKey): HTMLButtonElement {
    return actionButton(ctx, {
      label: t('dashboard.keys.roll'),
      ariaLabel: t('dashboard.keys.rollLabel', { name: key.name }),
      focusKey: `roll-${key.id}`,
      confirm: () =>
        ctx.confirm({
          title: t('dashboard.keys.rollTitle', { name: key.name }),
          body: t('dashboard.keys.rollBody'),
          confirmLabel: t('dashboard.keys.rollConfirm'),
          destructive: true,
        }),
      run: async () => {
        const rolled = await ctx.api.post<RevealedApiKey>(`/api-keys/${encodeURIComponent(key.id)}/roll`, undefined, once(ctx))
        const { secret, ...masked } = rolled
        const current = keys.$state.get().data
        if (current) keys.set({ ...current, data: current.data.map((k) => (k.id === key.id ? masked : k)) })
        reveal(masked, secret)
        return t('dashboard.keys.rolled')
      },
    })
  }

  function reveal(key: ApiKey, secret: string): void {
    const headingId = uid('reveal')
    const code = h('code', { class: 'ap-reveal__secret' }, secret)
    const status = h('p', { class: 'ap-reveal__status' })
    const heading = h('h3', { id: headingId, class: 'ap-reveal__title', tabindex: '-1' }, t('dashboard.keys.revealed', { name: key.name }))
    const copy = button(t('dashboard.keys.copy'), () => void copySecret(ctx, secret, code, status), 'primary', {
      'aria-label': t('dashboard.keys.copyLabel'),
    })
    const dismiss = button(t('dashboard.keys.dismiss'), () => {
      replaceChildren(revealHost)
      byFocusKey(listHost, `roll-${key.id}`)?.focus()
    })
    replaceChildren(
      revealHost,
      h('div', { class: 'ap-reveal', role: 'region', 'aria-labelledby': headingId }, heading, code, h('p', { class: 'ap-reveal__note' }, t('dashboard.keys.once')), status, h('div', { class: 'ap-actions' }, copy, dismiss)),
    )
    heading.focus()
  }

  bindResource(ctx, listHost, keys, {
    errorTitle: t('dashboard.keys.error'),
    skeletonRows: 2,
    render: (list) =>
      list.data.length === 0
        ? emptyState(t('dashboard.keys.empty'))
        : h(
            'ul',
            { class: 'ap-keys' },
            list.data.map((key) =>
              h(
                'li',
                { class: 'ap-key' },
                h('span', { class: 'ap-key__name' }, key.name),
                h('code', { class: 'ap-key__masked' }, key.masked),
                h(
                  'span',
                  { class: 'ap-key__meta' },
                  t('dashboard.keys.created', { date: ctx.format.date(key.created) }),
                  ' · ',
                  key.last_used === null ? t('dashboard.keys.neverUsed') : t('dashboard.keys.lastUsed', { date: ctx.format.date(key.last_used) }),
                ),
                roll(key),
              ),
            ),
          ),
  })
  void keys.reload()
  return el
}

/** Copies through the Clipboard API; where it is missing or refused, selects the key and says how to copy it. */
async function copySecret(ctx: ViewContext, secret: string, code: HTMLElement, status: HTMLElement): Promise<void> {
  try {
    if (!navigator.clipboard?.writeText) throw new Error('no clipboard')
    await navigator.clipboard.writeText(secret)
    status.textContent = ctx.t('dashboard.keys.copied')
  } catch {
    status.textContent = ctx.t('dashboard.keys.copyFailed')
    code.ownerDocument.getSelection()?.selectAllChildren(code)
  }
  ctx.announce(status.textContent)
}
