/**
 * The customer's API keys, masked, each with Roll and Revoke, and Create key above them.
 * A new or rolled key's secret is shown once, in a panel above the list, until the user
 * dismisses it or leaves the view; it is never stored anywhere else. Loaded on demand by
 * ./api-keys.ts, with its own English strings and the action buttons (../parts/actions.ts,
 * which only chunks use).
 */
import { apiKeysEn } from '../../i18n/messages-api-keys.js'
import type { ApiKey } from '../../api/types.js'
import type { ViewContext } from '../context.js'
import { actionButton, runAction, runFlow, setBusy } from '../parts/actions.js'
import { whenIdle } from '../parts/idle.js'
import { bindResource, button, byFocusKey, emptyState, h, replaceChildren, uid } from '../parts/kit.js'

export const english = [apiKeysEn]

export interface ApiKeysCardParts {
  el: HTMLElement
  actions: HTMLElement
  revealHost: HTMLElement
  listHost: HTMLElement
  /** The seller made the keys read-only: no Create, Roll or Revoke. */
  readOnly: boolean
}

export function fillApiKeysCard(ctx: ViewContext, parts: ApiKeysCardParts): void {
  // Not in the turn that renders the account: the list's request and DOM would come between
  // the account's data and its first paint. "Loading…" holds the place.
  whenIdle(ctx.signal, () => fill(ctx, parts))
}

function fill(ctx: ViewContext, parts: ApiKeysCardParts): void {
  const { t } = ctx
  const { el, actions, revealHost, listHost } = parts
  const { stores, flows } = ctx.client
  const keys = stores.apiKeys
  // A backend without keys answers 404 (the client does not report it): the card just hides.
  const stopHiding = keys.subscribe((state) => state.error?.code === 'not_found' && (el.hidden = true))
  ctx.signal.addEventListener('abort', stopHiding, { once: true })
  // The flows keep the list in the store up to date; a new secret is only ever in their result.

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
        const { secret, ...masked } = await runFlow(ctx, flows.rollApiKey(), key.id)
        return reveal(masked, secret) ?? t('dashboard.keys.rolled')
      },
    })
  }

  function revoke(key: ApiKey): HTMLButtonElement {
    return actionButton(ctx, {
      label: t('dashboard.keys.revoke'),
      ariaLabel: t('dashboard.keys.revokeLabel', { name: key.name }),
      focusKey: `revoke-${key.id}`,
      confirm: () =>
        ctx.confirm({
          title: t('dashboard.keys.revokeTitle', { name: key.name }),
          body: t('dashboard.keys.revokeBody'),
          confirmLabel: t('dashboard.keys.revokeConfirm'),
          destructive: true,
        }),
      run: async () => {
        await runFlow(ctx, flows.revokeApiKey(), key.id)
        createButton.focus()
        return t('dashboard.keys.revoked', { name: key.name })
      },
    })
  }

  /** The name form, in the reveal panel's place; the new key's secret replaces it. */
  function openCreate(): void {
    const inputId = uid('key-name')
    const errorId = uid('key-error')
    const input = h('input', { id: inputId, class: 'ap-input', name: 'name', required: true, maxlength: '100', autocomplete: 'off', 'aria-describedby': errorId })
    const error = h('p', { class: 'ap-form__error', id: errorId })
    const submit = h('button', { type: 'submit', class: 'ap-button ap-button--primary' }, t('dashboard.keys.createSubmit'))
    const close = () => {
      replaceChildren(revealHost)
      createButton.focus()
    }
    let busy = false
    const form = h(
      'form',
      {
        class: 'ap-form',
        onSubmit: (event: Event) => {
          event.preventDefault()
          const name = input.value.trim()
          if (busy || name === '') return
          busy = true
          error.textContent = ''
          setBusy(submit, true)
          void runAction(
              ctx,
              async () => {
                const { secret, ...masked } = await runFlow(ctx, flows.createApiKey(), name)
                return reveal(masked, secret) ?? t('dashboard.keys.createdNew')
              },
              // Past the seller's maximum, the server says so; it stays in the form.
              (failure) => (error.textContent = failure.message),
            )
            .finally(() => {
              busy = false
              setBusy(submit, false)
            })
        },
      },
      h('label', { for: inputId }, t('dashboard.keys.createName')),
      input,
      error,
      h('div', { class: 'ap-actions' }, submit, button(t('billing.add.cancel'), close)),
    )
    replaceChildren(revealHost, form)
    input.focus()
  }
  const createButton = button(t('dashboard.keys.create'), openCreate, 'primary')
  // Read-only keys (`features.apiKeys: 'read_only'`): listed, never created, rolled or revoked here.
  if (!parts.readOnly) replaceChildren(actions, createButton)

  /**
   * Shows a new secret once. A replayed answer (the first was lost, and the retry with the
   * same Idempotency-Key gets the key without its secret: the server never stores one)
   * says so instead, and that message is also what the action announces.
   */
  function reveal(key: ApiKey, secret: string | undefined): string | undefined {
    const headingId = uid('reveal')
    if (secret === undefined) {
      const message = t('dashboard.keys.alreadyShown', { name: key.name })
      const dismiss = button(t('dashboard.keys.dismiss'), () => replaceChildren(revealHost))
      replaceChildren(revealHost, h('div', { class: 'ap-reveal', role: 'region', 'aria-labelledby': headingId }, h('p', { id: headingId, class: 'ap-reveal__note' }, message), h('div', { class: 'ap-actions' }, dismiss)))
      return message
    }
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
                !parts.readOnly && h('span', { class: 'ap-key__actions' }, roll(key), revoke(key)),
              ),
            ),
          ),
  })
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

/** The core's helpers, which this chunk's loader hands over before using it (../parts/kit.ts). */
export { installKit } from '../parts/kit.js'
