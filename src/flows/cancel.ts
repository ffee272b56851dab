import type { PortalError, Subscription } from '../api/types.js'
import { transitions, type Failed, type Table } from './machine.js'

/**
 * Cancel: open the choice (at the period end by default: the customer keeps what they paid
 * for), choose, confirm. The choice is the flow's, not a radio button's.
 *
 *   idle -> choosing -> canceling -> done | failed ;  failed -> canceling (Retry)
 */
export type CancelState =
  | { status: 'idle' }
  | { status: 'choosing'; atPeriodEnd: boolean }
  | { status: 'canceling'; atPeriodEnd: boolean }
  | { status: 'done'; atPeriodEnd: boolean; subscription: Subscription }
  | { status: 'failed'; atPeriodEnd: boolean; error: PortalError }

export type CancelEvent =
  | { type: 'open'; atPeriodEnd: boolean }
  | { type: 'choose'; atPeriodEnd: boolean }
  | { type: 'confirm' }
  | { type: 'canceled'; subscription: Subscription }
  | { type: 'close' }
  | Failed

export const cancelTable: Table = {
  idle: { open: 'choosing' },
  choosing: { choose: 'choosing', confirm: 'canceling', close: 'idle' },
  canceling: { canceled: 'done', failed: 'failed' },
  done: { open: 'choosing', close: 'idle' },
  failed: { open: 'choosing', close: 'idle', confirm: 'canceling' },
}

export const cancelTransition = transitions<CancelState, CancelEvent>(cancelTable, ['open'])
