/**
 * The demo data (`seed: 'demo'`): app `app_demo` (`pk_demo`) with Free, Starter, Pro and
 * Scale on `api_calls` plus a hidden legacy plan, and one customer per state; and a
 * second app, `app_other` (`pk_other`), whose customer reuses the uid `cus_active`, to
 * prove app isolation. Times are relative to the engine's clock. Built as rows and
 * written in one transaction with multi-row inserts, so a seeded file takes milliseconds.
 */
import type { Kysely } from 'kysely'
import { newApiKeySecret, newId } from './ids.js'
import { formatInvoiceNumber, lineRow } from './new-invoice.js'
import { addMonths, overage, periodEnd, trialEnd } from './proration.js'
import { subscriptionLine, type DraftLine, type QuotePrice } from './quote.js'
import type {
  ApiKeysTable,
  AppsTable,
  BillingDatabase,
  CustomersTable,
  InvoiceLinesTable,
  InvoicesTable,
  MetricsTable,
  PaymentMethodsTable,
  PlanQuotasTable,
  PlansTable,
  PricesTable,
  SubscriptionsTable,
  UsageRecordsTable,
} from './schema.js'
import { query, transaction, type Script } from './script.js'
import { hourlyRows } from './usage-rollup.js'

const DAY = 86_400

interface Rows {
  apps: AppsTable[]
  metrics: MetricsTable[]
  plans: PlansTable[]
  plan_quotas: PlanQuotasTable[]
  prices: PricesTable[]
  customers: CustomersTable[]
  subscriptions: SubscriptionsTable[]
  invoices: (Omit<InvoicesTable, 'seq' | 'number'> & { lines: DraftLine[] })[]
  usage_records: UsageRecordsTable[]
  payment_methods: PaymentMethodsTable[]
  api_keys: ApiKeysTable[]
}

/** A demo plan. Exported so the Stripe double and the live Stripe fixtures seed the same catalogue. */
export interface PlanSpec {
  id: string
  name: string
  description: string
  features: string[]
  month: number
  year: number
  quota: number | null
  overage?: { amount: number; per: number }
  trialDays?: number
  featured?: boolean
  hidden?: boolean
  /** Boolean entitlements (`check(scope, 'sso')`). */
  flags?: string[]
}

export const DEMO_PLANS: readonly PlanSpec[] = [
  { id: 'free', name: 'Free', description: 'For trying the API out.', features: ['1,000 API calls a month', 'Community support'], month: 0, year: 0, quota: 1_000 },
  {
    id: 'starter',
    name: 'Starter',
    description: 'For side projects and small teams.',
    features: ['50,000 API calls a month', 'Email support', '$1 per extra 1,000 calls'],
    month: 1_900,
    year: 19_000,
    quota: 50_000,
    overage: { amount: 100, per: 1_000 },
    trialDays: 14,
  },
  {
    id: 'pro',
    name: 'Pro',
    description: 'For products in production.',
    features: ['250,000 API calls a month', 'Priority support', 'Usage analytics', '$0.50 per extra 1,000 calls'],
    month: 4_900,
    year: 49_000,
    quota: 250_000,
    overage: { amount: 50, per: 1_000 },
    trialDays: 14,
    featured: true,
    flags: ['priority_support'],
  },
  {
    id: 'scale',
    name: 'Scale',
    description: 'For high volume and teams that need guarantees.',
    features: ['Unlimited API calls', '99.9% uptime SLA', 'Dedicated support'],
    month: 19_900,
    year: 199_000,
    quota: null,
    flags: ['priority_support', 'sso'],
  },
  {
    id: 'enterprise',
    name: 'Enterprise (legacy)',
    description: 'A negotiated plan, not offered on the pricing page.',
    features: ['Unlimited API calls', 'Custom contract'],
    month: 99_900,
    year: 999_000,
    quota: null,
    hidden: true,
  },
]

/** Seeds the demo once: a `billing_seeds` row records it, checked inside the same write transaction. */
export function* seedDemo(db: Kysely<BillingDatabase>, now: number): Script<boolean> {
  const marker = db.selectFrom('billing_seeds').select('name').where('name', '=', 'demo')
  if ((yield* query(marker)).length > 0) return false
  return yield* transaction(function* () {
    if ((yield* query(marker)).length > 0) return false
    yield* write(db, demoRows(now))
    yield* query(db.insertInto('billing_seeds').values({ name: 'demo', applied_at: now }))
    return true
  })
}

