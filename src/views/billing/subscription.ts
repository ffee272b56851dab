import type { Subscription } from '../../api/types.js'
import type { ActionFlow, CancelFlow } from '../../flows/index.js'
import type { ViewContext } from '../context.js'
import { actionButton, settled } from '../parts/actions.js'
import { loaded } from '../parts/joined.js'
import { card, h, priceText, statusBadge, subscriptionDate, uid } from '../parts/kit.js'
import { enabled, fullyOn } from '../account/sections.js'
import { findPrice, type Account, type AccountStore } from './account.js'

export interface SubscriptionFlows {
  resume: ActionFlow<void, Subscription>
  cancel: CancelFlow
  undo: ActionFlow<void, Subscription>
}

/** The current subscription: its status, a scheduled downgrade with Undo, and cancel or resume. */
export function subscriptionCard(ctx: ViewContext, { session, plans }: Account, account: AccountStore, flows: SubscriptionFlows): HTMLElement {
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
        undoScheduled(ctx, flows.undo, target?.plan.name, planName, 'undo-change', account),
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
            settled(await flows.resume.run())
            await loaded(account)
            return t('billing.resumed')
          },
        }),
      ),
    // The seller may allow cancelling only at the period end, or not here at all (`features.cancel`).
    sub.status !== 'canceled' && !sub.cancel_at_period_end && enabled(session.features, 'cancel') && h('div', { class: 'ap-actions' }, cancelButton(ctx, sub, account, flows.cancel, fullyOn(session.features, 'cancel'))),
  )
}

/**
 * Undo for a scheduled plan change (here and on the pricing cards): takes it back, waits
 * for `shown` to reload, and says the customer stays on `current`. `target` names the plan it undoes.
 */
export function undoScheduled(
  ctx: ViewContext,
  undo: ActionFlow<void, Subscription>,
  target: string | undefined,
  current: string,
  focusKey: string,
  shown: Parameters<typeof loaded>[0],
): HTMLButtonElement {
  const { t } = ctx
  return actionButton(ctx, {
    label: t('billing.scheduled.undo'),
    ariaLabel: target ? t('billing.scheduled.undoLabel', { plan: target }) : undefined,
    focusKey,
    run: async () => {
      settled(await undo.run())
      await loaded(shown)
      return t('billing.scheduled.undone', { plan: current })
    },
  })
}

/** Asks "at period end or now?" in the confirm dialog (the choice is the cancel flow's), then cancels. */
function cancelButton(ctx: ViewContext, sub: Subscription, account: AccountStore, cancel: CancelFlow, now: boolean): HTMLButtonElement {
  const { t, format } = ctx
  const name = uid('when')
  const el = actionButton(ctx, {
    label: t('billing.cancel'),
    variant: 'danger',
    focusKey: 'cancel-or-resume',
    confirm: async () => {
      await cancel.open()
      const choice = (atPeriodEnd: boolean, label: string) =>
        h(
          'label',
          { class: 'ap-choice' },
          h('input', { type: 'radio', name, value: atPeriodEnd ? 'period_end' : 'now', checked: atPeriodEnd, onChange: () => void cancel.choose(atPeriodEnd) }),
          ' ',
          label,
        )
      const body = h(
        'fieldset',
        { class: 'ap-fieldset ap-cancel-choice' },
        h('legend', null, t('billing.cancel.when')),
        choice(true, t('billing.cancel.atPeriodEnd', { date: format.date(sub.current_period_end) })),
        now && choice(false, t('billing.cancel.now')),
      )
      const confirmed = await ctx.confirm({
        title: t('billing.cancel.title'),
        body,
        confirmLabel: t('billing.cancel'),
        cancelLabel: t('billing.cancel.keep'),
        destructive: true,
        flow: 'cancel',
      })
      if (!confirmed) await cancel.close()
      return confirmed
    },
    run: async () => {
      const { atPeriodEnd, subscription } = settled(await cancel.confirm())
      await loaded(account)
      return atPeriodEnd ? t('billing.cancelsOn', { date: format.date(subscription.current_period_end) }) : t('billing.cancel.doneNow')
    },
  })
  el.setAttribute('data-ap-open', 'cancel')
  return el
}
