/**
 * The sandbox's test payment methods, named like Stripe's test tokens. No card number is
 * ever accepted or stored: a token maps to a brand and the last four digits.
 */
import { BillingError } from '../types.js'

export interface TestCard {
  brand: string
  last4: string
  /** `decline`: attaches, but every charge fails (Stripe's `pm_card_chargeDeclined`). */
  charge_outcome: 'succeed' | 'decline'
}

const CARDS: Record<string, TestCard> = {
  pm_card_visa: { brand: 'visa', last4: '4242', charge_outcome: 'succeed' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444', charge_outcome: 'succeed' },
  pm_card_amex: { brand: 'amex', last4: '8431', charge_outcome: 'succeed' },
  pm_card_chargeDeclined: { brand: 'visa', last4: '0341', charge_outcome: 'decline' },
}

/** Offered by `setupPaymentMethod`: the tokens a sandbox user may pick. */
export const TEST_CARD_TOKENS = ['pm_card_visa', 'pm_card_mastercard', 'pm_card_amex', 'pm_card_declined']

export function testCard(token: string): TestCard {
  if (token === 'pm_card_declined') throw new BillingError('payment_failed', 'Your card was declined.', { field: 'payment_method' })
  const card = Object.hasOwn(CARDS, token) ? CARDS[token] : undefined
  if (!card) {
    throw new BillingError('invalid_request', `Unknown payment method "${token}": use a test token such as pm_card_visa.`, {
      field: 'payment_method',
    })
  }
  return card
}
