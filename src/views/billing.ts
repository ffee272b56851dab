import { bindResource, h, replaceChildren, viewRoot } from './parts/kit.js'
import { billingEn } from '../i18n/messages-billing.js'
import { paymentBanner } from './account/banner.js'
import { billingDetailsCard } from './account/details-card.js'
import { accountStore, type Account } from './billing/account.js'
import { paymentMethodsCard } from './billing/payment-methods.js'
import { plansCard } from './billing/plans.js'
import { subscriptionCard } from './billing/subscription.js'
import { accountEn } from '../i18n/messages-account.js'
import type { View } from './context.js'
import { enabled, offeredPlans, whenOn } from './account/sections.js'
import { own } from './parts/actions.js'

/** A failed payment's banner; subscription (cancel, resume, undo a scheduled change), change plan with a preview, payment methods, billing details: each as the seller's `features` allow. */
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
  // The plans the seller offers (`features.plans`, `'upgrades_only'`), where a deep link to a plan change lands.
  // Defined before bindResource: stores a shared client has loaded already render in its first subscription.
  const plans = (data: Account) => {
    const el = plansCard(ctx, { ...data, plans: offeredPlans(data.plans) }, account, changePlan, previewHost)
    el.setAttribute('data-ap-open', 'change-plan')
    return el
  }
  bindResource(ctx, accountHost, account, {
    errorTitle: ctx.t('billing.error'),
    skeletonRows: 6,
    render: (data) => [subscriptionCard(ctx, data, account, subscriptionFlows), enabled(data.session.features, 'changePlan') && plans(data)],
  })
  // A failed payment first; each section the seller may turn off is drawn only when it is on.
  const banner = paymentBanner(ctx, { watchInvoices: true, updatePaymentMethod: () => ctx.navigate('billing', 'add-payment-method') })
  replaceChildren(
    body,
    banner,
    accountHost,
    whenOn(ctx, (features) => enabled(features, 'paymentMethods'), () => paymentMethodsCard(ctx)),
    whenOn(ctx, (features) => enabled(features, 'billingDetails'), () => billingDetailsCard(ctx)),
  )
  return { el }
}

/** The strings that ship in this view's chunk (added to the English table as it loads). */
export const english = [billingEn, accountEn]

/** The core's helpers, which this chunk's loader hands over before using it (./parts/kit.ts). */
export { installKit } from './parts/kit.js'
