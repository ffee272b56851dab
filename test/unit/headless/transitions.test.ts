// @vitest-environment node
/**
 * The flows' pure transitions, as tables: every state against every event, with no
 * request, store or DOM. An event a state does not take returns the very same state.
 */
import { describe, expect, test } from 'vitest'
import type { PaymentSetup, PortalError, SubscriptionPreview } from '../../../src/api/types.js'
import { actionTransition, type ActionState } from '../../../src/flows/action.js'
import { addPaymentMethodTransition } from '../../../src/flows/add-payment-method.js'
import { cancelTransition } from '../../../src/flows/cancel.js'
import { changePlanTransition, needsPaymentMethod, type ChangePlanState } from '../../../src/flows/change-plan.js'

const error: PortalError = { code: 'payment_failed', message: 'Declined' }
const preview = { price_id: 'price_b', amount_due_now: 1000, currency: 'usd', next_renewal_amount: 2000, effective: 'now', effective_at: 1, lines: [] } as SubscriptionPreview
const subscription = { id: 'sub_1' } as never

/** Each row: from state, event, the status it leads to (`same`: the state object itself comes back). */
function table<S extends { status: string }, E>(transition: (s: S, e: E) => S, states: S[], rows: [S['status'], E, S['status'] | 'same'][]) {
  const byStatus = new Map(states.map((s) => [s.status, s]))
  for (const [from, event, to] of rows) {
    const state = byStatus.get(from)!
    const next = transition(state, event)
    if (to === 'same') expect(next, `${from} + ${JSON.stringify(event)}`).toBe(state)
    else expect(next.status, `${from} + ${JSON.stringify(event)}`).toBe(to)
  }
}

describe('change plan', () => {
  const key = 'idem_1'
  const states: ChangePlanState[] = [
    { status: 'idle' },
    { status: 'previewing', priceId: 'price_b' },
    { status: 'needs_payment_method', priceId: 'price_b', preview, idempotencyKey: key },
    { status: 'ready', priceId: 'price_b', preview, idempotencyKey: key },
    { status: 'confirming', priceId: 'price_b', preview, idempotencyKey: key },
    { status: 'done', priceId: 'price_b', preview, subscription },
    { status: 'failed', priceId: 'price_b', error, preview, idempotencyKey: key },
  ]
  const choose = { type: 'choose', priceId: 'price_c' } as const
  const previewed = { type: 'previewed', preview, idempotencyKey: key } as const
  const needs = { type: 'needs_payment_method', preview, idempotencyKey: key } as const
  const added = { type: 'paymentMethodAdded' } as const
  const confirm = { type: 'confirm' } as const
  const confirmed = { type: 'confirmed', subscription } as const
  const failed = { type: 'failed', error } as const
  const close = { type: 'close' } as const

  test('the table', () => {
    table(changePlanTransition, states, [
      ['idle', choose, 'previewing'], ['idle', confirm, 'same'], ['idle', close, 'same'], ['idle', previewed, 'same'],
      ['previewing', previewed, 'ready'], ['previewing', needs, 'needs_payment_method'], ['previewing', failed, 'failed'],
      ['previewing', choose, 'previewing'], ['previewing', confirm, 'same'], ['previewing', close, 'idle'],
      ['needs_payment_method', added, 'ready'], ['needs_payment_method', confirm, 'same'], ['needs_payment_method', close, 'idle'],
      ['ready', confirm, 'confirming'], ['ready', added, 'same'], ['ready', choose, 'previewing'], ['ready', close, 'idle'],
      ['confirming', confirmed, 'done'], ['confirming', failed, 'failed'], ['confirming', choose, 'same'], ['confirming', close, 'same'], ['confirming', confirm, 'same'],
      ['done', choose, 'previewing'], ['done', close, 'idle'], ['done', confirm, 'same'],
      ['failed', confirm, 'confirming'], ['failed', choose, 'previewing'], ['failed', close, 'idle'], ['failed', confirmed, 'same'],
    ])
  })

  test('confirming again after a failure keeps the preview and its Idempotency-Key, without the error', () => {
    const failedConfirm = changePlanTransition(states[4], failed)
    expect(failedConfirm).toEqual({ status: 'failed', priceId: 'price_b', preview, idempotencyKey: key, error })
    expect(changePlanTransition(failedConfirm, confirm)).toEqual({ status: 'confirming', priceId: 'price_b', preview, idempotencyKey: key })
  })

  test('a failed preview has nothing to confirm; a new choice never inherits the old preview', () => {
    const failedPreview = changePlanTransition(states[1], failed)
    expect(failedPreview).toEqual({ status: 'failed', priceId: 'price_b', error })
    expect(changePlanTransition(failedPreview, confirm)).toBe(failedPreview)
    expect(changePlanTransition(states[3], choose)).toEqual({ status: 'previewing', priceId: 'price_c' })
    expect(changePlanTransition(states[5], close)).toEqual({ status: 'idle' })
  })

  test('a payment method is needed for a charge now, unless the backend says otherwise', () => {
    expect(needsPaymentMethod(preview)).toBe(true)
    expect(needsPaymentMethod({ ...preview, amount_due_now: 0 })).toBe(false)
    expect(needsPaymentMethod({ ...preview, effective: 'period_end' })).toBe(false)
    expect(needsPaymentMethod({ ...preview, needs_card: false })).toBe(false)
    expect(needsPaymentMethod({ ...preview, amount_due_now: 0, needs_card: true })).toBe(true)
  })
})

