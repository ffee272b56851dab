/**
 * Pricing as code: `applyCatalogue` makes an app's metrics, plans and prices match a
 * declared catalogue, so a seller can run it on every start-up.
 *
 * - Missing objects are created (the app too).
 * - Changed plans and metrics are updated in place; they apply to everyone on the plan.
 * - A price whose plan, period, amount or currency changed becomes a NEW price row that
 *   takes over the declared id as its `lookup_key`; the old row keeps its id and its
 *   subscribers, archived. What an existing subscriber pays never changes here.
 * - Plans and prices that are gone are archived: offered to no new customer, kept for
 *   current ones. Metrics and the app are never archived.
 *
 * Objects are compared as normalised records (what validate.ts makes of the input against
 * the stored columns), so a field added to a plan later is compared without new code here.
 */
import { BillingError } from '../types.js'
import type { Plan } from '../../../api/types.js'
import type { EngineContext } from './context.js'
import { newId } from './ids.js'
import type { Db, PlanQuotasTable, PlansTable, PricesTable } from './schema.js'
import { loadPlans } from './lookups.js'
import { validateApp, validatePlan, type AppInput, type MetricInput, type PlanInput, type PriceInput } from './validate.js'

/** A plan as a catalogue declares it: plan and price ids are required, so the next run can match them. */
export type CataloguePlan = Omit<PlanInput, 'id' | 'prices'> & { id: string; prices: (PriceInput & { id: string })[] }

export interface CatalogueInput {
  app: AppInput & { id: string }
  /** Merged with `app.metrics`. */
  metrics?: MetricInput[]
  plans: CataloguePlan[]
}

/** A plan as the seller sees it: with its visibility and whether it is archived. */
export type SellerPlan = Plan & { public: boolean; archived: boolean }

export interface FieldChange {
  from: unknown
  to: unknown
}

export interface UpdatedObject {
  /** The declared id (a price's is its lookup key: after an amount change the new row has another id). */
  id: string
  /** Only the fields that differ, as stored. */
  changes: Record<string, FieldChange>
}

export interface CatalogueChanges {
  created: string[]
  updated: UpdatedObject[]
  archived: string[]
}

export interface CatalogueDiff {
  /** False when the engine already matched the catalogue. */
  changed: boolean
  dryRun: boolean
  app: CatalogueChanges
  metrics: CatalogueChanges
  plans: CatalogueChanges
  /** `updated` here means a new price replaced the old one, which is archived and kept by its subscribers. */
  prices: CatalogueChanges
}

/** A normalised object, compared field by field. */
type Fields = Record<string, unknown>

interface Declared {
  appId: string
  app: Fields
  metrics: Map<string, Fields>
  plans: Map<string, { row: Fields; quotas: Omit<PlanQuotasTable, 'plan_id'>[] }>
  /** By lookup key. */
  prices: Map<string, { plan_id: string; period: 'month' | 'year'; amount: number; currency: string }>
}

interface Stored {
  app: Fields | undefined
  metrics: Map<string, Fields>
  plans: Map<string, PlansTable & { quotas: Omit<PlanQuotasTable, 'plan_id'>[] }>
  /** The app's live (not archived) prices, by lookup key. */
  prices: Map<string, PricesTable>
}

const empty = (): CatalogueChanges => ({ created: [], updated: [], archived: [] })
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/** The fields of `to` whose value differs in `from`. */
function compare(from: Fields, to: Fields): Record<string, FieldChange> {
  const changes: Record<string, FieldChange> = {}
  for (const key of Object.keys(to)) if (!same(from[key], to[key])) changes[key] = { from: from[key], to: to[key] }
  return changes
}

/** Runs `fn`, prefixing the field and message of an `invalid_request` it throws with where it is in the catalogue. */
function within<T>(path: string, fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (!(error instanceof BillingError) || error.code !== 'invalid_request') throw error
    const field = error.field ? `${path}.${error.field}` : path
    throw new BillingError('invalid_request', `${path}: ${error.message}`, { field })
  }
}

