import type { ReadableAtom } from 'nanostores'
import type { Period, Plan, Price } from '../api/types.js'
import { atom, bindResource, button, emptyState, h, priceText, replaceChildren, safeHref, type Bindable, type Child } from './parts/kit.js'
import { billingEn } from '../i18n/messages-billing.js'
import { pricingEn } from '../i18n/messages-pricing.js'
import type { Resource } from '../stores/resource.js'
import { findPrice, type Account } from './billing/account.js'
import { undoScheduled } from './billing/subscription.js'
import type { ViewContext } from './context.js'
import { actionButton, own, runFlow } from './parts/actions.js'
import { joined, mapped } from './parts/joined.js'
import { chooseFlow } from './pricing/choose.js'
import { planCard } from './pricing/card.js'
import { featuredId, initialPeriod, moveTo, periodsOf, priceFor, savingOf, selectPlans, signupUrl, yearlySaving } from './pricing/model.js'
import { periodToggle } from './pricing/toggle.js'

/** The options the pricing view renders from; `update()` replaces them. */
export interface PricingSettings {
  publicKey: string
  /** A token is present: plans come from the authenticated routes and change in place. */
  signedIn: boolean
  title?: string
  description?: string
  featuredPlanId?: string
  plans?: string[]
  period?: Period
  onSelect?: (selection: { plan: Plan; price: Price }) => void
  signupHref?: string
}

/** What one load returns: the plans, and for a signed-in customer their session and current price. */
export interface PricingData {
  plans: Plan[]
  account: Account | null
}

interface Frame {
  data: PricingData
  settings: PricingSettings
  period: Period | undefined
}

export interface PricingView {
  el: HTMLElement
}

/**
 * Plans as cards with a Monthly / Yearly toggle. A visitor's call to action hands the
 * choice to `onSelect`, or links to `signupHref`; a signed-in customer's opens the
 * billing view's preview-then-confirm flow in place. A function of three stores: the
 * loaded plans, the settings, and the chosen period.
 */
