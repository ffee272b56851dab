import type { PaymentMethod, PaymentSetup } from '../../api/types.js'
import type { AddPaymentMethodFlow } from '../../flows/index.js'
import type { ViewContext } from '../context.js'
import { runAction, setBusy } from '../parts/actions.js'
import { button, h, uid } from '../parts/kit.js'
import { cardLabel } from './labels.js'
import { stripeCardForm } from './stripe-entry.js'

export interface AddMethodHandlers {
  /** Attaches a sandbox test card or the PaymentMethod Stripe confirmed: the method, or the server's reason thrown. */
  attach(paymentMethod: string, makeDefault: boolean): Promise<PaymentMethod>
  /** The method is attached (the add-payment-method flow has reloaded the list). */
  added(method: PaymentMethod): void
  /** The user gave up (or read that adding is unavailable). */
  close(): void
}

/** Starts the flow's setup: what the form is drawn for, or the failure thrown. */
export async function beginAdding(flow: AddPaymentMethodFlow): Promise<PaymentSetup> {
  const state = await flow.begin()
  if (state.status === 'failed') throw state.error
  if (state.status !== 'collecting') throw new DOMException('The setup was left', 'AbortError')
  return state.setup
}

/** Attaches through the flow: the method, or the server's reason thrown (a declined card: the form shows it). */
export async function attachWith(flow: AddPaymentMethodFlow, paymentMethod: string, makeDefault: boolean): Promise<PaymentMethod> {
  const state = await flow.attach(paymentMethod, makeDefault)
  if (state.status === 'done') return state.method
  if (state.status === 'collecting' && state.error) throw state.error
  throw new DOMException('The form was left', 'AbortError')
}

/**
 * The form that adds a payment method once the flow's setup has answered.
 * The sandbox provider lets the user pick a test card; the Stripe provider loads Stripe's
 * Payment Element (./stripe-entry.ts).
 */
export function addMethodForm(ctx: ViewContext, setup: PaymentSetup, handlers: AddMethodHandlers): HTMLElement {
  return setup.provider === 'sandbox' ? sandboxForm(ctx, setup.test_cards, handlers) : stripeEntry(ctx, setup, handlers)
}

function stripeEntry(ctx: ViewContext, setup: Extract<PaymentSetup, { provider: 'stripe' }>, handlers: AddMethodHandlers): HTMLElement {
  return panel(ctx, stripeCardForm(ctx, setup, handlers))
}

function sandboxForm(ctx: ViewContext, testCards: string[], handlers: AddMethodHandlers): HTMLElement {
  const { t } = ctx
  const group = uid('card')
  const errorId = uid('add-error')
  const error = h('p', { class: 'ap-form__error', id: errorId })
  const makeDefault = h('input', { type: 'checkbox', name: 'make_default' })
  const submit = h('button', { type: 'submit', class: 'ap-button ap-button--primary', 'aria-describedby': errorId }, t('billing.add.submit'))
  const form = h(
    'form',
    { class: 'ap-form', onSubmit: (event) => void add(event) },
    h('p', { class: 'ap-muted' }, t('billing.add.sandbox')),
    h(
      'fieldset',
      { class: 'ap-fieldset' },
      h('legend', null, t('billing.add.card')),
      testCards.map((token, i) =>
        h('label', { class: 'ap-choice' }, h('input', { type: 'radio', name: group, value: token, checked: i === 0 }), ' ', testCardName(token), ' ', h('code', null, token)),
      ),
    ),
    h('label', { class: 'ap-choice' }, makeDefault, ' ', t('billing.add.makeDefault')),
    error,
    h('div', { class: 'ap-actions' }, submit, button(t('billing.add.cancel'), handlers.close)),
  )
  let busy = false

  async function add(event: Event): Promise<void> {
    event.preventDefault()
    const chosen = form.querySelector<HTMLInputElement>(`input[name="${group}"]:checked`)
    if (busy || !chosen) return
    busy = true
    error.textContent = ''
    setBusy(submit, true)
    await runAction(
      ctx,
      async () => {
        const method = await handlers.attach(chosen.value, makeDefault.checked)
        handlers.added(method)
        return t('billing.methods.added', { card: cardLabel(ctx, method) })
      },
      (failure) => {
        // A declined card says why, in the form, in the server's words.
        error.textContent = failure.message
      },
    )
    busy = false
    setBusy(submit, false)
  }

  return panel(ctx, form)
}

function panel(ctx: ViewContext, ...children: HTMLElement[]): HTMLElement {
  const headingId = uid('add')
  return h(
    'div',
    { class: 'ap-panel', role: 'region', 'aria-labelledby': headingId },
    h('h3', { id: headingId, class: 'ap-panel__title', tabindex: '-1' }, ctx.t('billing.add.title')),
    ...children,
  )
}

/** `pm_card_visa_debit` -> "Visa debit". */
function testCardName(token: string): string {
  const name = token.replace(/^pm_card_/, '').replace(/_/g, ' ')
  return name.charAt(0).toUpperCase() + name.slice(1)
}
