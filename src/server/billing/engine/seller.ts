/** What a seller calls to set up apps, metrics, plans and customers (usage: ./metering.ts). */
import type { Customer, Plan } from '../../../api/types.js'
import { BillingError } from '../types.js'
import { newId } from './ids.js'
import type { Db, PlansTable } from './schema.js'
import { findCustomer } from './lookups.js'
import { toPlan } from './wire.js'
import { validateApp, validateCustomer, validatePlan, type AppInput, type CustomerInput, type MetricInput, type PlanInput } from './validate.js'
import type { EngineContext } from './context.js'

/** An app as created: its invoices are numbered `{invoice_prefix}-0001` on. */
export interface App {
  id: string
  name: string
  public_key: string
  invoice_prefix: string
}

const toCustomer = (row: { custom_uid: string; email: string; name: string }): Customer => ({ id: row.custom_uid, email: row.email, name: row.name })

export function sellerMethods(ctx: EngineContext) {
  const { now, tx } = ctx

  async function createApp(input: AppInput): Promise<App> {
    const app = validateApp(input)
    return tx(async (q) => {
      const clash = await q.selectFrom('apps').select('id').where((eb) => eb.or([eb('id', '=', app.id), eb('public_key', '=', app.public_key)])).executeTakeFirst()
      if (clash) throw new BillingError('conflict', clash.id === app.id ? `App "${app.id}" already exists` : 'That public key is taken', { field: clash.id === app.id ? 'id' : 'publicKey' })
      await q.insertInto('apps').values({ ...app.row, created: now() }).execute()
      for (const m of app.metrics) await q.insertInto('metrics').values({ app_id: app.id, ...m }).execute()
      return { id: app.id, name: app.row.name, public_key: app.public_key, invoice_prefix: app.row.invoice_prefix }
    })
  }

  async function createMetric(appId: string, metric: MetricInput): Promise<void> {
    const m = validateApp({ name: 'x', metrics: [metric] }).metrics[0]
    await tx(async (q) => {
      await requireApp(q, appId)
      const clash = await q.selectFrom('metrics').select('key').where('app_id', '=', appId).where('key', '=', m.key).executeTakeFirst()
      if (clash) throw new BillingError('conflict', `Metric "${m.key}" already exists`, { field: 'key' })
      await q.insertInto('metrics').values({ app_id: appId, ...m }).execute()
    })
  }

  async function requireApp(q: Db, appId: string): Promise<void> {
    const app = await q.selectFrom('apps').select('id').where('id', '=', appId).executeTakeFirst()
    if (!app) throw new BillingError('not_found', `No such app "${appId}"`)
  }

  async function createPlan(appId: string, input: PlanInput): Promise<Plan> {
    const plan = validatePlan(input)
    return tx(async (q) => {
      await requireApp(q, appId)
      const metrics = new Map((await q.selectFrom('metrics').select(['key', 'name', 'unit']).where('app_id', '=', appId).execute()).map((m) => [m.key, m]))
      const named = plan.quotas.map((quota) => {
        const metric = metrics.get(quota.metric)
        if (!metric) throw new BillingError('invalid_request', `Unknown metric "${quota.metric}": create it first`, { field: `quotas.${quota.metric}` })
        return { ...quota, metric_name: metric.name, unit: metric.unit }
      })
      const ids = [plan.id, ...plan.prices.map((p) => p.id)]
      const taken = await q
        .selectFrom('plans')
        .select('id')
        .where('id', 'in', ids)
        .union(q.selectFrom('prices').select('id').where('id', 'in', ids))
        .executeTakeFirst()
      if (taken) throw new BillingError('conflict', `Id "${taken.id}" is already taken`, { field: 'id' })
      const t = now()
      const row: PlansTable = { ...plan.row, id: plan.id, app_id: appId, created: t, archived_at: null }
      await q.insertInto('plans').values(row).execute()
      await q.insertInto('prices').values(plan.prices.map((p) => ({ ...p, plan_id: plan.id, app_id: appId, created: t, lookup_key: p.id }))).execute()
      if (plan.quotas.length > 0) await q.insertInto('plan_quotas').values(plan.quotas.map((x) => ({ ...x, plan_id: plan.id }))).execute()
      return toPlan(row, plan.prices, named)
    })
  }

  async function createCustomer(appId: string, input: CustomerInput): Promise<Customer> {
    const c = validateCustomer(input)
    return tx(async (q) => {
      await requireApp(q, appId)
      const clash = await q.selectFrom('customers').select('id').where('app_id', '=', appId).where('custom_uid', '=', c.custom_uid).executeTakeFirst()
      if (clash) throw new BillingError('conflict', `Customer "${c.custom_uid}" already exists`, { field: 'customUid' })
      await q
        .insertInto('customers')
        .values({ id: newId('cu'), app_id: appId, ...c, subscription_id: null, balance: 0, created: now(), tax_ids: '[]' })
        .execute()
      return toCustomer(c)
    })
  }

  /**
   * Creates the customer, or updates the email and name given (left out: kept). Safe to
   * call on every sign-in, from two instances at once: one row per uid, by its unique key.
   */
  async function upsertCustomer(appId: string, input: CustomerInput): Promise<Customer> {
    const c = validateCustomer(input)
    const changes = { ...(input.email !== undefined && { email: c.email }), ...(input.name !== undefined && { name: c.name }) }
    return tx(async (q) => {
      await requireApp(q, appId)
      await q
        .insertInto('customers')
        .values({ id: newId('cu'), app_id: appId, ...c, subscription_id: null, balance: 0, created: now(), tax_ids: '[]' })
        .onConflict((oc) => (Object.keys(changes).length > 0 ? oc.columns(['app_id', 'custom_uid']).doUpdateSet(changes) : oc.columns(['app_id', 'custom_uid']).doNothing()))
        .execute()
      return toCustomer(await findCustomer(q, appId, c.custom_uid))
    })
  }

  async function getCustomer(appId: string, customUid: string): Promise<Customer | null> {
    if (typeof customUid !== 'string') throw new BillingError('invalid_request', 'customUid must be a string', { field: 'customUid' })
    const row = await ctx.db.selectFrom('customers').select(['custom_uid', 'email', 'name']).where('app_id', '=', appId).where('custom_uid', '=', customUid).executeTakeFirst()
    return row ? toCustomer(row) : null
  }


  return { createApp, createMetric, createPlan, createCustomer, upsertCustomer, getCustomer, requireApp }
}