export function pricingView(ctx: ViewContext, $settings: ReadableAtom<PricingSettings>): PricingView {
  const { t } = ctx
  const $period = atom<Period | undefined>($settings.get().period)
  const { flows: clientFlows } = ctx.client
  // The view's own: a preview open here is not one open in the billing view.
  const flows = { changePlan: own(ctx, clientFlows.changePlan()), adding: own(ctx, clientFlows.addPaymentMethod()), undo: own(ctx, clientFlows.undoScheduledChange()) }
  let store = source(ctx, $settings.get())
  /** What confirming waits for before focus moves: the plans shown again after the change. */
  const shown = { subscribe: (listener: (state: Resource<unknown>) => void) => store.subscribe(listener) }
  let loadedState: Resource<PricingData> = { status: 'loading' }
  const frame = (): Resource<Frame> => {
    const state = loadedState
    return state.data === undefined ? (state as Resource<Frame>) : { ...state, data: { data: state.data, settings: $settings.get(), period: $period.get() } }
  }
  const $frame = atom(frame())
  const refresh = () => $frame.set(frame())
  const header = h('div', { class: 'ap-pricing__header' })
  const flowHost = h('div', { class: 'ap-pricing__flow' })
  const body = h('div', { class: 'ap-pricing__body' })
  const el = h('section', { class: 'ap-pricing' }, header, flowHost, body)

  const watch = () =>
    store.subscribe((state) => {
      loadedState = state
      refresh()
    })
  let stopSource = watch()
  let previous: PricingSettings | undefined
  /** The unknown plan ids last reported (see checkPlanIds). */
  let reported = ''
  const stops = [
    $settings.subscribe((settings) => {
      replaceChildren(
        header,
        settings.title && h('h2', { class: 'ap-pricing__title' }, settings.title),
        settings.description && h('p', { class: 'ap-pricing__description' }, settings.description),
      )
      el.setAttribute('aria-label', settings.title || t('pricing.label'))
      if (previous && settings.period !== previous.period) $period.set(settings.period)
      if (previous && (settings.publicKey !== previous.publicKey || settings.signedIn !== previous.signedIn)) {
        replaceChildren(flowHost)
        stopSource()
        loadedState = { status: 'loading' }
        store = source(ctx, settings)
        stopSource = watch()
      }
      previous = settings
      refresh()
    }),
    () => stopSource(),
    $period.listen(refresh),
    $frame.subscribe(checkPlanIds),
    bindResource<Frame>(ctx, body, { subscribe: (listener: (state: Resource<Frame>) => void) => $frame.subscribe(listener), reload: () => store.reload() }, {
      errorTitle: t('pricing.error'),
      skeletonRows: 4,
      render,
    }),
  ]
  ctx.signal.addEventListener('abort', () => stops.forEach((stop) => stop()))

  /** A misspelt id in `plans` / `featuredPlanId` is reported once, not just shown as "no plans". */
  function checkPlanIds({ data: frame }: Resource<Frame>) {
    if (!frame) return
    const known = frame.data.plans.map((plan) => plan.id)
    const unknown = [...(frame.settings.plans ?? []), frame.settings.featuredPlanId].filter((id) => id !== undefined && !known.includes(id))
    const message = unknown.length ? `Unknown plan ids in plans / featuredPlanId: ${unknown.join(', ')}` : ''
    if (message !== reported && (reported = message)) {
      console.warn(message)
      ctx.report({ code: 'invalid_config', message })
    }
  }

  function render({ data, settings, period: chosen }: Frame): Child {
    const plans = selectPlans(data.plans, settings.plans)
    if (plans.length === 0) return emptyState(t('pricing.empty'))
    const account = data.account
    const current = account?.plans.current_price_id ? findPrice(account.plans.data, account.plans.current_price_id) : undefined
    const periods = periodsOf(plans)
    const period = initialPeriod(periods, chosen ?? current?.price.period)
    const saving = savingOf(plans)
    const savingText = saving.percent > 0 ? t(saving.upTo ? 'pricing.saveUpTo' : 'pricing.save', { percent: saving.percent }) : null
    const featured = featuredId(plans, settings.featuredPlanId)
    return [
      periods.length > 1 && periodToggle(t, period, savingText, (next) => $period.set(next)),
      h(
        'ul',
        { class: 'ap-pricing__grid', role: 'list' },
        plans.map((plan) => {
          const price = priceFor(plan, period)
          const isFeatured = plan.id === featured
          return planCard(ctx, {
            plan,
            price,
            featured: isFeatured,
            current: current?.plan.id === plan.id,
            saving: price?.period === 'year' ? yearlySaving(plan) : 0,
            trial: plan.trial_days > 0 && !liveSubscription(account),
            actions: price && (account ? customerActions(account, plan, price, current?.price, isFeatured) : visitorAction(settings, plan, price, isFeatured)),
          })
        }),
      ),
    ]
  }

  /** A visitor: `onSelect`, else a link to `signupHref`, else the backend's checkout. */
  function visitorAction(settings: PricingSettings, plan: Plan, price: Price, featured: boolean): Child {
    const label = t(plan.trial_days > 0 ? 'pricing.cta.trial' : 'pricing.cta.start')
    const ariaLabel = t('pricing.cta.label', { action: label, plan: plan.name, price: priceText(ctx, price) })
    const variant = featured ? 'primary' : 'secondary'
    const { onSelect, signupHref } = settings
    if (onSelect) {
      return button(label, () => onSelect({ plan, price }), variant, { 'aria-label': ariaLabel })
    }
    if (signupHref) return h('a', { class: `ap-button ap-button--${variant}`, href: signupUrl(signupHref, plan.id, price.id), 'aria-label': ariaLabel }, label)
    return actionButton(ctx, {
      label,
      ariaLabel,
      variant,
      focusKey: `choose-${price.id}`,
      run: async () => {
        const { url } = await runFlow(ctx, ctx.client.flows.checkout(settings.publicKey), price.id)
        const href = safeHref(url)
        if (href) el.ownerDocument.defaultView?.location.assign(href)
      },
    })
  }

  /** A signed-in customer: the current price is marked, a scheduled one can be undone, any other is chosen in place. */
  function customerActions(account: Account, plan: Plan, price: Price, currentPrice: Price | undefined, featured: boolean): Child {
    const sub = account.session.subscription
    const scheduled = sub?.scheduled_change
    if (scheduled?.price_id === price.id) {
      return h(
        'div',
        { class: 'ap-plan-card__scheduled' },
        h('p', null, t('pricing.scheduled', { date: ctx.format.date(scheduled.at) })),
        // The price's action slot: after the undo, focus lands on the Downgrade button that replaces it.
        undoScheduled(ctx, flows.undo, plan.name, account.session.plan?.name ?? '', `choose-${price.id}`, shown),
      )
    }
    const move = moveTo(currentPrice, price)
    if (move === 'current') return h('button', { type: 'button', class: 'ap-button ap-button--secondary', disabled: true }, t('billing.plans.current'))
    // The server's verdict on this change (`features`, e.g. no downgrade under 'upgrades_only'): not offered.
    if (price.change_allowed === false) return null
    const label = t(
      !liveSubscription(account) ? (plan.trial_days > 0 ? 'pricing.cta.trial' : 'pricing.cta.start') : move === 'upgrade' ? 'pricing.cta.upgrade' : move === 'downgrade' ? 'pricing.cta.downgrade' : 'pricing.cta.switch',
    )
    return actionButton(ctx, {
      label,
      ariaLabel: t('pricing.cta.label', { action: label, plan: plan.name, price: priceText(ctx, price) }),
      variant: featured ? 'primary' : 'secondary',
      focusKey: `choose-${price.id}`,
      run: () => chooseFlow(ctx, flowHost, plan, price, { ...flows, shown }),
    })
  }

  return { el }
}

function liveSubscription(account: Account | null): boolean {
  const sub = account?.session.subscription
  return !!sub && sub.status !== 'canceled'
}

/** Where the plans come from: a visitor's public plans, or a signed-in customer's account and plans. */
function source(ctx: ViewContext, settings: PricingSettings): Bindable<PricingData> {
  const { stores } = ctx.client
  if (!settings.signedIn) return mapped(stores.publicPlans(settings.publicKey), ({ data }): PricingData => ({ plans: data, account: null }))
  return mapped(joined<Account>({ session: stores.account, plans: stores.plans }), (account): PricingData => ({ plans: account.plans.data, account }))
}

/** The strings that ship in this view's chunk (added to the English table as it loads). */
export const english = [pricingEn, billingEn]

/** The core's helpers, which this chunk's loader hands over before using it (./parts/kit.ts). */
export { installKit } from './parts/kit.js'