function demoRows(now: number): Rows {
  const rows: Rows = {
    apps: [],
    metrics: [],
    plans: [],
    plan_quotas: [],
    prices: [],
    customers: [],
    subscriptions: [],
    invoices: [],
    usage_records: [],
    payment_methods: [],
    api_keys: [],
  }
  const created = now - 800 * 30 * DAY

  const app = (id: string, name: string, publicKey: string, prefix: string) => {
    rows.apps.push({ id, name, public_key: publicKey, invoice_prefix: prefix, next_invoice_seq: 1, created })
    rows.metrics.push({ app_id: id, key: 'api_calls', name: 'API calls', unit: 'calls' })
  }
  const prices = new Map<string, QuotePrice>()
  const quotas = new Map<string, PlanQuotasTable>()
  const plan = (appId: string, spec: PlanSpec, sortOrder: number, planId = `plan_${spec.id}`, pricePrefix = `price_${spec.id}`) => {
    rows.plans.push({
      id: planId,
      app_id: appId,
      name: spec.name,
      description: spec.description,
      features: JSON.stringify(spec.features),
      flags: JSON.stringify(spec.flags ?? []),
      trial_days: spec.trialDays ?? 0,
      featured: spec.featured ? 1 : 0,
      public: spec.hidden ? 0 : 1,
      sort_order: sortOrder,
      created,
      archived_at: null,
    })
    const quota: PlanQuotasTable = {
      plan_id: planId,
      metric: 'api_calls',
      quota: spec.quota,
      overage_amount: spec.overage?.amount ?? null,
      overage_block: spec.overage?.per ?? null,
    }
    rows.plan_quotas.push(quota)
    quotas.set(planId, quota)
    for (const period of ['month', 'year'] as const) {
      const id = `${pricePrefix}_${period}`
      const amount = period === 'month' ? spec.month : spec.year
      rows.prices.push({ id, plan_id: planId, app_id: appId, period, amount, currency: 'USD', created, archived_at: null, lookup_key: id })
      prices.set(id, { id, plan_id: planId, plan_name: spec.name, period, amount, currency: 'USD', trial_days: spec.trialDays ?? 0 })
    }
  }

  app('app_demo', 'Acme API', 'pk_demo', 'DEMO')
  DEMO_PLANS.forEach((spec, i) => plan('app_demo', spec, i))
  app('app_other', 'Other API', 'pk_other', 'OTHER')
  plan(
    'app_other',
    { id: 'basic', name: 'Basic', description: 'The other app’s only plan.', features: ['10,000 API calls a month'], month: 1_000, year: 10_000, quota: 10_000 },
    0,
    'plan_other_basic',
    'price_other_basic',
  )

  const customer = (appId: string, uid: string, name: string, email: string): CustomersTable => {
    const row: CustomersTable = { id: newId('cu'), app_id: appId, custom_uid: uid, email, name, subscription_id: null, balance: 0, created, address: null, tax_ids: '[]' }
    rows.customers.push(row)
    return row
  }

  const subscribe = (
    c: CustomersTable,
    priceId: string,
    s: Partial<SubscriptionsTable> & { current_period_start: number; current_period_end: number },
  ): SubscriptionsTable => {
    const row: SubscriptionsTable = {
      id: newId('sub'),
      app_id: c.app_id,
      customer_id: c.id,
      price_id: priceId,
      status: 'active',
      anchor: s.current_period_start,
      cancel_at_period_end: 0,
      trial_end: null,
      scheduled_price_id: null,
      scheduled_at: null,
      canceled_at: null,
      ended_at: null,
      created: s.current_period_start,
      ...s,
    }
    rows.subscriptions.push(row)
    c.subscription_id = row.id
    return row
  }

  /** One invoice per past period, oldest first, ending with the one for the period that starts at `start`. */
  const history = (
    c: CustomersTable,
    sub: SubscriptionsTable,
    priceId: string,
    count: number,
    options: { lastStatus?: 'open' | 'paid'; overageAt?: Map<number, number> } = {},
  ) => {
    const price = prices.get(priceId) as QuotePrice
    const step = price.period === 'year' ? 12 : 1
    for (let k = count - 1; k >= 0; k--) {
      const start = addMonths(sub.current_period_start, -k * step)
      const end = addMonths(sub.current_period_start, (-k + 1) * step)
      const lines: DraftLine[] = []
      const over = options.overageAt?.get(k)
      if (over !== undefined) {
        const o = overage(over, quotas.get(price.plan_id) as PlanQuotasTable)
        if (o) {
          lines.push({
            kind: 'usage',
            description: `API calls beyond quota (${o.units.toLocaleString('en-US')} calls)`,
            amount: o.amount,
            quantity: o.blocks,
            period: { start: addMonths(start, -step), end: start },
          })
        }
      }
      lines.push(subscriptionLine(price, start, end))
      const status = k === 0 ? (options.lastStatus ?? 'paid') : 'paid'
      rows.invoices.push({
        id: newId('in'),
        app_id: c.app_id,
        customer_id: c.id,
        subscription_id: sub.id,
        status,
        bill_to: null,
        currency: price.currency,
        total: lines.reduce((a, l) => a + l.amount, 0),
        created: start,
        paid_at: status === 'paid' ? start : null,
        lines,
      })
    }
  }

  const card = (c: CustomersTable, brand: string, last4: string, isDefault: boolean, outcome: 'succeed' | 'decline' = 'succeed', age = 100) => {
    rows.payment_methods.push({
      id: newId('pm'),
      app_id: c.app_id,
      customer_id: c.id,
      brand,
      last4,
      exp_month: 12,
      exp_year: new Date(now * 1000).getUTCFullYear() + 2,
      is_default: isDefault ? 1 : 0,
      charge_outcome: outcome,
      created: now - age * DAY,
      detached_at: null,
    })
  }

  const usage = (c: CustomersTable, from: number, total: number, days: number) => {
    const each = Math.floor(total / days)
    for (let i = 0; i < days; i++) {
      const quantity = i === days - 1 ? total - each * (days - 1) : each
      rows.usage_records.push({ app_id: c.app_id, customer_id: c.id, metric: 'api_calls', quantity, recorded_at: from + i * DAY + 3_600, event_id: null })
    }
  }

  const apiKey = (c: CustomersTable, name: string, lastUsed: number | null) => {
    const { prefix, last4, hash } = newApiKeySecret()
    const seq = rows.api_keys.filter((k) => k.customer_id === c.id).length + 1
    rows.api_keys.push({ id: newId('key'), app_id: c.app_id, customer_id: c.id, name, prefix, last4, hash, created: now - 90 * DAY, last_used: lastUsed, revoked_at: null, seq })
  }

  // cus_active: Pro monthly, 80% of its quota used, two cards, a year of paid invoices, two API keys.
  {
    const c = customer('app_demo', 'cus_active', 'Ada Lovelace', 'ada@example.com')
    const start = now - 10 * DAY
    const sub = subscribe(c, 'price_pro_month', { current_period_start: start, current_period_end: periodEnd(start, 'month'), created: addMonths(start, -11) })
    history(c, sub, 'price_pro_month', 12, { overageAt: new Map([[3, 262_000]]) })
    usage(c, start, 200_000, 10)
    card(c, 'visa', '4242', true)
    card(c, 'mastercard', '4444', false, 'succeed', 50)
    apiKey(c, 'Production', now - 3_600)
    apiKey(c, 'Staging', null)
  }
  // cus_trialing: four days into Pro's 14-day trial, no card yet.
  {
    const c = customer('app_demo', 'cus_trialing', 'Grace Hopper', 'grace@example.com')
    const start = now - 4 * DAY
    const end = trialEnd(start, 14)
    subscribe(c, 'price_pro_month', { status: 'trialing', current_period_start: start, current_period_end: end, anchor: end, trial_end: end })
    usage(c, start, 3_200, 4)
  }
  // cus_past_due: Starter monthly; this period's invoice failed on a card that declines.
  {
    const c = customer('app_demo', 'cus_past_due', 'Alan Turing', 'alan@example.com')
    const start = now - 3 * DAY
    const sub = subscribe(c, 'price_starter_month', { status: 'past_due', current_period_start: start, current_period_end: periodEnd(start, 'month') })
    history(c, sub, 'price_starter_month', 6, { lastStatus: 'open' })
    usage(c, start, 12_000, 3)
    card(c, 'visa', '0341', true, 'decline')
  }
  // cus_canceling: Starter yearly, set five days ago to cancel at the period end.
  {
    const c = customer('app_demo', 'cus_canceling', 'Katherine Johnson', 'katherine@example.com')
    const start = now - 200 * DAY
    const sub = subscribe(c, 'price_starter_year', { current_period_start: start, current_period_end: periodEnd(start, 'year'), cancel_at_period_end: 1, canceled_at: now - 5 * DAY })
    history(c, sub, 'price_starter_year', 1)
    usage(c, now - 20 * DAY, 18_000, 18)
    card(c, 'visa', '4242', true)
  }
  // cus_canceled: was on Pro monthly, canceled at once 20 days ago (which ended its period there).
  {
    const c = customer('app_demo', 'cus_canceled', 'Margaret Hamilton', 'margaret@example.com')
    const start = now - 45 * DAY
    const ended = now - 20 * DAY
    const sub = subscribe(c, 'price_pro_month', { status: 'canceled', current_period_start: start, current_period_end: ended, canceled_at: ended, ended_at: ended })
    history(c, sub, 'price_pro_month', 3)
    card(c, 'mastercard', '4444', true)
  }
  // cus_free: the Free plan, no card.
  {
    const c = customer('app_demo', 'cus_free', 'Edsger Dijkstra', 'edsger@example.com')
    const start = now - 8 * DAY
    subscribe(c, 'price_free_month', { current_period_start: start, current_period_end: periodEnd(start, 'month') })
    usage(c, start, 420, 7)
  }
  // cus_many_invoices: Starter monthly for 250 periods, for pagination.
  {
    const c = customer('app_demo', 'cus_many_invoices', 'Claude Shannon', 'claude@example.com')
    const start = now - 5 * DAY
    const sub = subscribe(c, 'price_starter_month', { current_period_start: start, current_period_end: periodEnd(start, 'month') })
    history(c, sub, 'price_starter_month', 250)
    usage(c, start, 9_000, 5)
    card(c, 'visa', '4242', true)
  }
  // app_other's cus_active: same uid, another app; none of app_demo's rows may reach it.
  {
    const c = customer('app_other', 'cus_active', 'Other Customer', 'other@example.com')
    const start = now - 10 * DAY
    const sub = subscribe(c, 'price_other_basic_month', { current_period_start: start, current_period_end: periodEnd(start, 'month') })
    history(c, sub, 'price_other_basic_month', 1)
    usage(c, start, 5_000, 5)
    card(c, 'amex', '8431', true)
    apiKey(c, 'Other key', null)
  }
  return rows
}

