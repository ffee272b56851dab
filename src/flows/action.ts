import type { PortalError } from '../api/types.js'
import { transitions, type Failed, type Table } from './machine.js'

/**
 * One request and its outcome: resume, roll a key, revoke it, set a default card, undo a
 * scheduled change... `input` is what it ran with (which key), so a UI can tell.
 *
 *   idle -> running -> done | failed ;  done | failed -> running (again) | idle (reset)
 */
export type ActionState<I, R> =
  | { status: 'idle' }
  | { status: 'running'; input: I }
  | { status: 'done'; input: I; result: R }
  | { status: 'failed'; input: I; error: PortalError }

export type ActionEvent<I, R> = { type: 'run'; input: I } | { type: 'succeeded'; result: R } | { type: 'reset' } | Failed

const again = { run: 'running', reset: 'idle' }

export const actionTable: Table = {
  idle: { run: 'running' },
  running: { succeeded: 'done', failed: 'failed' },
  done: again,
  failed: again,
}

const transition = transitions<ActionState<unknown, unknown>, ActionEvent<unknown, unknown>>(actionTable, ['run'])
export const actionTransition = transition as <I, R>(state: ActionState<I, R>, event: ActionEvent<I, R>) => ActionState<I, R>
