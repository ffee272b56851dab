/**
 * Metering on the seller's request path: `check` (may this customer use a metric or a
 * flag now?), `track` / `trackMany` (count usage, idempotent by event id) and
 * `entitlements`. Usage rows are the same ones invoices read, so what is tracked is
 * what the portal shows and what renewal bills.
 *
 * Late events: an event counts in the period that contains its `at`. The current period
 * takes them, and so does a period that has ended but not rolled over yet (renewal is
 * what invoices it); once it has rolled over, its events are refused, itemised.
 */
import type { CompiledQuery } from 'kysely'
import type { SubscriptionStatus } from '../../../api/types.js'
import {
  BillingError,
  type CheckResult,
  type CustomerScope,
  type Entitlements,
  type TrackEvent,
  type TrackManyResult,
} from '../types.js'
import type { EngineContext } from './context.js'
import { planState } from './plan-state.js'
import type { Db, UsageRecordsTable } from './schema.js'
import { usageIn } from './usage.js'
import { stopsAtFor } from './usage-controls.js'
import { rollUp, usageTotal, type CountedEvent } from './usage-rollup.js'

/** Events a `trackMany` call takes at once. */
export const MAX_BATCH = 10_000
/** How far ahead of the engine's clock an event's `at` may be (clock skew between servers). */
const FUTURE_SKEW = 300
/** Rows per INSERT: 7 bound values each stays far below SQLite's and PostgreSQL's limits. */
const INSERT_CHUNK = 1_000

/** Statuses whose customers may use the API; `past_due` (an unpaid invoice) may not. */
const USABLE: readonly SubscriptionStatus[] = ['trialing', 'active']

type UsageRow = UsageRecordsTable & { event_id: string | null }
const USAGE_COLUMNS: (keyof UsageRow)[] = ['app_id', 'customer_id', 'metric', 'quantity', 'recorded_at', 'event_id']

/** A batch held an event id seen before: trackMany runs it again, asking which rows were new. */
class DuplicatesSeen extends Error {}

const invalid = (field: string, message: string) => new BillingError('invalid_request', message, { field })

function positiveAmount(amount: unknown, field: string): number {
  if (!Number.isSafeInteger(amount) || (amount as number) <= 0) throw invalid(field, `${field} must be a positive integer, not ${JSON.stringify(amount)}`)
  return amount as number
}

export interface MeteringHooks {
  /** After a batch committed, with the ids of its customers whose events counted (usage alerts). */
  afterTrack?(appId: string, customerIds: string[]): Promise<void>
}

