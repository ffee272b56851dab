import type { PortalError, Subscription, SubscriptionPreview } from '../api/types.js'
import { transitions, type Failed, type Table } from './machine.js'

/**
 * Change plan: preview what a price costs, collect a payment method when confirming would
 * charge one and the customer has none, then confirm under one Idempotency-Key per preview
 * (a repeated Confirm, or a retry after a failure, changes the plan once).
 *
 *   idle -> previewing -> [needs_payment_method ->] ready -> confirming -> done | failed
 *   failed (after confirming) -> confirming, same key; choose again from any state but confirming
 */
export type ChangePlanState =
  | { status: 'idle' }
  | { status: 'previewing'; priceId: string }
  | { status: 'needs_payment_method'; priceId: string; preview: SubscriptionPreview; idempotencyKey: string }
  | { status: 'ready'; priceId: string; preview: SubscriptionPreview; idempotencyKey: string }
  | { status: 'confirming'; priceId: string; preview: SubscriptionPreview; idempotencyKey: string }
  | { status: 'done'; priceId: string; preview: SubscriptionPreview; subscription: Subscription }
  /** `preview` and `idempotencyKey` are there when confirming failed: Confirm may be tried again. */
  | { status: 'failed'; priceId: string; error: PortalError; preview?: SubscriptionPreview; idempotencyKey?: string }

export type ChangePlanEvent =
  | { type: 'choose'; priceId: string }
  | { type: 'previewed' | 'needs_payment_method'; preview: SubscriptionPreview; idempotencyKey: string }
  | { type: 'paymentMethodAdded' }
  | { type: 'confirm' }
  | { type: 'confirmed'; subscription: Subscription }
  | { type: 'close' }
  | Failed

const open = { choose: 'previewing', close: 'idle' }

export const changePlanTable: Table = {
  idle: { choose: 'previewing' },
  previewing: { ...open, previewed: 'ready', needs_payment_method: 'needs_payment_method', failed: 'failed' },
  needs_payment_method: { ...open, paymentMethodAdded: 'ready' },
  ready: { ...open, confirm: 'confirming' },
  confirming: { confirmed: 'done', failed: 'failed' },
  done: open,
  // Only a failed confirm has a preview to confirm again.
  failed: { ...open, confirm: (state: { preview?: unknown }) => (state.preview ? 'confirming' : '') },
}

export const changePlanTransition = transitions<ChangePlanState, ChangePlanEvent>(changePlanTable, ['choose'])

/** Whether confirming charges a payment method; a backend that does not say: anything charged now does. */
export function needsPaymentMethod(preview: SubscriptionPreview): boolean {
  return preview.needs_card ?? (preview.effective === 'now' && preview.amount_due_now > 0)
}
