/** Checks what a seller passes to the engine; each error names the field at fault. */
import type { Period } from '../../../api/types.js'
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

function text(value: unknown, field: string, options: { required?: boolean; max?: number } = {}): string {
  if (value === undefined && !options.required) return ''
  if (typeof value !== 'string' || (options.required && value.trim() === '')) throw invalid(field, `${field} must be a non-empty string`)
  if (value.length > (options.max ?? 500)) throw invalid(field, `${field} is longer than ${options.max ?? 500} characters`)
  return value.trim()
}

function id(value: unknown, field: string, prefix: string): string {
  if (value === undefined) return newId(prefix)
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,100}$/.test(value)) throw invalid(field, `${field} must be 1-100 letters, digits, _ or -`)
  return value
}

function int(value: unknown, field: string, min: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min) throw invalid(field, `${field} must be an integer of at least ${min}`)
  return value as number
}

const FLAG = /^[a-z][a-z0-9_]{0,63}$/

export function validateMetric(m: MetricInput, field: string): MetricInput {
  if (typeof m?.key !== 'string' || !/^[a-z][a-z0-9_]{0,63}$/.test(m.key)) throw invalid(`${field}.key`, `${field}.key must be snake_case`)
  return { key: m.key, name: text(m.name, `${field}.name`, { required: true }), unit: text(m.unit, `${field}.unit`, { required: true }) }
}

export function validateApp(input: AppInput) {
  const appId = id(input.id, 'id', 'app')
  const publicKey = input.publicKey === undefined ? newId('pk') : id(input.publicKey, 'publicKey', 'pk')
  const prefix = input.invoicePrefix ?? appId.replace(/^app_/, '').replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, 12)
  if (!/^[A-Z0-9]{1,12}$/.test(prefix)) throw invalid('invoicePrefix', 'invoicePrefix must be 1-12 capital letters or digits')
  const metrics = (input.metrics ?? []).map((m, i) => validateMetric(m, `metrics[${i}]`))
  if (new Set(metrics.map((m) => m.key)).size !== metrics.length) throw invalid('metrics', 'metrics has a key twice')
  return {
    id: appId,
    public_key: publicKey,
    metrics,
    row: { id: appId, name: text(input.name, 'name', { required: true }), public_key: publicKey, invoice_prefix: prefix, next_invoice_seq: 1 },
  }
}

export function validatePlan(input: PlanInput) {
  const planId = id(input.id, 'id', 'plan')
  if (!Array.isArray(input.prices) || input.prices.length === 0) throw invalid('prices', 'prices must list at least one price')
  const prices = input.prices.map((p, i) => {
    const field = `prices[${i}]`
    if (p.period !== 'month' && p.period !== 'year') throw invalid(`${field}.period`, `${field}.period must be "month" or "year"`)
    if (typeof p.currency !== 'string' || !/^[A-Za-z]{3}$/.test(p.currency)) throw invalid(`${field}.currency`, `${field}.currency must be an ISO 4217 code`)
    return { id: id(p.id, `${field}.id`, 'price'), period: p.period, amount: int(p.amount, `${field}.amount`, 0), currency: p.currency.toUpperCase() }
  })
  if (new Set(prices.map((p) => p.id)).size !== prices.length) throw invalid('prices', 'prices has an id twice')
  const quotas = Object.entries(input.quotas ?? {}).map(([metric, value]) => {
    const field = `quotas.${metric}`
    const q: QuotaInput = value === null || typeof value === 'number' ? { limit: value } : value
    const limit = q.limit === null ? null : int(q.limit, `${field}.limit`, 0)
    const overage = q.overage ? { amount: int(q.overage.amount, `${field}.overage.amount`, 0), per: int(q.overage.per, `${field}.overage.per`, 1) } : null
    return { metric, quota: limit, overage_amount: overage?.amount ?? null, overage_block: overage?.per ?? null }
  })
  const features = input.features ?? []
  if (!Array.isArray(features) || features.some((f) => typeof f !== 'string')) throw invalid('features', 'features must be a list of strings')
  const flags = input.flags ?? []
  if (!Array.isArray(flags) || flags.some((f) => typeof f !== 'string' || !FLAG.test(f))) throw invalid('flags', 'flags must be a list of snake_case keys such as "sso"')
  if (new Set(flags).size !== flags.length) throw invalid('flags', 'flags has a key twice')
  const clash = flags.find((f) => quotas.some((q) => q.metric === f))
  if (clash) throw invalid('flags', `"${clash}" is both a flag and a quota: check() could not tell them apart`)
  return {
    id: planId,
    prices,
    quotas,
    row: {
      name: text(input.name, 'name', { required: true }),
      description: text(input.description, 'description', { max: 2000 }),
      features: JSON.stringify(features),
      flags: JSON.stringify(flags),
      trial_days: input.trialDays === undefined ? 0 : int(input.trialDays, 'trialDays', 0),
      featured: (input.featured ? 1 : 0) as Flag,
      public: (input.public === false ? 0 : 1) as Flag,
      sort_order: input.sortOrder === undefined ? 0 : int(input.sortOrder, 'sortOrder', 0),
    },
  }
}

export function validateCustomer(input: CustomerInput) {
  return {
    custom_uid: text(input.customUid, 'customUid', { required: true, max: 200 }),
    email: text(input.email, 'email', { max: 320 }),
    name: text(input.name, 'name', { max: 200 }),
  }
}
