/**
 * What the customer sees and sets about their usage: the chart's buckets and forecast
 * (`getUsage`), an overage cap (`setUsageLimit`, enforced by `check` and the guard) and
 * alerts at thresholds of the quota or the cap, fired once per alert per period.
 *
 * "Once" holds across instances: the instance that inserts the alert's row for the period
 * in `usage_alert_firings` (primary key: alert, period) is the one that calls the seller;
 * the others' inserts do nothing. Alerts are evaluated after each `trackMany` commits,
 * for the customers in the batch.
 */
import type { List, SpendLimit, UsageAlert, UsageLimit, UsageReport } from '../../../api/types.js'
import { BillingError, type CustomerScope, type MutationOptions, type UsageAlertEvent, type UsageAlertInput, type UsageQuery } from '../types.js'
import type { EngineContext } from './context.js'
import { newId } from './ids.js'
import { findCustomer } from './lookups.js'
import { planState, type PlanState } from './plan-state.js'
import type { QuoteQuota } from './quote.js'
import type { Db } from './schema.js'
import { bucketSize, checkUsageQuery, previousPeriodStart, stopsAt, usageReport } from '../usage-report.js'
import { bucketSums, usageTotal } from './usage-rollup.js'
import { createWebhookSender, type UsageAlertWebhook } from './usage-webhook.js'

/** A customer holds at most this many alerts. */
export const MAX_ALERTS = 20

export interface UsageAlertOptions {
  /** Called once per alert per period when usage reaches its threshold (the seller sends the email). */
  onUsageAlert?: (alert: UsageAlertEvent) => void | Promise<void>
  /** POSTs each alert, signed, to the seller's URL (usage-webhook.ts). */
  usageAlertWebhook?: UsageAlertWebhook
  /** Failures in the background (a hook that threw, a webhook that gave up); default console.error. */
  onError?: (error: unknown) => void
}

const invalid = (field: string, message: string) => new BillingError('invalid_request', message, { field })

/** The customer's cap on a metric, if they set one. */
export async function spendLimitOf(q: Db, customerId: string, metric: string): Promise<{ max_overage_amount: number | null } | undefined> {
  const row = await q.selectFrom('usage_limits').select('max_overage_amount').where('customer_id', '=', customerId).where('metric', '=', metric).executeTakeFirst()
  return row && { max_overage_amount: row.max_overage_amount === null ? null : Number(row.max_overage_amount) }
}

/** The metric's stop point for a customer on an overage plan, or null. */
export async function stopsAtFor(q: Db, customerId: string, quota: QuoteQuota): Promise<number | null> {
  if (quota.overage_amount === null) return null
  const cap = await spendLimitOf(q, customerId, quota.metric)
  return cap ? stopsAt(quota, cap.max_overage_amount) : null
}

type AlertRow = { id: string; metric: string; threshold_percent: number; of: 'quota' | 'cap'; created: number }
const toAlert = (r: AlertRow): UsageAlert => ({ id: r.id, metric: r.metric, threshold_percent: Number(r.threshold_percent), of: r.of, created: Number(r.created) })

