import type { Plan, Price } from '../../api/types.js'
import type { ChangePlanFlow, ChangePlanState } from '../../flows/index.js'
import type { ViewContext } from '../context.js'
import { actionButton } from '../parts/actions.js'
import { loaded } from '../parts/joined.js'
import { badge, button, byFocusKey, card, emptyState, h, priceText, replaceChildren, uid } from '../parts/kit.js'
import type { Account, AccountStore } from './account.js'

/**
 * The plans the customer may switch to, each price with Choose. Choosing previews the
 * change (the change-plan flow) in `previewHost`; Confirm then changes the plan.
 * `previewHost` outlives re-renders of the card so a reload never drops an open preview.
 */
export function plansCard(ctx: ViewContext, { plans, session }: Account, account: AccountStore, flow: ChangePlanFlow, previewHost: HTMLElement): HTMLElement {
  const { t } = ctx
  if (plans.data.length === 0) return card(t('billing.plans.title'), emptyState(t('billing.plans.empty')))
  return card(
    t('billing.plans.title'),
    h(
      'ul',
      { class: 'ap-plan-options' },
      plans.data.map((plan) =>
        h(
          'li',
          { class: plan.prices.some((p) => p.id === plans.current_price_id) ? 'ap-plan-option ap-plan-option--current' : 'ap-plan-option', 'data-plan-id': plan.id },
          h('h3', { class: 'ap-plan-option__name' }, plan.name),
          plan.description && h('p', { class: 'ap-muted' }, plan.description),
          // A trial is for a first subscription; whether a returning customer gets one is the backend's call.
          plan.trial_days > 0 && !session.subscription && badge(t('billing.plans.trial', { days: plan.trial_days }), 'info'),
          h(
            'ul',
            { class: 'ap-prices' },
            plan.prices.map((price) =>
              h(
                'li',
                { class: 'ap-price', 'data-price-id': price.id },
                h('span', null, priceText(ctx, price)),
                price.id === plans.current_price_id
                  ? badge(t('billing.plans.current'), 'success')
                  : actionButton(ctx, {
                      label: t('billing.plans.choose'),
                      ariaLabel: t('billing.plans.chooseLabel', { plan: plan.name, price: priceText(ctx, price) }),
                      focusKey: `choose-${price.id}`,
                      run: async () => {
                        const { preview } = previewed(await flow.choose(price.id))
                        showPreview(ctx, previewHost, plan, price, flow, () => loaded(account))
                        return t('billing.preview.ready', { plan: plan.name, amount: ctx.format.money(preview.amount_due_now, preview.currency) })
                      },
                    }),
              ),
            ),
          ),
        ),
      ),
    ),
    previewHost,
  )
}

/** The flow's preview once `choose` settled on one; its error thrown when previewing failed. */
export function previewed(state: ChangePlanState): Extract<ChangePlanState, { status: 'ready' | 'needs_payment_method' }> {
  if (state.status === 'failed') throw state.error
  if (state.status !== 'ready' && state.status !== 'needs_payment_method') throw new DOMException('The preview was left', 'AbortError')
  return state
}

/**
 * What the change costs, line by line, and Confirm: the flow confirms under one
 * Idempotency-Key per preview, so a double click changes the plan once. `settle` resolves
 * once what the page shows has caught up with the change. Also the pricing portal's flow
 * for a signed-in customer (views/pricing/choose.ts).
 */
export function showPreview(ctx: ViewContext, host: HTMLElement, plan: Plan, price: Price, flow: ChangePlanFlow, settle: () => Promise<unknown>): void {
  const { t, format } = ctx
  const state = flow.get()
  if (state.status !== 'ready') return
  const { preview } = state
  const headingId = uid('preview')
  const money = (amount: number) => format.money(amount, preview.currency)
  const error = h('p', { class: 'ap-form__error' })
  const heading = h('h3', { id: headingId, class: 'ap-panel__title', tabindex: '-1' }, t('billing.preview.title', { plan: plan.name }))
  const close = () => {
    void flow.close()
    replaceChildren(host)
    byFocusKey(host.closest('.ap-card, .ap-pricing'), `choose-${price.id}`)?.focus()
  }
  // Escape closes it as Cancel does; so does back under `syncUrl` (the deep-link router's `ap-close`).
  const onKeydown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return
    event.preventDefault()
    close()
  }
  replaceChildren(
    host,
    h(
      'div',
      { class: 'ap-panel ap-preview', role: 'region', 'aria-labelledby': headingId, 'data-ap-flow': 'change-plan', 'data-price-id': price.id, onKeydown, 'onAp-close': close },
      heading,
      h('p', null, priceText(ctx, price)),
      h(
        'dl',
        { class: 'ap-preview__totals' },
        h('div', null, h('dt', null, t('billing.preview.dueNow')), h('dd', { class: 'ap-preview__due' }, money(preview.amount_due_now))),
        h('div', null, h('dt', null, t('billing.preview.nextRenewal')), h('dd', { class: 'ap-preview__renewal' }, money(preview.next_renewal_amount))),
      ),
      h('p', { class: 'ap-preview__effective' }, preview.effective === 'now' ? t('billing.preview.now') : t('billing.preview.periodEnd', { date: format.date(preview.effective_at) })),
      preview.lines.length > 0 &&
        h(
          'table',
          { class: 'ap-table ap-table--lines' },
          h('caption', null, t('billing.preview.lines')),
          h('tbody', null, preview.lines.map((line) => h('tr', null, h('td', null, line.description), h('td', { class: 'ap-num' }, money(line.amount))))),
        ),
      error,
      h(
        'div',
        { class: 'ap-actions' },
        actionButton(ctx, {
          label: t('billing.preview.confirm'),
          variant: 'primary',
          run: async () => {
            error.textContent = ''
            const done = await flow.confirm()
            if (done.status === 'failed') throw done.error
            if (done.status !== 'done') return
            // The panel (and the focused Confirm) goes away: focus the view's heading, not the page.
            host.closest('.ap-view')?.querySelector<HTMLElement>('h1')?.focus()
            replaceChildren(host)
            await settle()
            return preview.effective === 'now'
              ? t('billing.changed', { plan: plan.name })
              : t('billing.scheduled', { plan: plan.name, date: format.date(preview.effective_at) })
          },
          onError: (failure) => {
            error.textContent = failure.message
          },
        }),
        button(t('billing.preview.cancel'), close),
      ),
    ),
  )
  heading.focus()
}
