import type { PaymentMethod, PaymentSetup, PortalError } from '../api/types.js'
import { transitions, type Failed, type Table } from './machine.js'

/**
 * Add a payment method: set up (Stripe's SetupIntent, or the sandbox's test cards), collect
 * it (a form the UI draws; Stripe's Payment Element confirms there), then attach it. A
 * declined card goes back to collecting, with the server's reason in `error`.
 *
 *   idle -> setting_up -> collecting <-> attaching -> done ;  setting_up -> failed
 */
export type AddPaymentMethodState =
  | { status: 'idle' }
  | { status: 'setting_up' }
  | { status: 'collecting'; setup: PaymentSetup; error?: PortalError }
  | { status: 'attaching'; setup: PaymentSetup; paymentMethod: string; makeDefault?: boolean }
  | { status: 'done'; method: PaymentMethod }
  | { status: 'failed'; error: PortalError }

export type AddPaymentMethodEvent =
  | { type: 'begin' }
  | { type: 'setUp'; setup: PaymentSetup }
  | { type: 'attach'; paymentMethod: string; makeDefault?: boolean }
  | { type: 'attached'; method: PaymentMethod }
  | { type: 'close' }
  | Failed

const again = { begin: 'setting_up', close: 'idle' }

export const addPaymentMethodTable: Table = {
  idle: { begin: 'setting_up' },
  setting_up: { setUp: 'collecting', failed: 'failed', close: 'idle' },
  collecting: { attach: 'attaching', close: 'idle' },
  attaching: { attached: 'done', failed: 'collecting' },
  done: again,
  failed: again,
}

export const addPaymentMethodTransition = transitions<AddPaymentMethodState, AddPaymentMethodEvent>(addPaymentMethodTable, ['begin'])