export function usageControlMethods(ctx: EngineContext, options: UsageAlertOptions = {}) {
  const { db, now, tx } = ctx
  const onError = options.onError ?? ((error: unknown) => console.error('[archetype-portals]', error))
  const webhook = options.usageAlertWebhook ? createWebhookSender(options.usageAlertWebhook, onError) : null

  /** The plan's quota for `metric`, or `not_found` naming it. */
  function quotaOf(state: PlanState, metric: string): QuoteQuota {
    if (!state.planId) throw new BillingError('not_found', 'No subscription: usage is shown for the metrics of the current plan')
    const quota = state.quotas.find((x) => x.metric === metric)
    if (!quota) throw new BillingError('not_found', `The plan has no metric "${metric}"`, { field: 'metric' })
    return quota
  }

  const spendLimit = (cap: { max_overage_amount: number | null } | undefined, state: PlanState): SpendLimit | null =>
    cap ? { max_overage_amount: cap.max_overage_amount, currency: state.currency } : null

  async function getUsage(scope: CustomerScope, query: UsageQuery): Promise<UsageReport> {
    const { metric, period, granularity } = checkUsageQuery(query)
    const state = await planState(ctx, db, scope)
    const quota = quotaOf(state, metric)
    const from = period === 'current' ? state.start : previousPeriodStart(state.anchor, state.period, state.start)
    const to = period === 'current' ? state.end : state.start
    const size = bucketSize(granularity)
    const [sums, cap] = await Promise.all([bucketSums(db, state.customerId, metric, from, to, size), spendLimitOf(db, state.customerId, metric)])
    const stops = cap && quota.overage_amount !== null ? stopsAt(quota, cap.max_overage_amount) : null
    return usageReport({ quota, from, to, now: now(), granularity, sums, stopsAt: stops, currency: state.currency, spendLimit: spendLimit(cap, state) })
  }

  async function setUsageLimit(scope: CustomerScope, metric: string, maxOverageAmount: number | null, _options?: MutationOptions): Promise<UsageLimit> {
    if (typeof metric !== 'string' || metric === '') throw invalid('metric', 'setUsageLimit() needs a metric key such as "api_calls"')
    if (maxOverageAmount !== null && (!Number.isSafeInteger(maxOverageAmount) || maxOverageAmount < 0)) {
      throw invalid('max_overage_amount', 'max_overage_amount must be a whole number of minor units (0 or more), or null to stop at the quota')
    }
    return tx(async (q) => {
      await ctx.lockCustomer(q, scope)
      const state = await planState(ctx, q, scope)
      const quota = quotaOf(state, metric)
      if (quota.quota === null || quota.overage_amount === null) {
        const why = quota.quota === null ? 'has no quota' : 'stops at its quota already (it prices no overage)'
        throw new BillingError('conflict', `A spend limit caps overage, and this plan's ${quota.metric_name} ${why}: there is nothing to cap`, { field: 'metric' })
      }
      await q
        .insertInto('usage_limits')
        .values({ customer_id: state.customerId, metric, max_overage_amount: maxOverageAmount, updated: now() })
        .onConflict((oc) => oc.columns(['customer_id', 'metric']).doUpdateSet({ max_overage_amount: maxOverageAmount, updated: now() }))
        .execute()
      return { metric, max_overage_amount: maxOverageAmount, currency: state.currency }
    })
  }

  async function listUsageAlerts(scope: CustomerScope): Promise<List<UsageAlert>> {
    const customer = await findCustomer(db, scope.appId, scope.customUid)
    const rows = await db
      .selectFrom('usage_alerts')
      .select(['id', 'metric', 'threshold_percent', 'of', 'created'])
      .where('customer_id', '=', customer.id)
      .orderBy('metric')
      .orderBy('of')
      .orderBy('threshold_percent')
      .execute()
    return { data: rows.map(toAlert), has_more: false }
  }

  /** Adding an alert the customer already has answers that one (two tabs, a retry). */
  async function createUsageAlert(scope: CustomerScope, input: UsageAlertInput, _options?: MutationOptions): Promise<UsageAlert> {
    const { metric, threshold_percent: percent, of } = input ?? ({} as UsageAlertInput)
    if (typeof metric !== 'string' || metric === '') throw invalid('metric', 'An alert needs a metric key such as "api_calls"')
    if (!Number.isSafeInteger(percent) || percent < 1 || percent > 1000) throw invalid('threshold_percent', 'threshold_percent must be a whole number from 1 to 1000')
    if (of !== 'quota' && of !== 'cap') throw invalid('of', 'of must be "quota" or "cap"')
    return tx(async (q) => {
      await ctx.lockCustomer(q, scope)
      const state = await planState(ctx, q, scope)
      const quota = quotaOf(state, metric)
      if (quota.quota === null) throw new BillingError('conflict', `The plan's ${quota.metric_name} has no quota to alert on`, { field: 'metric' })
      if (of === 'cap' && (await stopsAtFor(q, state.customerId, quota)) === null) {
        throw new BillingError('conflict', `No spend limit is set on ${quota.metric_name}: set one first (POST /usage-limits), or alert on the quota`, { field: 'of' })
      }
      const existing = () =>
        q.selectFrom('usage_alerts').select(['id', 'metric', 'threshold_percent', 'of', 'created']).where('customer_id', '=', state.customerId).where('metric', '=', metric).where('threshold_percent', '=', percent).where('of', '=', of).executeTakeFirst()
      const found = await existing()
      if (found) return toAlert(found)
      const count = await q.selectFrom('usage_alerts').select((eb) => eb.fn.countAll<number>().as('n')).where('customer_id', '=', state.customerId).executeTakeFirstOrThrow()
      if (Number(count.n) >= MAX_ALERTS) throw new BillingError('conflict', `A customer may hold at most ${MAX_ALERTS} usage alerts: remove one first`)
      const row: AlertRow = { id: newId('ual'), metric, threshold_percent: percent, of, created: now() }
      await q.insertInto('usage_alerts').values({ ...row, app_id: scope.appId, customer_id: state.customerId }).execute()
      return toAlert(row)
    })
  }

  async function deleteUsageAlert(scope: CustomerScope, alertId: string, _options?: MutationOptions): Promise<void> {
    await tx(async (q) => {
      const customer = await ctx.lockCustomer(q, scope)
      const removed = await q.deleteFrom('usage_alerts').where('id', '=', alertId).where('customer_id', '=', customer.id).executeTakeFirst()
      if (Number(removed.numDeletedRows) === 0) throw new BillingError('not_found', 'No such usage alert')
      await q.deleteFrom('usage_alert_firings').where('alert_id', '=', alertId).execute()
    })
  }

  /**
   * After a batch committed: for its customers' alerts, claims each threshold reached in the
   * current period and calls the seller for the claims this instance won. Never throws (the
   * usage is counted already): a failure goes to `onError`, and the next batch tries again.
   */
  async function evaluateAlerts(appId: string, customerIds: string[]): Promise<void> {
    try {
      const alerts = []
      for (let i = 0; i < customerIds.length; i += 1_000) {
        alerts.push(
          ...(await db
            .selectFrom('usage_alerts as a')
            .innerJoin('customers as c', 'c.id', 'a.customer_id')
            .select(['a.id', 'a.customer_id', 'c.custom_uid', 'a.metric', 'a.threshold_percent', 'a.of'])
            .where('a.customer_id', 'in', customerIds.slice(i, i + 1_000))
            .where('a.app_id', '=', appId)
            .execute()),
        )
      }
      const byCustomer = new Map<string, typeof alerts>()
      for (const a of alerts) byCustomer.set(a.custom_uid, [...(byCustomer.get(a.custom_uid) ?? []), a])
      for (const [customUid, list] of byCustomer) {
        const state = await planState(ctx, db, { appId, customUid })
        if (!state.planId) continue
        const used = new Map<string, number>()
        for (const alert of list) {
          const quota = state.quotas.find((x) => x.metric === alert.metric)
          if (!quota || quota.quota === null) continue
          const limit = alert.of === 'quota' ? quota.quota : await stopsAtFor(db, state.customerId, quota)
          if (limit === null) continue
          if (!used.has(alert.metric)) used.set(alert.metric, await usageTotal(db, state.customerId, alert.metric, state.start, state.end))
          const value = used.get(alert.metric) as number
          if (value * 100 < Number(alert.threshold_percent) * limit) continue
          const claim = await db
            .insertInto('usage_alert_firings')
            .values({ alert_id: alert.id, period_start: state.start, fired_at: now() })
            .onConflict((oc) => oc.columns(['alert_id', 'period_start']).doNothing())
            .executeTakeFirst()
          if (Number(claim.numInsertedOrUpdatedRows ?? 0) !== 1) continue
          fire({ appId, customUid, metric: alert.metric, threshold: Number(alert.threshold_percent), used: value, limit, of: alert.of, alertId: alert.id, periodStart: state.start })
        }
      }
    } catch (error) {
      onError(error)
    }
  }

  function fire(event: UsageAlertEvent): void {
    if (options.onUsageAlert) {
      try {
        Promise.resolve(options.onUsageAlert(event)).catch(onError)
      } catch (error) {
        onError(error)
      }
    }
    webhook?.send(event)
  }

  return { getUsage, setUsageLimit, listUsageAlerts, createUsageAlert, deleteUsageAlert, evaluateAlerts, close: () => webhook?.close() }
}
