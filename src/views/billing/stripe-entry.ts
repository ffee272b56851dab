/**
 * The Stripe card form's door in the core bundle: it loads ./stripe-element.ts (and,
 * from there, Stripe.js) only when a setup answers `provider: 'stripe'`, so portals on
 * the sandbox never download either. The form's module imports nothing at run time — it
 * gets the helpers it shares with the core as a `StripeKit` — so the bundler gives it a
 * chunk of its own instead of moving shared code into a chunk every page would load.
 */
import type { PaymentSetup } from '../../api/types.js'
import { colorMaths } from '../../theme/color.js'
import type { ViewContext } from '../context.js'
import { runAction, setBusy } from '../parts/actions.js'
import { button, colorParts, DARK_TEXT, h, LIGHT_TEXT, replaceChildren, uid } from '../parts/kit.js'
import { cardLabel } from './labels.js'
import type { StripeFormHandlers } from './stripe-element.js'

// Made on first use, not as this module loads: the views kit's helpers are there only once the chunk's loader has installed them.
const makeStripeKit = () => ({ h, replaceChildren, button, runAction, setBusy, uid, cardLabel, color: colorMaths({ colorParts, DARK_TEXT, LIGHT_TEXT }) })
export type StripeKit = ReturnType<typeof makeStripeKit>
let stripeKit: StripeKit | undefined

export function stripeCardForm(ctx: ViewContext, setup: Extract<PaymentSetup, { provider: 'stripe' }>, handlers: StripeFormHandlers): HTMLElement {
  const box = h('div', { class: 'ap-stripe' })
  const load = () => {
    replaceChildren(box, h('p', { class: 'ap-muted', role: 'status' }, ctx.t('state.loading')))
    import('./stripe-element.js').then(
      (form) => !ctx.signal.aborted && replaceChildren(box, form.stripeForm(ctx, setup, handlers, (stripeKit ??= makeStripeKit()))),
      () => {
        // The form's own chunk did not arrive (offline, a deploy replaced it): as unavailable as Stripe.js.
        const message = ctx.t('billing.add.stripeUnavailable')
        ctx.report({ code: 'stripe_unavailable', message })
        replaceChildren(
          box,
          h('p', { class: 'ap-form__error', role: 'alert' }, message),
          h('div', { class: 'ap-actions' }, button(ctx.t('state.retry'), load, 'primary'), button(ctx.t('billing.add.cancel'), handlers.close)),
        )
      },
    )
  }
  load()
  return box
}