function chunks<T>(items: T[], size = 200): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

function* write(db: Kysely<BillingDatabase>, rows: Rows): Script<void> {
  function* insert<T extends keyof BillingDatabase>(table: T, values: BillingDatabase[T][]): Script<void> {
    // Kysely's insert types are keyed per table; the rows are exactly the table's columns.
    for (const chunk of chunks(values)) yield* query(db.insertInto(table).values(chunk as never))
  }
  // Numbers follow time across the whole app, as if issued as they happened.
  const lines: InvoiceLinesTable[] = []
  const invoices: InvoicesTable[] = []
  const nextSeq = new Map<string, number>()
  const prefixes = new Map(rows.apps.map((a) => [a.id, a.invoice_prefix]))
  const ordered = [...rows.invoices].sort((a, b) => a.created - b.created)
  for (const { lines: draft, ...inv } of ordered) {
    const seq = nextSeq.get(inv.app_id) ?? 1
    nextSeq.set(inv.app_id, seq + 1)
    invoices.push({ ...inv, seq, number: formatInvoiceNumber(prefixes.get(inv.app_id) as string, seq) })
    draft.forEach((l, position) => lines.push(lineRow(inv.id, l, position)))
  }
  yield* insert('apps', rows.apps.map((a) => ({ ...a, next_invoice_seq: nextSeq.get(a.id) ?? 1 })))
  yield* insert('metrics', rows.metrics)
  yield* insert('plans', rows.plans)
  yield* insert('plan_quotas', rows.plan_quotas)
  yield* insert('prices', rows.prices)
  yield* insert('customers', rows.customers)
  yield* insert('subscriptions', rows.subscriptions)
  yield* insert('invoices', invoices)
  yield* insert('invoice_lines', lines)
  yield* insert('usage_records', rows.usage_records)
  // The chart's rollup, as trackMany keeps it.
  yield* insert('usage_hourly', hourlyRows(rows.usage_records))
  yield* insert('payment_methods', rows.payment_methods)
  yield* insert('api_keys', rows.api_keys)
}
