/**
 * What a seller hands the billing engine (apps, metrics, plans, customers), as schemas:
 * `billing/engine/validate.ts` parses with them, and the Seller API takes the same
 * shapes over HTTP. Messages read `prices[0].currency must be an ISO 4217 code`.
 */
import * as z from 'zod'
import type { Describe } from './fields.js'
import { documentAs } from './registry.js'

/** How the engine words a field's problem: the field's path, then the predicate. */
export const engineField: Describe = (field, predicate) => `${field} ${predicate}`

const NON_EMPTY = 'must be a non-empty string'
/** A trimmed, non-blank string of at most `max` characters. */
export const requiredText = (max = 500) =>
  z.string({ error: NON_EMPTY }).max(max, { error: `is longer than ${max} characters` }).trim().min(1, { error: NON_EMPTY })
/** The same, possibly empty; left out it is ''. */
export const optionalText = (max = 500) =>
  z.string({ error: NON_EMPTY }).max(max, { error: `is longer than ${max} characters` }).trim().default('')

/** A seller-chosen id; left out, the engine makes one. */
export const sellerId = () => z.string({ error: 'must be 1-100 letters, digits, _ or -' }).regex(/^[A-Za-z0-9_-]{1,100}$/, { error: 'must be 1-100 letters, digits, _ or -' }).optional()

export const intAtLeast = (min: number) => z.int({ error: `must be an integer of at least ${min}` }).min(min, { error: `must be an integer of at least ${min}` })

const SNAKE = 'must be snake_case'
export const MetricInputSchema = z.object({
  key: z.string({ error: SNAKE }).regex(/^[a-z][a-z0-9_]{0,63}$/, { error: SNAKE }),
  name: requiredText(),
  unit: requiredText(),
})

export const PriceInputSchema = z.object({
  id: sellerId(),
  period: z.enum(['month', 'year'], { error: 'must be "month" or "year"' }),
  amount: intAtLeast(0),
  currency: z
    .string({ error: 'must be an ISO 4217 code' })
    .regex(/^[A-Za-z]{3}$/, { error: 'must be an ISO 4217 code' })
    .transform((code) => code.toUpperCase()),
})

const QuotaObject = z.object(
  {
    limit: intAtLeast(0).nullable(),
    overage: z.object({ amount: intAtLeast(0), per: intAtLeast(1) }, { error: 'must be { amount, per }' }).optional(),
  },
  { error: 'must be a number, null or { limit, overage }' },
)
/** A quota is a limit (null: unlimited) or `{ limit, overage: { amount, per } }`; parsed as the object form, so errors name `.limit`. */
export const QuotaInputSchema = documentAs(
  z.preprocess((value) => (value === null || typeof value === 'number' ? { limit: value } : value), QuotaObject),
  () => ({
    description: 'Units per period (null: unlimited), or `{ limit, overage: { amount, per } }` to bill `amount` minor units per started `per` units past the limit.',
    anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }, z.toJSONSchema(QuotaObject, { io: 'input' })].map(({ $schema: _, ...rest }: Record<string, unknown>) => rest),
  }),
)

export const AppInputSchema = z.object({
  id: sellerId(),
  name: requiredText(),
  publicKey: sellerId(),
  invoicePrefix: z.string({ error: 'must be 1-12 capital letters or digits' }).optional(),
  metrics: z.array(MetricInputSchema, { error: 'must be a list of metrics' }).default([]),
})

const FLAGS = 'must be a list of snake_case keys such as "sso"'
const AT_LEAST_ONE_PRICE = 'must list at least one price'
export const PlanInputSchema = z.object({
  id: sellerId(),
  name: requiredText(),
  description: optionalText(2000),
  features: z.array(z.string({ error: 'must be a string' }), { error: 'must be a list of strings' }).default([]),
  /** Boolean entitlements the plan grants (`sso`): what `check(scope, 'sso')` answers. A bad key names the list, as the engine always has. */
  flags: z
    .array(z.string(), { error: FLAGS })
    .refine((flags) => flags.every((flag) => /^[a-z][a-z0-9_]{0,63}$/.test(flag)), { error: FLAGS })
    .default([]),
  quotas: z.record(z.string(), QuotaInputSchema, { error: 'must be an object of quotas by metric key' }).default({}),
  trialDays: intAtLeast(0).default(0),
  featured: z.boolean({ error: 'must be a boolean' }).default(false),
  /** Hidden plans are not listed; a seller can still subscribe a customer to one. */
  public: z.boolean({ error: 'must be a boolean' }).default(true),
  sortOrder: intAtLeast(0).default(0),
  prices: z.array(PriceInputSchema, { error: AT_LEAST_ONE_PRICE }).min(1, { error: AT_LEAST_ONE_PRICE }),
})

export const CustomerInputSchema = z.object({
  customUid: requiredText(200),
  email: optionalText(320),
  name: optionalText(200),
})
