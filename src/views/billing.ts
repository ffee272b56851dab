import { h, replaceChildren } from '../dom/h.js'
import { billingEn } from '../i18n/messages-billing.js'
import { accountStore } from './billing/account.js'
import { paymentMethodsCard } from './billing/payment-methods.js'
import { plansCard } from './billing/plans.js'
import { subscriptionCard } from './billing/subscription.js'
import type { View } from './context.js'
import { own } from './parts/actions.js'
import { viewRoot } from './parts/layout.js'
import { bindResource } from './parts/resource.js'

/** Subscription (cancel, resume, undo a scheduled change), change plan with a preview, payment methods. */
export const billing: View = (ctx) => {
  const { el, body } = viewRoot('billing', ctx.t('billing.title'))
  const { flows } = ctx.client
  const account = accountStore(ctx)
  // One of each for the view's life: the cards re-render from the stores, the flows stay.
  const subscriptionFlows = { resume: own(ctx, flows.resume()), cancel: own(ctx, flows.cancel()), undo: own(ctx, flows.undoScheduledChange()) }
  // Here the server says when a card is missing (in the preview's error); the pricing cards ask for one first.
  const changePlan = own(ctx, flows.changePlan({ collectPaymentMethod: false }))
  const accountHost = h('div', { class: 'ap-stack' })
  const previewHost = h('div', { class: 'ap-preview-host' })
  bindResource(ctx, accountHost, account, {
    errorTitle: ctx.t('billing.error'),
    skeletonRows: 6,
    render: (data) => [subscriptionCard(ctx, data, account, subscriptionFlows), plansCard(ctx, data, account, changePlan, previewHost)],
  })
  replaceChildren(body, accountHost, paymentMethodsCard(ctx))
  return { el }
}

/** The strings that ship in this view's chunk (added to the English table as it loads). */
export const english = [billingEn]