export function meteringMethods(ctx: EngineContext, hooks: MeteringHooks = {}) {
  const { db, now, tx } = ctx

  async function check(scope: CustomerScope, metricOrFlag: string, options: { amount?: number } = {}): Promise<CheckResult> {
    if (typeof metricOrFlag !== 'string' || metricOrFlag === '') throw invalid('metric', 'check() needs a metric or flag key such as "api_calls"')
    const amount = options.amount === undefined ? 1 : options.amount === 0 ? 0 : positiveAmount(options.amount, 'amount')
    const state = await planState(ctx, db, scope)
    const base = { used: 0, limit: null, remaining: null, overage: false, overage_priced: false, resets_at: state.planId ? state.end : null, status: state.status }
    if (!state.planId) return { ...base, allowed: false, reason: 'no_subscription' }
    if (!USABLE.includes(state.status as SubscriptionStatus)) return { ...base, allowed: false, reason: 'subscription_inactive' }
    if (state.flags.includes(metricOrFlag)) return { ...base, allowed: true }
    const quota = state.quotas.find((x) => x.metric === metricOrFlag)
    if (!quota) return { ...base, allowed: false, reason: 'not_in_plan' }
    const used = await usageTotal(db, state.customerId, metricOrFlag, state.start, state.end)
    if (quota.quota === null) return { ...base, used, allowed: true }
    const remaining = Math.max(0, quota.quota - used)
    const over = used + amount > quota.quota
    const priced = quota.overage_amount !== null
    const metered = { ...base, used, limit: quota.quota, remaining, overage_priced: priced }
    if (over && !priced) return { ...metered, allowed: false, reason: 'quota_exceeded' }
    // The customer's own spend limit stops priced overage where they asked (usage-controls.ts).
    const stops = await stopsAtFor(db, state.customerId, quota)
    const capped = stops === null ? metered : { ...metered, stops_at: stops }
    if (stops !== null && used + amount > stops) return { ...capped, allowed: false, reason: 'spend_limit_reached' }
    return { ...capped, allowed: true, overage: over }
  }

  async function entitlements(scope: CustomerScope): Promise<Entitlements> {
    const state = await planState(ctx, db, scope)
    const usage = state.planId ? await usageIn(db, state.customerId, state.start, state.end) : {}
    return {
      plan_id: state.planId,
      status: state.status,
      resets_at: state.planId ? state.end : null,
      metrics: state.quotas.map((x) => {
        const used = usage[x.metric] ?? 0
        return {
          metric: x.metric,
          name: x.metric_name,
          unit: x.unit,
          used,
          limit: x.quota,
          remaining: x.quota === null ? null : Math.max(0, x.quota - used),
          overage_priced: x.overage_amount !== null,
        }
      }),
      flags: state.flags,
    }
  }

  /** Checks the batch's shape: a malformed event is the caller's bug, so the whole batch is refused naming it. */
  function validateEvents(events: TrackEvent[]): void {
    if (!Array.isArray(events)) throw invalid('events', 'trackMany(appId, events) takes an array of { customUid, metric, amount, id?, at? }')
    if (events.length > MAX_BATCH) throw invalid('events', `trackMany() takes at most ${MAX_BATCH} events at once, got ${events.length}: split the batch`)
    events.forEach((e, i) => {
      const at = `events[${i}]`
      if (!e || typeof e !== 'object') throw invalid(at, `${at} must be { customUid, metric, amount, id?, at? }`)
      if (typeof e.customUid !== 'string' || e.customUid === '') throw invalid(`${at}.customUid`, `${at}.customUid must be the customer's uid`)
      if (typeof e.metric !== 'string' || e.metric === '') throw invalid(`${at}.metric`, `${at}.metric must be a metric key such as "api_calls"`)
      positiveAmount(e.amount, `${at}.amount`)
      if (e.id !== undefined && (typeof e.id !== 'string' || e.id === '' || e.id.length > 200)) throw invalid(`${at}.id`, `${at}.id must be 1-200 characters (the event's idempotency key)`)
      if (e.at !== undefined && !Number.isSafeInteger(e.at)) throw invalid(`${at}.at`, `${at}.at must be Unix seconds`)
      if (e.apiKeyId !== undefined && typeof e.apiKeyId !== 'string') throw invalid(`${at}.apiKeyId`, `${at}.apiKeyId must be an API key id`)
    })
  }

  async function trackMany(appId: string, events: TrackEvent[]): Promise<TrackManyResult> {
    if (typeof appId !== 'string' || appId === '') throw invalid('appId', 'trackMany(appId, events) needs the app id first')
    validateEvents(events)
    const result: TrackManyResult = { accepted: 0, duplicates: 0, rejected: [] }
    if (events.length === 0) return result
    const t = now()
    const counted = new Set<string>()
    // First without RETURNING (SQLite pays a third more per row for it): when every row is
    // new, the rows are what the rollup adds. A batch with a duplicate id is run again whole,
    // with RETURNING naming the rows that were new.
    for (const precise of [false, true]) {
      try {
        await tx((q) => writeBatch(q, precise))
        break
      } catch (error) {
        if (precise || !(error instanceof DuplicatesSeen)) throw error
      }
    }
    // Outside the transaction: alerts read the committed usage and claim their firing on their own.
    if (counted.size > 0) await hooks.afterTrack?.(appId, [...counted])
    return result

    async function writeBatch(q: Db, precise: boolean): Promise<void> {
      // A transaction run again (PostgreSQL: a deadlock) starts its tally again.
      Object.assign(result, { accepted: 0, duplicates: 0, rejected: [] })
      counted.clear()
      const metrics = new Set((await q.selectFrom('metrics').select('key').where('app_id', '=', appId).execute()).map((m) => m.key))
      const uids = [...new Set(events.map((e) => e.customUid))]
      const customers = new Map<string, { id: string; subscription_id: string | null }>()
      for (let i = 0; i < uids.length; i += INSERT_CHUNK) {
        const rows = await q
          .selectFrom('customers')
          .select(['id', 'custom_uid', 'subscription_id'])
          .where('app_id', '=', appId)
          .where('custom_uid', 'in', uids.slice(i, i + INSERT_CHUNK))
          .execute()
        for (const r of rows) customers.set(r.custom_uid, r)
      }
      const subIds = [...customers.values()].map((c) => c.subscription_id).filter((id): id is string => id !== null)
      // Where each customer's open period starts: earlier events belong to a period already rolled over (invoiced).
      const openFrom = new Map<string, number>()
      for (let i = 0; i < subIds.length; i += INSERT_CHUNK) {
        const subs = await q
          .selectFrom('subscriptions')
          .select(['customer_id', 'status', 'current_period_start'])
          .where('id', 'in', subIds.slice(i, i + INSERT_CHUNK))
          .execute()
        for (const s of subs) if (s.status !== 'canceled') openFrom.set(s.customer_id, s.current_period_start)
      }

      const rows: UsageRow[] = []
      const touched = new Map<string, number>()
      events.forEach((e, index) => {
        const reject = (field: string, message: string) => result.rejected.push({ index, ...(e.id === undefined ? {} : { id: e.id }), field, message })
        const customer = customers.get(e.customUid)
        if (!customer) return reject('customUid', `No customer "${e.customUid}" in app "${appId}"`)
        if (!metrics.has(e.metric)) return reject('metric', `Unknown metric "${e.metric}": create it first`)
        const at = e.at ?? t
        if (at > t + FUTURE_SKEW) return reject('at', `at ${at} is in the future (the engine's clock reads ${t})`)
        const from = openFrom.get(customer.id)
        if (from !== undefined && at < from) {
          return reject('at', `at ${at} falls in a billing period that was already invoiced (the open period began at ${from}): late events are taken until their period rolls over`)
        }
        rows.push({ app_id: appId, customer_id: customer.id, metric: e.metric, quantity: e.amount, recorded_at: at, event_id: e.id ?? null })
        if (e.apiKeyId !== undefined) touched.set(e.apiKeyId, Math.max(touched.get(e.apiKeyId) ?? 0, at))
      })

      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        const inserted = await insertUsage(q, rows.slice(i, i + INSERT_CHUNK), precise)
        if (inserted === null) throw new DuplicatesSeen()
        await rollUp(q, inserted)
        for (const e of inserted) counted.add(e.customer_id)
        result.accepted += inserted.length
      }
      result.duplicates = rows.length - result.accepted
      for (const [apiKeyId, at] of touched) {
        await q.updateTable('api_keys').set({ last_used: at }).where('id', '=', apiKeyId).where('app_id', '=', appId).execute()
      }
    }
  }

  /**
   * Inserts usage rows, skipping event ids already seen. Returns the rows that were new:
   * `precise` asks the database (RETURNING, on SQLite and PostgreSQL alike); otherwise
   * all of them when all were new, or null when some were not. The multi-row INSERT is
   * built and compiled by Kysely once per row count and kind (building a thousand rows'
   * AST costs more than SQLite takes to write them), then run with the rows' values in the
   * slots the compiled query names.
   */
  const compiledInserts = new Map<string, { compiled: CompiledQuery; slots: { row: number; column: keyof UsageRow }[] }>()
  async function insertUsage(q: Db, rows: UsageRow[], precise: boolean): Promise<CountedEvent[] | null> {
    const key = `${rows.length}:${precise}`
    let entry = compiledInserts.get(key)
    if (!entry) {
      const marker = '\u0000usage:'
      const placeholders = rows.map((_, row) => Object.fromEntries(USAGE_COLUMNS.map((column) => [column, `${marker}${row}:${column}`])) as unknown as UsageRow)
      const insert = q
        .insertInto('usage_records')
        .values(placeholders)
        .onConflict((oc) => oc.columns(['app_id', 'event_id']).doNothing())
      const compiled = precise ? insert.returning(['customer_id', 'metric', 'recorded_at', 'quantity']).compile() : insert.compile()
      const slots = compiled.parameters.map((p) => {
        const [row, column] = String(p).slice(marker.length).split(':')
        return { row: Number(row), column: column as keyof UsageRow }
      })
      entry = { compiled, slots }
      if (compiledInserts.size > 8) compiledInserts.clear()
      compiledInserts.set(key, entry)
    }
    const result = await q.executeQuery<CountedEvent>({ ...entry.compiled, parameters: entry.slots.map((s) => rows[s.row][s.column]) })
    if (precise) return result.rows
    return Number(result.numAffectedRows ?? 0) === rows.length ? rows : null
  }

  /** One event; throws what `trackMany` would itemise. Returns whether it was a duplicate. */
  async function track(scope: CustomerScope, metric: string, amount: number, options: { id?: string; at?: number } = {}): Promise<{ duplicate: boolean }> {
    const event: TrackEvent = { customUid: scope?.customUid, metric, amount, ...options }
    let result: TrackManyResult
    try {
      result = await trackMany(scope?.appId, [event])
    } catch (error) {
      // The batch's field names (`events[0].amount`) mean nothing to a caller of track().
      if (error instanceof BillingError && error.field?.startsWith('events[0].')) throw invalid(error.field.slice(10), error.message.replace('events[0].', ''))
      throw error
    }
    const refused = result.rejected[0]
    if (refused) throw refused.field === 'customUid' ? new BillingError('not_found', 'No such customer') : invalid(refused.field, refused.message)
    return { duplicate: result.duplicates === 1 }
  }

  return { check, entitlements, track, trackMany }
}
