import type { PlansResponse, Session } from '../api/types.js'
import { h, replaceChildren } from '../dom/h.js'
import { billingEn } from '../i18n/messages-billing.js'
import { paymentMethodsCard } from './billing/payment-methods.js'
import { plansCard } from './billing/plans.js'
import { subscriptionCard } from './billing/subscription.js'
import type { View } from './context.js'
import { viewRoot } from './parts/layout.js'
import { bindResource, loadResource } from './parts/resource.js'

/** Subscription (cancel, resume, undo a scheduled change), change plan with a preview, payment methods. */
export const billing: View = (ctx) => {
  const { el, body } = viewRoot('billing', ctx.t('billing.title'))
  const account = loadResource(ctx, async (signal) => {
    const [session, plans] = await Promise.all([ctx.api.get<Session>('/session', { signal }), ctx.api.get<PlansResponse>('/plans', { signal })])
    return { session, plans }
  })
  const accountHost = h('div', { class: 'ap-stack' })
  const previewHost = h('div', { class: 'ap-preview-host' })
  bindResource(ctx, accountHost, account, {
    errorTitle: ctx.t('billing.error'),
    skeletonRows: 6,
    render: (data) => [subscriptionCard(ctx, data, account), plansCard(ctx, data, account, previewHost)],
  })
  replaceChildren(body, accountHost, paymentMethodsCard(ctx))
  void account.reload()
  return { el }
}

/** The strings that ship in this view's chunk (added to the English table as it loads). */
export const english = [billingEn]
