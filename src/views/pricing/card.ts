import type { Plan, Price } from '../../api/types.js'
import type { ViewContext } from '../context.js'
import { badge, h, metricName, priceText, uid, type Child } from '../parts/kit.js'

export interface PlanCard {
  plan: Plan
  /** Undefined when the plan has no price for the chosen period. */
  price: Price | undefined
  featured: boolean
  /** The customer's plan (in any period). */
  current: boolean
  /** Percent the shown yearly price saves; 0 hides it. */
  saving: number
  /** The trial badge: a visitor or a customer without a live subscription would get the trial. */
  trial: boolean
  /** Call to action, scheduled-change note...: decided by the view, which knows who is looking. */
  actions: Child
}

/** One plan as a card: name, description, price, trial, quotas, features, then the actions. */
export function planCard(ctx: ViewContext, card: PlanCard): HTMLElement {
  const { t, format } = ctx
  const { plan, price } = card
  const headingId = uid('plan')
  const quotas = Object.entries(plan.quotas)
  const classes = ['ap-plan-card', card.featured && 'ap-plan-card--featured', card.current && 'ap-plan-card--current']
  return h(
    'li',
    { class: classes.filter(Boolean).join(' '), 'data-plan-id': plan.id, 'aria-labelledby': headingId },
    h(
      'div',
      { class: 'ap-plan-card__head' },
      h('h3', { id: headingId, class: 'ap-plan-card__name', tabindex: '-1' }, plan.name),
      card.current ? badge(t('billing.plans.current'), 'success') : card.featured && badge(t('pricing.featured'), 'info'),
    ),
    plan.description && h('p', { class: 'ap-plan-card__description' }, plan.description),
    price && h('p', { class: 'ap-plan-card__price' }, priceText(ctx, price)),
    card.saving > 0 && h('p', { class: 'ap-plan-card__saving' }, t('pricing.save', { percent: card.saving })),
    card.trial && h('p', { class: 'ap-plan-card__trial' }, badge(t('billing.plans.trial', { days: plan.trial_days }), 'neutral')),
    quotas.length > 0 &&
      h(
        'ul',
        { class: 'ap-plan-card__quotas' },
        quotas.map(([metric, quota]) =>
          h(
            'li',
            null,
            quota === null
              ? t('pricing.quota.unlimited', { metric: metricName(metric, plan) })
              : t('pricing.quota', { amount: format.number(quota), metric: metricName(metric, plan) }),
          ),
        ),
      ),
    plan.features.length > 0 && h('ul', { class: 'ap-plan-card__features' }, plan.features.map((feature) => h('li', null, feature))),
    h('div', { class: 'ap-plan-card__actions' }, card.actions),
  )
}
