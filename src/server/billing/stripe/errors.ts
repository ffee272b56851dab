/**
 * Stripe's errors as the Portal API's, and the Portal API's Idempotency-Key as Stripe's.
 *
 * Errors are recognised by the `type` the `stripe` package gives them (no runtime import
 * of the package). What the customer may read passes through: a declined card's message.
 * What they may not (an authentication failure naming a key, a connection error, an
 * unexpected invalid request that names internal ids) becomes a plain Error, which the
 * handler answers as a generic 500 and hands to `onError`.
 */
import { sha256 } from '../../http.js'
import { BillingError } from '../types.js'
import type { StripeRequestOptions } from './client.js'

interface StripeErrorLike {
  type: string
  code?: string
  message?: string
  statusCode?: number
  headers?: Record<string, string | string[] | undefined>
}

export function isStripeError(error: unknown): error is StripeErrorLike {
  if (!(error instanceof Error)) return false
  const type = (error as Partial<StripeErrorLike>).type
  return typeof type === 'string' && type.startsWith('Stripe')
}

export const isResourceMissing = (error: unknown): boolean => isStripeError(error) && error.code === 'resource_missing'
export const isCardError = (error: unknown): boolean => isStripeError(error) && error.type === 'StripeCardError'
/** A key reused with other parameters (400), or while its first request still runs (409 `idempotency_key_in_use`). */
export const isIdempotencyClash = (error: unknown): boolean =>
  isStripeError(error) && (error.type === 'StripeIdempotencyError' || error.code === 'idempotency_key_in_use')

/** Stripe's own id alphabet (`in_1Abc...`, `pm_card_visa`): anything else never reaches a Stripe URL. */
export const isStripeId = (id: string): boolean => /^[A-Za-z0-9_]{1,255}$/.test(id)

function retryAfterSeconds(error: StripeErrorLike): number {
  const header = error.headers?.['retry-after']
  const value = Number(Array.isArray(header) ? header[0] : header)
  return Number.isFinite(value) && value > 0 ? value : 1
}

/** Maps anything a Stripe call threw; BillingErrors pass unchanged. */
export function toBillingError(error: unknown): unknown {
  if (error instanceof BillingError || !isStripeError(error)) return error
  switch (error.type) {
    case 'StripeCardError':
      return new BillingError('payment_failed', error.message || 'Your card was declined.', { field: 'payment_method' })
    case 'StripeRateLimitError':
      return new BillingError('rate_limited', 'Too many requests to the billing provider; try again shortly', { retryAfter: retryAfterSeconds(error) })
    case 'StripeIdempotencyError':
      return new BillingError('conflict', 'This Idempotency-Key was already used for a different request')
    case 'StripeInvalidRequestError':
      if (error.code === 'resource_missing') return new BillingError('not_found', 'No such resource')
      if (error.code === 'idempotency_key_in_use') return new BillingError('conflict', 'This request is already being processed; retry shortly', { retryAfter: 1 })
      break
  }
  return new Error(`Stripe request failed (${error.type}${error.code ? `, ${error.code}` : ''}): ${error.message ?? ''}`, { cause: error })
}

/**
 * Derives one Stripe idempotency key per write of a Portal API call. Deterministic, so a
 * retry on any handler instance repeats the same Stripe writes (Stripe replays them) with
 * no shared state of ours; scoped by owner (the customer, or a pricing page), so two
 * customers sending the same key never share a Stripe result.
 */
export async function idempotencyKeys(owner: string, key: string | undefined): Promise<(step: string) => StripeRequestOptions | undefined> {
  if (key === undefined) return () => undefined
  const digest = await sha256(`${owner}\n${key}`)
  return (step) => ({ idempotencyKey: `portal-${digest}-${step}` })
}
