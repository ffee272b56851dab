/** Checks what a seller passes to the engine (through ../../schemas/engine-input.ts); each error names the field at fault. */
import type * as z from 'zod'
import type { Period } from '../../../api/types.js'
import { AppInputSchema, CustomerInputSchema, engineField, PlanInputSchema } from '../../schemas/engine-input.js'
import { parseWith } from '../../schemas/fields.js'
import { BillingError } from '../types.js'
import { newId } from './ids.js'
import type { Flag } from './schema.js'

export interface MetricInput {
  /** e.g. `api_calls`. */
  key: string
  /** e.g. `API calls`. */
  name: string
  /** e.g. `calls`. */
  unit: string
}

export interface AppInput {
  id?: string
  name: string
  /** Default: `pk_` + random. */
  publicKey?: string
  /** Invoice numbers read `{prefix}-0001`; default: the id in capitals. */
  invoicePrefix?: string
  metrics?: MetricInput[]
}

export interface PriceInput {
  id?: string
  period: Period
  /** Minor units. */
  amount: number
  /** ISO 4217, e.g. `USD`. */
  currency: string
}

export interface QuotaInput {
  /** Units per period; null is unlimited. */
  limit: number | null
  /** Optional overage: `amount` minor units per started block of `per` units beyond the limit. */
  overage?: { amount: number; per: number }
}

export interface PlanInput {
  id?: string
  name: string
  description?: string
  features?: string[]
  /** Boolean entitlements the plan grants, e.g. `['sso', 'priority_support']`: `check(scope, 'sso')` answers them. */
  flags?: string[]
  /** Per metric key: a limit (null = unlimited), or a limit with overage pricing. */
  quotas?: Record<string, number | null | QuotaInput>
  trialDays?: number
  featured?: boolean
  /** Hidden plans are not listed; a seller can still `subscribe` a customer to one. Default true. */
  public?: boolean
  sortOrder?: number
  prices: PriceInput[]
}

export interface CustomerInput {
  customUid: string
  email?: string
  name?: string
}

const invalid = (field: string, message: string) => new BillingError('invalid_request', message, { field })
const parse = <S extends z.ZodType>(schema: S, value: unknown): z.output<S> => parseWith(schema, value, engineField)

function id(value: string | undefined, prefix: string): string {
  return value ?? newId(prefix)
}

export function validateApp(input: AppInput) {
  const app = parse(AppInputSchema, input)
  const appId = id(app.id, 'app')
  const publicKey = id(app.publicKey, 'pk')
  const prefix = app.invoicePrefix ?? appId.replace(/^app_/, '').replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, 12)
  if (!/^[A-Z0-9]{1,12}$/.test(prefix)) throw invalid('invoicePrefix', 'invoicePrefix must be 1-12 capital letters or digits')
  if (new Set(app.metrics.map((m) => m.key)).size !== app.metrics.length) throw invalid('metrics', 'metrics has a key twice')
  return {
    id: appId,
    public_key: publicKey,
    metrics: app.metrics,
    row: { id: appId, name: app.name, public_key: publicKey, invoice_prefix: prefix, next_invoice_seq: 1 },
  }
}

export function validatePlan(input: PlanInput) {
  const plan = parse(PlanInputSchema, input)
  const prices = plan.prices.map((p) => ({ ...p, id: id(p.id, 'price') }))
  if (new Set(prices.map((p) => p.id)).size !== prices.length) throw invalid('prices', 'prices has an id twice')
  const quotas = Object.entries(plan.quotas).map(([metric, q]) => ({
    metric,
    quota: q.limit,
    overage_amount: q.overage?.amount ?? null,
    overage_block: q.overage?.per ?? null,
  }))
  if (new Set(plan.flags).size !== plan.flags.length) throw invalid('flags', 'flags has a key twice')
  const clash = plan.flags.find((f) => quotas.some((q) => q.metric === f))
  if (clash) throw invalid('flags', `"${clash}" is both a flag and a quota: check() could not tell them apart`)
  return {
    id: id(plan.id, 'plan'),
    prices,
    quotas,
    row: {
      name: plan.name,
      description: plan.description,
      features: JSON.stringify(plan.features),
      flags: JSON.stringify(plan.flags),
      trial_days: plan.trialDays,
      featured: (plan.featured ? 1 : 0) as Flag,
      public: (plan.public ? 1 : 0) as Flag,
      sort_order: plan.sortOrder,
    },
  }
}

export function validateCustomer(input: CustomerInput) {
  const c = parse(CustomerInputSchema, input)
  return { custom_uid: c.customUid, email: c.email, name: c.name }
}