const required = (value: unknown, field: string): void => {
  if (typeof value !== 'string' || value === '') throw new BillingError('invalid_request', `${field} is required: the catalogue matches objects by id`, { field })
}

function declare(catalogue: CatalogueInput): Declared {
  if (!catalogue || typeof catalogue !== 'object' || !catalogue.app || !Array.isArray(catalogue.plans)) {
    throw new BillingError('invalid_request', 'A catalogue is { app, metrics?, plans: [] }', { field: 'catalogue' })
  }
  required(catalogue.app.id, 'app.id')
  const metricsIn = [...(catalogue.app.metrics ?? []), ...(catalogue.metrics ?? [])]
  const app = within('app', () => validateApp({ ...catalogue.app, metrics: metricsIn }))
  const appRow: Fields = { name: app.row.name, invoice_prefix: app.row.invoice_prefix }
  // Left out, the public key stays what it is (a random one at creation).
  if (catalogue.app.publicKey !== undefined) appRow.public_key = app.public_key
  const declared: Declared = { appId: app.id, app: appRow, metrics: new Map(), plans: new Map(), prices: new Map() }
  for (const m of app.metrics) declared.metrics.set(m.key, { name: m.name, unit: m.unit })
  catalogue.plans.forEach((input, i) => {
    const path = `plans[${i}]`
    required(input?.id, `${path}.id`)
    if (declared.plans.has(input.id)) throw new BillingError('invalid_request', `Plan id "${input.id}" is declared twice`, { field: `${path}.id` })
    ;(input.prices ?? []).forEach((p, j) => required(p?.id, `${path}.prices[${j}].id`))
    const plan = within(path, () => validatePlan(input))
    declared.plans.set(plan.id, { row: { ...plan.row }, quotas: [...plan.quotas].sort((a, b) => (a.metric < b.metric ? -1 : 1)) })
    plan.prices.forEach((p, j) => {
      if (declared.prices.has(p.id)) throw new BillingError('invalid_request', `Price id "${p.id}" is declared twice`, { field: `${path}.prices[${j}].id` })
      declared.prices.set(p.id, { plan_id: plan.id, period: p.period, amount: p.amount, currency: p.currency })
    })
  })
  return declared
}

async function readStored(q: Db, appId: string): Promise<Stored> {
  const [app, metrics, plans, quotas, prices] = await Promise.all([
    q.selectFrom('apps').select(['name', 'invoice_prefix', 'public_key']).where('id', '=', appId).executeTakeFirst(),
    q.selectFrom('metrics').select(['key', 'name', 'unit']).where('app_id', '=', appId).execute(),
    q.selectFrom('plans').selectAll().where('app_id', '=', appId).execute(),
    q
      .selectFrom('plan_quotas as q')
      .innerJoin('plans as pl', 'pl.id', 'q.plan_id')
      .select(['q.plan_id', 'q.metric', 'q.quota', 'q.overage_amount', 'q.overage_block'])
      .where('pl.app_id', '=', appId)
      .orderBy('q.metric')
      .execute(),
    q.selectFrom('prices').selectAll().where('app_id', '=', appId).where('archived_at', 'is', null).execute(),
  ])
  return {
    app,
    metrics: new Map(metrics.map((m) => [m.key, { name: m.name, unit: m.unit }])),
    plans: new Map(plans.map((p) => [p.id, { ...p, quotas: quotas.filter((x) => x.plan_id === p.id).map(({ plan_id: _, ...x }) => x) }])),
    prices: new Map(prices.map((p) => [p.lookup_key ?? p.id, p])),
  }
}

