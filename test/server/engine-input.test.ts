/**
 * The engine's seller input is parsed by the schemas of src/server/schemas/engine-input.ts:
 * each refusal names the field by its path, in the engine's wording.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PlanInput } from '../../src/server/billing/engine/validate.js'
import { createTestPortal, type TestPortal } from '../helpers/portal.js'

let portal: TestPortal
beforeAll(async () => {
  portal = createTestPortal({ seed: false })
  await portal.billing.createApp({ id: 'app_x', name: 'X', metrics: [{ key: 'api_calls', name: 'API calls', unit: 'calls' }] })
})
afterAll(() => portal.close())

const price = { period: 'month', amount: 100, currency: 'usd' } as const
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: { code: string; message: string; field?: string }) => ({ code: error.code, message: error.message, field: error.field }),
  )

describe('engine input from the schemas', () => {
  it.each<[string, unknown, string, string]>([
    ['a blank name', { name: '  ', prices: [price] }, 'name', 'name must be a non-empty string'],
    ['a missing name', { prices: [price] }, 'name', 'Missing required field `name`'],
    ['no prices', { name: 'P', prices: [] }, 'prices', 'prices must list at least one price'],
    ['a weekly price', { name: 'P', prices: [{ ...price, period: 'week' }] }, 'prices[0].period', 'prices[0].period must be "month" or "year"'],
    ['a bad currency', { name: 'P', prices: [price, { ...price, period: 'year', currency: 'dollars' }] }, 'prices[1].currency', 'prices[1].currency must be an ISO 4217 code'],
    ['a negative amount', { name: 'P', prices: [{ ...price, amount: -1 }] }, 'prices[0].amount', 'prices[0].amount must be an integer of at least 0'],
    ['a negative quota', { name: 'P', quotas: { api_calls: -5 }, prices: [price] }, 'quotas.api_calls.limit', 'quotas.api_calls.limit must be an integer of at least 0'],
    ['overage per 0', { name: 'P', quotas: { api_calls: { limit: 5, overage: { amount: 1, per: 0 } } }, prices: [price] }, 'quotas.api_calls.overage.per', 'quotas.api_calls.overage.per must be an integer of at least 1'],
    ['a feature that is not text', { name: 'P', features: ['ok', 3], prices: [price] }, 'features[1]', 'features[1] must be a string'],
    ['a bad id', { id: 'has space', name: 'P', prices: [price] }, 'id', 'id must be 1-100 letters, digits, _ or -'],
    ['a string featured', { name: 'P', featured: 'yes', prices: [price] }, 'featured', 'featured must be a boolean'],
  ])('refuses a plan with %s', async (_name, plan, field, message) => {
    expect(await refusal(portal.billing.createPlan('app_x', plan as PlanInput))).toEqual({ code: 'invalid_request', field, message })
  })

  it('keeps what it parsed: trimmed text, upper-case currency, defaults', async () => {
    const plan = await portal.billing.createPlan('app_x', { name: '  Pro  ', quotas: { api_calls: null }, prices: [price] })
    expect(plan).toMatchObject({ name: 'Pro', description: '', features: [], trial_days: 0, featured: false, quotas: { api_calls: null } })
    expect(plan.prices[0]).toMatchObject({ currency: 'USD', amount: 100 })
  })

  it('refuses a customer and an app by field', async () => {
    expect(await refusal(portal.billing.createCustomer('app_x', { customUid: 'c'.repeat(201) }))).toEqual({
      code: 'invalid_request',
      field: 'customUid',
      message: 'customUid is longer than 200 characters',
    })
    expect(await refusal(portal.billing.createApp({ name: 'Y', metrics: [{ key: 'API Calls', name: 'n', unit: 'u' }] }))).toEqual({
      code: 'invalid_request',
      field: 'metrics[0].key',
      message: 'metrics[0].key must be snake_case',
    })
  })
})
