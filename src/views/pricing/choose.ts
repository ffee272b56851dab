import type { List, PaymentMethod, PaymentSetup, Plan, Price, SubscriptionPreview } from '../../api/types.js'
import { h, replaceChildren } from '../../dom/h.js'
import { addMethodForm } from '../billing/add-method.js'
import { showPreview } from '../billing/plans.js'
import type { ViewContext } from '../context.js'
import { once } from '../parts/buttons.js'

/**
 * A signed-in customer chose `price`: the billing view's preview-then-confirm flow, in
 * `host`. When confirming would charge a card and the customer has none, the billing
 * view's add-payment-method form comes first and the preview follows once a card is
 * added. Resolves to what screen readers should hear.
 */
export async function chooseFlow(ctx: ViewContext, host: HTMLElement, plan: Plan, price: Price, store: { reload(): Promise<void> }): Promise<string> {
  const { t, api, signal } = ctx
  // Confirming empties `host`, and focus goes with it: after the reload, it moves to the plan's card.
  const account = {
    reload: async () => {
      await store.reload()
      const active = host.ownerDocument.activeElement
      if (!active || active === host.ownerDocument.body || !active.isConnected) focusPlan(host, plan, price)
    },
  }
  const preview = await api.post<SubscriptionPreview>('/subscription/preview', { price_id: price.id }, { signal })
  // Backends that do not say: anything charged now needs a card.
  const needsCard = preview.needs_card ?? (preview.effective === 'now' && preview.amount_due_now > 0)
  if (needsCard) {
    const methods = await api.get<List<PaymentMethod>>('/payment-methods', { signal })
    if (methods.data.length === 0) {
      const setup = await api.post<PaymentSetup>('/payment-methods/setup', undefined, once(ctx))
      const form = addMethodForm(ctx, setup, {
        added: () => showPreview(ctx, host, plan, price, preview, account),
        close: () => {
          replaceChildren(host)
          focusPlan(host, plan, price)
        },
      })
      const notice = t('pricing.card.body', { plan: plan.name })
      replaceChildren(host, h('div', { class: 'ap-pricing__needs-card' }, h('p', { class: 'ap-notice' }, notice), form))
      form.querySelector<HTMLElement>('h3')?.focus()
      return notice
    }
  }
  showPreview(ctx, host, plan, price, preview, account)
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