describe('add payment method', () => {
  const setup: PaymentSetup = { provider: 'sandbox', test_cards: ['pm_card_visa'] }
  const method = { id: 'pm_1' } as never
  const states = [
    { status: 'idle' },
    { status: 'setting_up' },
    { status: 'collecting', setup },
    { status: 'attaching', setup, paymentMethod: 'pm_card_visa' },
    { status: 'done', method },
    { status: 'failed', error },
  ] as const
  test('the table', () => {
    table(addPaymentMethodTransition, [...states], [
      ['idle', { type: 'begin' }, 'setting_up'], ['idle', { type: 'attach', paymentMethod: 'x' }, 'same'],
      ['setting_up', { type: 'setUp', setup }, 'collecting'], ['setting_up', { type: 'failed', error }, 'failed'], ['setting_up', { type: 'close' }, 'idle'],
      ['collecting', { type: 'attach', paymentMethod: 'pm_card_visa' }, 'attaching'], ['collecting', { type: 'close' }, 'idle'], ['collecting', { type: 'begin' }, 'same'],
      ['attaching', { type: 'attached', method }, 'done'], ['attaching', { type: 'failed', error }, 'collecting'], ['attaching', { type: 'close' }, 'same'],
      ['done', { type: 'begin' }, 'setting_up'], ['done', { type: 'close' }, 'idle'],
      ['failed', { type: 'begin' }, 'setting_up'], ['failed', { type: 'close' }, 'idle'],
    ])
  })
  test('a declined card goes back to the form with the reason, which the next attempt clears', () => {
    const declined = addPaymentMethodTransition(states[3], { type: 'failed', error })
    expect(declined).toMatchObject({ status: 'collecting', setup, error })
    expect(addPaymentMethodTransition(declined, { type: 'attach', paymentMethod: 'pm_card_mastercard' })).not.toHaveProperty('error')
  })
})

describe('cancel', () => {
  const states = [
    { status: 'idle' },
    { status: 'choosing', atPeriodEnd: true },
    { status: 'canceling', atPeriodEnd: true },
    { status: 'done', atPeriodEnd: true, subscription },
    { status: 'failed', atPeriodEnd: false, error },
  ] as const
  test('the table', () => {
    table(cancelTransition, [...states], [
      ['idle', { type: 'open', atPeriodEnd: true }, 'choosing'], ['idle', { type: 'confirm' }, 'same'],
      ['choosing', { type: 'choose', atPeriodEnd: false }, 'choosing'], ['choosing', { type: 'confirm' }, 'canceling'], ['choosing', { type: 'close' }, 'idle'],
      ['canceling', { type: 'canceled', subscription }, 'done'], ['canceling', { type: 'failed', error }, 'failed'], ['canceling', { type: 'close' }, 'same'], ['canceling', { type: 'choose', atPeriodEnd: false }, 'same'],
      ['done', { type: 'open', atPeriodEnd: true }, 'choosing'], ['done', { type: 'close' }, 'idle'], ['done', { type: 'confirm' }, 'same'],
      ['failed', { type: 'confirm' }, 'canceling'], ['failed', { type: 'close' }, 'idle'],
    ])
  })
  test('the choice is kept in the state through canceling and its outcome', () => {
    const now = cancelTransition(states[1], { type: 'choose', atPeriodEnd: false })
    const canceling = cancelTransition(now, { type: 'confirm' })
    expect(canceling).toEqual({ status: 'canceling', atPeriodEnd: false })
    expect(cancelTransition(canceling, { type: 'canceled', subscription })).toEqual({ status: 'done', atPeriodEnd: false, subscription })
    expect(cancelTransition(states[3], { type: 'open', atPeriodEnd: true })).toEqual({ status: 'choosing', atPeriodEnd: true })
  })
})

describe('action (resume, roll key...)', () => {
  const states: ActionState<string, string>[] = [
    { status: 'idle' },
    { status: 'running', input: 'key_1' },
    { status: 'done', input: 'key_1', result: 'r' },
    { status: 'failed', input: 'key_1', error },
  ]
  test('the table', () => {
    table(actionTransition<string, string>, states, [
      ['idle', { type: 'run', input: 'key_2' }, 'running'], ['idle', { type: 'reset' }, 'same'], ['idle', { type: 'succeeded', result: 'x' }, 'same'],
      ['running', { type: 'succeeded', result: 'r' }, 'done'], ['running', { type: 'failed', error }, 'failed'], ['running', { type: 'run', input: 'key_2' }, 'same'], ['running', { type: 'reset' }, 'same'],
      ['done', { type: 'run', input: 'key_2' }, 'running'], ['done', { type: 'reset' }, 'idle'],
      ['failed', { type: 'run', input: 'key_2' }, 'running'], ['failed', { type: 'reset' }, 'idle'],
    ])
    expect(actionTransition<string, string>(states[2], { type: 'run', input: 'key_2' })).toEqual({ status: 'running', input: 'key_2' })
  })
})
