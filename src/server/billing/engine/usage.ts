/** Plan quotas and recorded usage per metric: what overage and the meter are computed from. */
import type { QuoteQuota, UsageBuckets } from './quote.js'
import type { Db } from './schema.js'

export async function quotasOf(q: Db, appId: string, planId: string): Promise<QuoteQuota[]> {
  return q
    .selectFrom('plan_quotas as q')
    .innerJoin('metrics as m', (j) => j.onRef('m.key', '=', 'q.metric').on('m.app_id', '=', appId))
    .select(['q.metric', 'm.name as metric_name', 'm.unit', 'q.quota', 'q.overage_amount', 'q.overage_block'])
    .where('q.plan_id', '=', planId)
    .orderBy('q.metric')
    .execute()
}

/** Usage per metric recorded in `[from, to)`. */
export async function usageIn(q: Db, customerId: string, from: number, to: number): Promise<Record<string, number>> {
  const rows = await q
    .selectFrom('usage_records')
    .select((eb) => ['metric', eb.fn.sum<number>('quantity').as('used')])
    .where('customer_id', '=', customerId)
    .where('recorded_at', '>=', from)
    .where('recorded_at', '<', to)
    .groupBy('metric')
    .execute()
  const usage: Record<string, number> = {}
  for (const r of rows) usage[r.metric] = Number(r.used)
  return usage
}

/**
 * Usage per metric in three adjacent windows, in one grouped query:
 * `before` = [start, now), `rest` = [now, end), `beyond` = [end, until).
 */
export async function usageBuckets(
  q: Db,
  customerId: string,
  w: { start: number; now: number; end: number; until: number },
): Promise<UsageBuckets> {
  const rows = await q
    .selectFrom('usage_records')
    .select((eb) => {
      const between = (from: number, to: number) =>
        eb.fn.sum<number>(eb.case().when(eb.and([eb('recorded_at', '>=', from), eb('recorded_at', '<', to)])).then(eb.ref('quantity')).else(0).end())
      return ['metric', between(w.start, w.now).as('before'), between(w.now, w.end).as('rest'), between(w.end, w.until).as('beyond')]
    })
    .where('customer_id', '=', customerId)
    .where('recorded_at', '>=', w.start)
    .where('recorded_at', '<', w.until)
    .groupBy('metric')
    .execute()
  const buckets: UsageBuckets = { before: {}, rest: {}, beyond: {} }
  for (const r of rows) {
    buckets.before[r.metric] = Number(r.before)
    buckets.rest[r.metric] = Number(r.rest)
    buckets.beyond[r.metric] = Number(r.beyond)
  }
  return buckets
}
