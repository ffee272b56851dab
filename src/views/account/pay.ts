import type { Invoice, PortalError } from '../../api/types.js'
import { setBusy } from '../parts/actions.js'
import { h, type ButtonVariant } from '../parts/kit.js'
import { viewFlow, type AccountContext } from './context.js'

export interface PayControl {
  button: HTMLButtonElement
  /** Where a decline is shown, in the server's words (`Your card was declined.`). */
  error: HTMLElement
}

/**
 * Pays `invoice` with the default payment method through the `payInvoice` flow: busy while
 * it runs, the outcome announced, a decline shown in `error`. The flow reloads the account
 * and the invoices, so a past_due subscription that recovers shows it everywhere.
 */
export function payControl(ctx: AccountContext, invoice: Invoice, label: string, variant: ButtonVariant, ariaLabel?: string): PayControl {
  const { t } = ctx
  const flow = viewFlow(ctx, ctx.client.flows.payInvoice())
  const error = h('p', { class: 'ap-form__error', role: 'alert', hidden: true })
  const show = (failure: PortalError | undefined) => {
    error.textContent = failure?.message ?? ''
    error.hidden = !failure
  }
  const button = h(
    'button',
    { type: 'button', class: `ap-button ap-button--${variant}`, 'aria-label': ariaLabel, 'data-ap-focus': `pay-${invoice.id}`, onClick: () => void pay() },
    label,
  )
  async function pay(): Promise<void> {
    if (flow.get().status === 'running') return
    show(undefined)
    setBusy(button, true)
    const outcome = await flow.run(invoice.id)
    if (ctx.signal.aborted) return
    setBusy(button, false)
    if (outcome.status === 'done') ctx.announce(t('account.paid', { number: invoice.number }))
    else if (outcome.status === 'failed') {
      show(outcome.error)
      ctx.announce(outcome.error.message)
    }
  }
  return { button, error }
}

/** The invoices table's Pay, for an open invoice. */
export function payInvoiceButton(ctx: AccountContext, invoice: Invoice): HTMLElement {
  const { t } = ctx
  const { button, error } = payControl(ctx, invoice, t('account.pay'), 'primary', t('account.payLabel', { number: invoice.number }))
  return h('span', { class: 'ap-pay' }, button, error)
}
