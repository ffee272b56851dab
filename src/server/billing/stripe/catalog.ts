/**
 * Plans from a Stripe catalog: every active Product with at least one active, licensed,
 * per-unit recurring Price billed every month or every year. What Stripe has no field
 * for comes from the product's metadata (docs/stripe.md):
 *
 *   quota_<metric>  whole number per month, or `unlimited`      quota_api_calls=250000
 *   features        JSON array of strings, or `|`-separated      features=Email support|SLA
 *                   (default: the product's marketing features)
 *   featured        `true` marks the plan to highlight
 *   trial_days      days of free trial when a subscription starts
 *   public          `false` hides the plan from the pricing page and plan picker
 *   sort_order      number; plans sort by it, then by their monthly amount
 */
import type { MetricInfo, Period, Plan, Price } from '../../../api/types.js'
import { idOf, type StripeClient, type StripePrice, type StripeProduct } from './client.js'

export interface CatalogPlan extends Plan {
  public: boolean
  sortOrder: number | null
}

export interface Catalog {
  plans: CatalogPlan[]
  /** Every plan price by id, with its plan. */
  prices: Map<string, { price: Price; plan: CatalogPlan }>
}

/** A configured meter as the catalog sees it: the quota key it counts, and the seller's name and unit for it. */
export interface MeteredMetric {
  metric: string
  name?: string
  unit?: string
}

/** Thrown for metadata the portal cannot read: a seller's setup error, reported through the handler's `onError`. */
export class CatalogError extends Error {
  override name = 'CatalogError'
}

const PAGE = 100

async function listAll<T extends { id: string }>(page: (startingAfter?: string) => Promise<{ data: T[]; has_more: boolean }>): Promise<T[]> {
  const all: T[] = []
  let cursor: string | undefined
  for (;;) {
    const list = await page(cursor)
    all.push(...list.data)
    if (!list.has_more || list.data.length === 0) return all
    cursor = list.data[list.data.length - 1].id
  }
}

export function periodOf(price: StripePrice): Period | null {
  const r = price.recurring
  if (!r || r.interval_count !== 1) return null
  return r.interval === 'month' || r.interval === 'year' ? r.interval : null
}

/** A price the portal can offer: flat, licensed, monthly or yearly. Metered prices (overage) are billed by Stripe but not chosen. */
function isPlanPrice(price: StripePrice): boolean {
  return (
    price.active &&
    price.type === 'recurring' &&
    price.unit_amount !== null &&
    (price.billing_scheme ?? 'per_unit') === 'per_unit' &&
    (price.recurring?.usage_type ?? 'licensed') === 'licensed' &&
    periodOf(price) !== null
  )
}

export function toPrice(price: StripePrice): Price | null {
  const period = periodOf(price)
  if (period === null || price.unit_amount === null) return null
  return { id: price.id, period, amount: price.unit_amount, currency: price.currency.toUpperCase() }
}

function parseFeatures(product: StripeProduct): string[] {
  const raw = product.metadata.features
  if (raw === undefined || raw.trim() === '') {
    return (product.marketing_features ?? []).map((f) => f.name ?? '').filter((name) => name !== '')
  }
  if (raw.trim().startsWith('[')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(raw)
    } catch {
      throw new CatalogError(`Stripe product ${product.id}: metadata.features is not valid JSON`)
    }
    if (!Array.isArray(parsed) || !parsed.every((f) => typeof f === 'string')) {
      throw new CatalogError(`Stripe product ${product.id}: metadata.features must be a JSON array of strings`)
    }
    return parsed
  }
  return raw
    .split('|')
    .map((f) => f.trim())
    .filter((f) => f !== '')
}

function parseQuotas(product: StripeProduct, meters: readonly MeteredMetric[]): Record<string, number | null> {
  const quotas: Record<string, number | null> = {}
  for (const [key, value] of Object.entries(product.metadata)) {
    const metric = /^quota_(.+)$/.exec(key)?.[1]
    if (!metric) continue
    const text = value.trim().toLowerCase()
    if (text === 'unlimited' || text === '') quotas[metric] = null
    else if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) quotas[metric] = Number(text)
    else throw new CatalogError(`Stripe product ${product.id}: metadata.${key} must be a whole number or "unlimited" (got ${JSON.stringify(value)})`)
  }
  // A metered metric the product sets no quota for is unlimited on that plan.
  for (const { metric } of meters) if (!(metric in quotas)) quotas[metric] = null
  return quotas
}