/** What applying `declared` to `stored` changes: pure, shared by the dry run and the real one. */
function diffCatalogue(declared: Declared, stored: Stored, dryRun: boolean): CatalogueDiff {
  const diff: CatalogueDiff = { changed: false, dryRun, app: empty(), metrics: empty(), plans: empty(), prices: empty() }
  const update = (kind: CatalogueChanges, id: string, changes: Record<string, FieldChange>) => {
    if (Object.keys(changes).length > 0) kind.updated.push({ id, changes })
  }
  if (!stored.app) diff.app.created.push(declared.appId)
  else update(diff.app, declared.appId, compare(stored.app, declared.app))

  for (const [key, metric] of declared.metrics) {
    const was = stored.metrics.get(key)
    if (!was) diff.metrics.created.push(key)
    else update(diff.metrics, key, compare(was, metric))
  }

  for (const [id, plan] of declared.plans) {
    const was = stored.plans.get(id)
    if (!was) diff.plans.created.push(id)
    else update(diff.plans, id, compare({ ...was, archived: was.archived_at !== null }, { ...plan.row, quotas: plan.quotas, archived: false }))
  }
  for (const [id, was] of stored.plans) if (was.archived_at === null && !declared.plans.has(id)) diff.plans.archived.push(id)

  for (const [key, price] of declared.prices) {
    const was = stored.prices.get(key)
    if (!was) diff.prices.created.push(key)
    else update(diff.prices, key, compare(was as unknown as Fields, price))
  }
  // Prices gone from a plan that stays; an archived plan's prices go with it and come back with it.
  for (const [key, was] of stored.prices) if (!declared.prices.has(key) && declared.plans.has(was.plan_id)) diff.prices.archived.push(key)

  diff.changed = [diff.app, diff.metrics, diff.plans, diff.prices].some((k) => k.created.length + k.updated.length + k.archived.length > 0)
  return diff
}

async function checkReferences(q: Db, declared: Declared, stored: Stored): Promise<void> {
  for (const [id, plan] of declared.plans) {
    for (const quota of plan.quotas) {
      if (!declared.metrics.has(quota.metric) && !stored.metrics.has(quota.metric)) {
        throw new BillingError('invalid_request', `Plan "${id}" has a quota on unknown metric "${quota.metric}": declare it in metrics`, { field: `plans.${id}.quotas.${quota.metric}` })
      }
    }
  }
  const newPlans = [...declared.plans.keys()].filter((id) => !stored.plans.has(id))
  const taken = newPlans.length > 0 ? await q.selectFrom('plans').select('id').where('id', 'in', newPlans).where('app_id', '!=', declared.appId).executeTakeFirst() : undefined
  if (taken) throw new BillingError('conflict', `Plan id "${taken.id}" belongs to another app`, { field: 'plans.id' })
  if (declared.app.public_key !== undefined) {
    const clash = await q.selectFrom('apps').select('id').where('public_key', '=', declared.app.public_key as string).where('id', '!=', declared.appId).executeTakeFirst()
    if (clash) throw new BillingError('conflict', 'That public key is taken by another app', { field: 'app.publicKey' })
  }
}

