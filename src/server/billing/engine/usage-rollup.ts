/**
 * Usage per customer, metric and UTC hour (`usage_hourly`, migration 9), and the bucket
 * sums the usage chart reads from it.
 *
 * Why a rollup and not only an index: `usage_records_customer` finds a period's events,
 * but summing 1,000,000 of them still visits 1,000,000 rows (hundreds of milliseconds).
 * The rollup is written in the transaction that writes the events (trackMany adds only
 * the rows it really inserted: duplicates are not counted twice), so a month is ~720
 * rows. A period rarely starts on a whole hour (its anchor is any second), so the two
 * partial hours at its edges are summed from the events themselves, in the same query:
 * totals stay exact on the period's edges.
 *
 * Portable SQL: bucket numbers are integer arithmetic on Unix seconds (`(at - base) /
 * size` with `at >= base`, whole-number division on SQLite and PostgreSQL alike); no date
 * functions, so buckets are UTC by construction.
 */
import { sql } from 'kysely'
import { DAY, HOUR } from '../usage-report.js'
import type { Db } from './schema.js'

/** Rollup rows per upsert: 4 values each. */
const CHUNK = 1_000

export interface CountedEvent {
  customer_id: string
  metric: string
  recorded_at: number
  quantity: number
}

export type HourRow = { customer_id: string; metric: string; hour: number; quantity: number }

/** Events summed per customer, metric and hour; sorted, so concurrent writers lock rollup rows in one order. */
export function hourlyRows(events: CountedEvent[]): HourRow[] {
  const hours = new Map<string, HourRow>()
  for (const e of events) {
    const at = Number(e.recorded_at)
    const hour = at - (at % HOUR)
    const key = `${e.customer_id}\n${e.metric}\n${hour}`
    const row = hours.get(key)
    if (row) row.quantity += Number(e.quantity)
    else hours.set(key, { customer_id: e.customer_id, metric: e.metric, hour, quantity: Number(e.quantity) })
  }
  return [...hours.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row)
}

/** Adds events that were just inserted to their hours, in the caller's transaction. */
export async function rollUp(q: Db, events: CountedEvent[]): Promise<void> {
  const rows = hourlyRows(events)
  for (let i = 0; i < rows.length; i += CHUNK) {
    await q
      .insertInto('usage_hourly')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) => oc.columns(['customer_id', 'metric', 'hour']).doUpdateSet((eb) => ({ quantity: eb('usage_hourly.quantity', '+', eb.ref('excluded.quantity')) })))
      .execute()
  }
}

/**
 * A metric's usage in `[from, to)` per bucket of `size` seconds aligned on UTC (`size`
 * divides a day): bucket `n` is `[base + n·size, base + (n+1)·size)` with `base` the
 * boundary at or before `from`. One query: whole hours from the rollup, the edge hours
 * from the events.
 */
export async function bucketSums(q: Db, customerId: string, metric: string, from: number, to: number, size: number): Promise<Map<number, number>> {
  const base = from - (from % size)
  const firstHour = Math.ceil(from / HOUR) * HOUR
  const lastHour = Math.floor(to / HOUR) * HOUR
  const events = (lo: number, hi: number) =>
    q
      .selectFrom('usage_records')
      .select(['recorded_at as at', 'quantity'])
      .where('customer_id', '=', customerId)
      .where('metric', '=', metric)
      .where('recorded_at', '>=', lo)
      .where('recorded_at', '<', hi)
  const hours = q
    .selectFrom('usage_hourly')
    .select(['hour as at', 'quantity'])
    .where('customer_id', '=', customerId)
    .where('metric', '=', metric)
    .where('hour', '>=', firstHour)
    .where('hour', '<', lastHour)
  const all = hours.unionAll(events(from, Math.min(firstHour, to))).unionAll(events(Math.max(lastHour, firstHour), to))
  const rows = await q
    .selectFrom(all.as('u'))
    .select((eb) => [sql<number>`(u.at - ${sql.lit(base)}) / ${sql.lit(size)}`.as('bucket'), eb.fn.sum<number>('u.quantity').as('value')])
    .groupBy(sql`(u.at - ${sql.lit(base)}) / ${sql.lit(size)}`)
    .execute()
  return new Map(rows.map((r) => [Number(r.bucket), Number(r.value)]))
}

/** A metric's usage in `[from, to)`, exact on both edges. */
export async function usageTotal(q: Db, customerId: string, metric: string, from: number, to: number): Promise<number> {
  let total = 0
  for (const value of (await bucketSums(q, customerId, metric, from, to, DAY)).values()) total += value
  return total
}