/**
 * The quota metrics the seller named on a meter. One without a name (or with no meter at
 * all) is left out, so the portal derives a name from its id rather than show the raw key.
 */
function namedMetrics(quotas: Plan['quotas'], meters: readonly MeteredMetric[]): Record<string, MetricInfo> {
  const metrics: Record<string, MetricInfo> = {}
  for (const { metric, name, unit } of meters) if (name && metric in quotas) metrics[metric] = { name, unit: unit ?? '' }
  return metrics
}

function parseWholeNumber(product: StripeProduct, key: string): number | null {
  const value = product.metadata[key]
  if (value === undefined || value.trim() === '') return null
  if (!/^-?\d+$/.test(value.trim())) throw new CatalogError(`Stripe product ${product.id}: metadata.${key} must be a whole number (got ${JSON.stringify(value)})`)
  return Number(value.trim())
}

export function toPlan(product: StripeProduct, prices: StripePrice[], meters: readonly MeteredMetric[]): CatalogPlan {
  const wirePrices = prices
    .map(toPrice)
    .filter((p): p is Price => p !== null)
    .sort((a, b) => (a.period === b.period ? a.amount - b.amount : a.period === 'month' ? -1 : 1))
  const trialDays = parseWholeNumber(product, 'trial_days')
  if (trialDays !== null && trialDays < 0) throw new CatalogError(`Stripe product ${product.id}: metadata.trial_days must not be negative`)
  const quotas = parseQuotas(product, meters)
  return {
    id: product.id,
    name: product.name,
    description: product.description ?? '',
    features: parseFeatures(product),
    quotas,
    metrics: namedMetrics(quotas, meters),
    trial_days: trialDays ?? 0,
    featured: product.metadata.featured === 'true',
    prices: wirePrices,
    public: product.metadata.public !== 'false',
    sortOrder: parseWholeNumber(product, 'sort_order'),
  }
}

const monthlyAmount = (plan: Plan): number => {
  const month = plan.prices.find((p) => p.period === 'month')
  if (month) return month.amount
  const year = plan.prices.find((p) => p.period === 'year')
  return year ? year.amount / 12 : Infinity
}

function comparePlans(a: CatalogPlan, b: CatalogPlan): number {
  const order = (a.sortOrder ?? Infinity) - (b.sortOrder ?? Infinity)
  if (order !== 0 && !Number.isNaN(order)) return order
  return monthlyAmount(a) - monthlyAmount(b) || a.name.localeCompare(b.name)
}

export interface CatalogOptions {
  /** Keeps only the products that are plans of this portal. */
  includeProduct?: (product: StripeProduct) => boolean
  meters: readonly MeteredMetric[]
  /** Seconds a loaded catalog is reused; 0 reloads on every call. */
  ttlSeconds: number
}

/** Loads products and prices (every page), builds the plans, and keeps them `ttlSeconds`. */
export function catalogLoader(stripe: StripeClient, options: CatalogOptions): () => Promise<Catalog> {
  let cached: { at: number; value: Promise<Catalog> } | null = null

  async function load(): Promise<Catalog> {
    const [products, prices] = await Promise.all([
      listAll((starting_after) => stripe.products.list({ active: true, limit: PAGE, starting_after })),
      listAll((starting_after) => stripe.prices.list({ active: true, type: 'recurring', limit: PAGE, starting_after })),
    ])
    const byProduct = new Map<string, StripePrice[]>()
    for (const price of prices) {
      if (!isPlanPrice(price)) continue
      const productId = idOf(price.product)
      byProduct.set(productId, [...(byProduct.get(productId) ?? []), price])
    }
    const plans = products
      .filter((p) => p.active && byProduct.has(p.id) && (options.includeProduct?.(p) ?? true))
      .map((p) => toPlan(p, byProduct.get(p.id) ?? [], options.meters))
      .sort(comparePlans)
    const index = new Map<string, { price: Price; plan: CatalogPlan }>()
    for (const plan of plans) for (const price of plan.prices) index.set(price.id, { price, plan })
    return { plans, prices: index }
  }

  return () => {
    const now = Date.now()
    if (cached && now - cached.at < options.ttlSeconds * 1000) return cached.value
    const value = load()
    cached = { at: now, value }
    // A failed load is not kept: the next call tries again.
    value.catch(() => {
      if (cached?.value === value) cached = null
    })
    return value
  }
}

/** The wire plan, without the catalog's bookkeeping. */
export function wirePlan({ public: _public, sortOrder: _sortOrder, ...plan }: CatalogPlan): Plan {
  return plan
}
