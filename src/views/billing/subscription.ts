import type { Subscription } from '../../api/types.js'
import { h } from '../../dom/h.js'
import type { ViewContext } from '../context.js'
import { actionButton, once } from '../parts/buttons.js'
import { priceText, statusBadge, subscriptionDate } from '../parts/format.js'
import { card, uid } from '../parts/layout.js'
import { findPrice, type Account, type AccountStore } from './account.js'

/** The current subscription: its status, a scheduled downgrade with Undo, and cancel or resume. */
export function subscriptionCard(ctx: ViewContext, { session, plans }: Account, account: AccountStore): HTMLElement {
  const { t, format } = ctx
  const sub = session.subscription
  if (!sub) return card(t('billing.subscription.title'), h('p', { class: 'ap-muted' }, t('billing.subscription.none')))
  const planName = session.plan?.name ?? ''
  const scheduled = sub.scheduled_change
  const target = scheduled && findPrice(plans.data, scheduled.price_id)

  return card(
    t('billing.subscription.title'),
    h('p', { class: 'ap-plan' }, h('span', { class: 'ap-plan__name' }, planName), ' ', statusBadge(ctx, sub)),
    session.price && h('p', { class: 'ap-plan__price' }, priceText(ctx, session.price)),
    !sub.cancel_at_period_end && subscriptionDate(ctx, sub) && h('p', { class: 'ap-plan__date' }, subscriptionDate(ctx, sub)),
    scheduled &&
      h(
        'div',
        { class: 'ap-notice' },
        h('p', null, target ? t('billing.scheduled', { plan: target.plan.name, date: format.date(scheduled.at) }) : t('dashboard.scheduled', { date: format.date(scheduled.at) })),
        undoScheduled(ctx, target?.plan.name, planName, 'undo-change', account.reload),
      ),
    sub.status !== 'canceled' && sub.cancel_at_period_end &&
      h(
        'div',
        { class: 'ap-notice ap-notice--warning' },
        h('p', null, t('billing.cancelsOn', { date: format.date(sub.current_period_end) })),
        actionButton(ctx, {
          label: t('billing.resume'),
          variant: 'primary',
          // Resume and Cancel replace each other: focus moves from one to the other.
          focusKey: 'cancel-or-resume',
          run: async () => {
            await ctx.api.post<Subscription>('/subscription/resume', undefined, once(ctx))
            await account.reload()
            return t('billing.resumed')
          },
        }),
      ),
    sub.status !== 'canceled' && !sub.cancel_at_period_end && h('div', { class: 'ap-actions' }, cancelButton(ctx, sub, account)),
  )
}

/**
 * Undo for a scheduled plan change (here and on the pricing cards): takes it back,
 * reloads, and says the customer stays on `current`. `target` names the plan it undoes.
 */
export function undoScheduled(ctx: ViewContext, target: string | undefined, current: string, focusKey: string, reload: () => Promise<unknown>): HTMLButtonElement {
  const { t } = ctx
  return actionButton(ctx, {
    label: t('billing.scheduled.undo'),
    ariaLabel: target ? t('billing.scheduled.undoLabel', { plan: target }) : undefined,
    focusKey,
    run: async () => {
      await ctx.api.delete<Subscription>('/subscription/scheduled-change', once(ctx))
      await reload()
      return t('billing.scheduled.undone', { plan: current })
    },
  })
}

/** Asks "at period end or now?" in the confirm dialog, then cancels. */
function cancelButton(ctx: ViewContext, sub: Subscription, account: AccountStore): HTMLButtonElement {
  const { t, format } = ctx
  const name = uid('when')
  let atPeriodEnd = true
  return actionButton(ctx, {
    label: t('billing.cancel'),
    variant: 'danger',
    focusKey: 'cancel-or-resume',
    confirm: async () => {
      const choice = (value: string, label: string, checked: boolean) =>
        h('label', { class: 'ap-choice' }, h('input', { type: 'radio', name, value, checked }), ' ', label)
      const body = h(
        'fieldset',
        { class: 'ap-fieldset ap-cancel-choice' },
        h('legend', null, t('billing.cancel.when')),
        choice('period_end', t('billing.cancel.atPeriodEnd', { date: format.date(sub.current_period_end) }), true),
        choice('now', t('billing.cancel.now'), false),
      )
      const confirmed = await ctx.confirm({
        title: t('billing.cancel.title'),
        body,
        confirmLabel: t('billing.cancel'),
        cancelLabel: t('billing.cancel.keep'),
        destructive: true,
      })
      atPeriodEnd = body.querySelector<HTMLInputElement>('input[value="now"]')?.checked !== true
      return confirmed
    },
    run: async () => {
      const canceled = await ctx.api.post<Subscription>('/subscription/cancel', { at_period_end: atPeriodEnd }, once(ctx))
      await account.reload()
      return atPeriodEnd ? t('billing.cancelsOn', { date: format.date(canceled.current_period_end) }) : t('billing.cancel.doneNow')
    },
  })
}
