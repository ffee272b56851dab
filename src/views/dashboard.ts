import type { Session } from '../api/types.js'
import { h } from '../dom/h.js'
import { withEnglish } from '../i18n/translate.js'
import type { View, ViewContext } from './context.js'
import { apiKeysCard } from './dashboard/api-keys.js'
import { usageCard } from './dashboard/usage.js'
import { button } from './parts/buttons.js'
import { withKit } from './parts/core-kit.js'
import { priceText, statusBadge, subscriptionDate } from './parts/format.js'
import { card, emptyState, viewRoot } from './parts/layout.js'
import { bindResource } from './parts/resource.js'

/** Plan, status, usage against quota, API keys and the upcoming invoice: the account store, one request. */
export const dashboard: View = (ctx) => {
  const { t } = ctx
  const { el, body } = viewRoot('dashboard', t('dashboard.title'))
  // Made once, so a session reload never drops a freshly rolled key on screen.
  let keys: HTMLElement | undefined

  // A failed payment's banner, above the cards: its chunk loads only for a past_due account.
  let banner: HTMLElement | undefined = el.insertBefore(h('div', { class: 'ap-banner-host' }), body)
  const showBanner = () => {
    const host = banner
    banner = undefined
    void import('./account/banner.js').then(withKit).then(
      (m) => !ctx.signal.aborted && host?.replaceWith(withEnglish(m.english, m.paymentBanner)(ctx, { watchInvoices: false, updatePaymentMethod: () => ctx.navigate('billing', 'add-payment-method') })),
    )
  }

  bindResource(ctx, body, ctx.client.stores.account, {
    errorTitle: t('dashboard.error'),
    skeletonRows: 6,
    render: (data) => {
      if (data.subscription?.status === 'past_due' && banner) showBanner()
      // The seller may turn the keys off, or make them read-only (`features.apiKeys`).
      const keysOn = data.api_keys_enabled && data.features?.apiKeys !== false
      if (keysOn) keys ??= apiKeysCard(ctx, data.features?.apiKeys === 'read_only')
      return [
        h('p', { class: 'ap-customer' }, h('span', { class: 'ap-customer__name' }, data.customer.name), ' ', h('span', { class: 'ap-muted' }, data.customer.email)),
        // The short summary cards share rows (usage, once it has a chart, a row of its own under
        // them); the key list, the tall one, runs full width under them, so no short card waits
        // beside it over an empty gap.
        h('div', { class: 'ap-grid' }, planCard(ctx, data), usageCard(ctx, data), data.subscription && upcomingCard(ctx, data)),
        keysOn && keys,
      ]
    },
  })
  return { el }
}

function planCard(ctx: ViewContext, session: Session): HTMLElement {
  const { t, format } = ctx
  const { subscription: sub, plan, price } = session
  if (!sub || !plan) {
    return card(
      t('dashboard.plan.title'),
      emptyState(t('dashboard.empty.title'), t('dashboard.empty.body'), button(t('dashboard.empty.action'), () => ctx.navigate('billing'), 'primary')),
    )
  }
  return card(
    t('dashboard.plan.title'),
    h('p', { class: 'ap-plan' }, h('span', { class: 'ap-plan__name' }, plan.name), ' ', statusBadge(ctx, sub)),
    price && h('p', { class: 'ap-plan__price' }, priceText(ctx, price)),
    subscriptionDate(ctx, sub) && h('p', { class: 'ap-plan__date' }, subscriptionDate(ctx, sub)),
    sub.scheduled_change &&
      h(
        'div',
        { class: 'ap-notice' },
        h('p', null, t('dashboard.scheduled', { date: format.date(sub.scheduled_change.at) })),
        button(t('dashboard.scheduled.action'), () => ctx.navigate('billing')),
      ),
  )
}

function upcomingCard(ctx: ViewContext, session: Session): HTMLElement {
  const upcoming = session.upcoming_invoice
  return card(
    ctx.t('dashboard.upcoming.title'),
    upcoming
      ? h('p', { class: 'ap-upcoming' }, ctx.t('dashboard.upcoming.body', { amount: ctx.format.money(upcoming.amount_due, upcoming.currency), date: ctx.format.date(upcoming.date) }))
      : h('p', { class: 'ap-muted' }, ctx.t('dashboard.upcoming.none')),
  )
}
