import type { Plan, Price } from '../../api/types.js'
import type { AddPaymentMethodFlow, ChangePlanFlow } from '../../flows/index.js'
import { addMethodForm, attachWith, beginAdding } from '../billing/add-method.js'
import { previewed, showPreview } from '../billing/plans.js'
import type { ViewContext } from '../context.js'
import { loaded } from '../parts/joined.js'
import { h, replaceChildren, type Bindable } from '../parts/kit.js'

export interface ChooseFlows {
  changePlan: ChangePlanFlow
  adding: AddPaymentMethodFlow
  /** The plans shown: confirming waits for them to reload before focus moves. */
  shown: Pick<Bindable<unknown>, 'subscribe'>
}

/**
 * A signed-in customer chose `price`: the change-plan flow (the billing view's preview
 * and Confirm), in `host`. When the flow says a payment method is needed first, the
 * billing view's add-payment-method form comes first and the preview follows once a card
 * is added. Resolves to what screen readers should hear.
 */
export async function chooseFlow(ctx: ViewContext, host: HTMLElement, plan: Plan, price: Price, flows: ChooseFlows): Promise<string> {
  const { t } = ctx
  const { changePlan, adding, shown } = flows
  // Confirming empties `host`, and focus goes with it: after the reload, it moves to the plan's card.
  const settle = async () => {
    await loaded(shown)
    const active = host.ownerDocument.activeElement
    if (!active || active === host.ownerDocument.body || !active.isConnected) focusPlan(host, plan, price)
  }
  const { status, preview } = previewed(await changePlan.choose(price.id))
  if (status === 'needs_payment_method') {
    const setup = await beginAdding(adding)
    const form = addMethodForm(ctx, setup, {
      attach: (paymentMethod, makeDefault) => attachWith(adding, paymentMethod, makeDefault),
      added: () => {
        void changePlan.paymentMethodAdded().then(() => showPreview(ctx, host, plan, price, changePlan, settle))
      },
      close: () => {
        void adding.close()
        void changePlan.close()
        replaceChildren(host)
        focusPlan(host, plan, price)
      },
    })
    const notice = t('pricing.card.body', { plan: plan.name })
    replaceChildren(host, h('div', { class: 'ap-pricing__needs-card' }, h('p', { class: 'ap-notice' }, notice), form))
    form.querySelector<HTMLElement>('h3')?.focus()
    return notice
  }
  showPreview(ctx, host, plan, price, changePlan, settle)
  return t('billing.preview.ready', { plan: plan.name, amount: ctx.format.money(preview.amount_due_now, preview.currency) })
}

/** The price's enabled action (Choose, Undo...), else the plan's heading. Ids are matched as data, never put in a selector. */
function focusPlan(host: HTMLElement, plan: Plan, price: Price): void {
  const root = host.closest('.ap-pricing')
  if (!root) return
  const action = [...root.querySelectorAll<HTMLButtonElement>('[data-ap-focus]')].find((el) => el.dataset.apFocus === `choose-${price.id}` && !el.disabled)
  const card = [...root.querySelectorAll<HTMLElement>('.ap-plan-card')].find((el) => el.dataset.planId === plan.id)
  ;(action ?? card?.querySelector<HTMLElement>('h3'))?.focus()
}