async function write(q: Db, declared: Declared, diff: CatalogueDiff, t: number): Promise<void> {
  const appId = declared.appId
  if (diff.app.created.length > 0) {
    const row = { public_key: newId('pk'), ...declared.app } as { name: string; invoice_prefix: string; public_key: string }
    await q.insertInto('apps').values({ id: appId, ...row, next_invoice_seq: 1, created: t }).execute()
  }
  for (const { changes } of diff.app.updated) await q.updateTable('apps').set(newValues(changes)).where('id', '=', appId).execute()

  for (const key of diff.metrics.created) await q.insertInto('metrics').values({ app_id: appId, key, ...(declared.metrics.get(key) as { name: string; unit: string }) }).execute()
  for (const { id, changes } of diff.metrics.updated) await q.updateTable('metrics').set(newValues(changes)).where('app_id', '=', appId).where('key', '=', id).execute()

  for (const id of diff.plans.created) {
    const plan = declared.plans.get(id)!
    await q.insertInto('plans').values({ ...(plan.row as Omit<PlansTable, 'id' | 'app_id' | 'created' | 'archived_at'>), id, app_id: appId, created: t, archived_at: null }).execute()
    await insertQuotas(q, id, plan.quotas)
  }
  for (const { id, changes } of diff.plans.updated) {
    const { quotas, archived, ...columns } = changes
    if (Object.keys(columns).length > 0) await q.updateTable('plans').set(newValues(columns)).where('id', '=', id).execute()
    if (archived) await q.updateTable('plans').set({ archived_at: null }).where('id', '=', id).execute()
    if (quotas) {
      await q.deleteFrom('plan_quotas').where('plan_id', '=', id).execute()
      await insertQuotas(q, id, declared.plans.get(id)!.quotas)
    }
  }
  if (diff.plans.archived.length > 0) await q.updateTable('plans').set({ archived_at: t }).where('app_id', '=', appId).where('id', 'in', diff.plans.archived).execute()

  // A replaced price hands its lookup key to the new row and is archived with its id and subscribers.
  const replaced = diff.prices.updated.map((u) => u.id)
  if (replaced.length > 0) await retirePrices(q, appId, replaced, { archived_at: t, lookup_key: null })
  if (diff.prices.archived.length > 0) await retirePrices(q, appId, diff.prices.archived, { archived_at: t })
  const fresh = [...diff.prices.created, ...replaced]
  if (fresh.length > 0) {
    const taken = new Set((await q.selectFrom('prices').select('id').where('id', 'in', fresh).execute()).map((r) => r.id))
    await q
      .insertInto('prices')
      .values(fresh.map((key) => ({ id: taken.has(key) ? newId('price') : key, lookup_key: key, app_id: appId, ...declared.prices.get(key)!, created: t, archived_at: null })))
      .execute()
  }
}

async function retirePrices(q: Db, appId: string, keys: string[], set: { archived_at: number; lookup_key?: null }): Promise<void> {
  await q.updateTable('prices').set(set).where('app_id', '=', appId).where('archived_at', 'is', null).where('lookup_key', 'in', keys).execute()
}

const newValues = (changes: Record<string, FieldChange>): Record<string, never> =>
  Object.fromEntries(Object.entries(changes).map(([key, change]) => [key, change.to])) as Record<string, never>

async function insertQuotas(q: Db, planId: string, quotas: Omit<PlanQuotasTable, 'plan_id'>[]): Promise<void> {
  if (quotas.length > 0) await q.insertInto('plan_quotas').values(quotas.map((x) => ({ ...x, plan_id: planId }))).execute()
}

export function catalogueMethods(ctx: EngineContext) {
  const { db, now, tx } = ctx

  async function applyCatalogue(catalogue: CatalogueInput, options: { dryRun?: boolean } = {}): Promise<CatalogueDiff> {
    const declared = declare(catalogue)
    const dryRun = options.dryRun === true
    const run = async (q: Db): Promise<CatalogueDiff> => {
      // Instances applying the catalogue at once (every one does on start) take turns; the
      // first to create the app makes the others' inserts fail on its key, and they run again.
      await ctx.lockApp(q, declared.appId)
      const stored = await readStored(q, declared.appId)
      await checkReferences(q, declared, stored)
      const diff = diffCatalogue(declared, stored, dryRun)
      if (!dryRun && diff.changed) await write(q, declared, diff, now())
      return diff
    }
    return dryRun ? run(db) : tx(run)
  }

  /** Every plan of the app, hidden ones too, as the seller sees them; archived ones (and prices) with `includeArchived`. */
  async function listAppPlans(appId: string, options: { includeArchived?: boolean } = {}): Promise<SellerPlan[]> {
    const app = await db.selectFrom('apps').select('id').where('id', '=', appId).executeTakeFirst()
    if (!app) throw new BillingError('not_found', `No such app "${appId}"`)
    const includeArchived = options.includeArchived === true
    const rows = await db
      .selectFrom('plans')
      .selectAll()
      .where('app_id', '=', appId)
      .$if(!includeArchived, (qb) => qb.where('archived_at', 'is', null))
      .orderBy('sort_order')
      .orderBy('id')
      .execute()
    const plans = await loadPlans(db, rows, { includeArchived })
    return plans.map((plan, i) => ({ ...plan, public: rows[i].public === 1, archived: rows[i].archived_at !== null }))
  }

  return { applyCatalogue, listAppPlans }
}
