/** Renewal: a subscription rolled over its period boundaries, invoiced and charged. */
import { collectOpenInvoices } from './charging.js'
import { findSubscription, isLive, selectPrice } from './lookups.js'
import { insertInvoice } from './new-invoice.js'
import { sum } from './proration.js'
import { nextPeriod, overageLines, scaleQuotas, settle, subscriptionLine } from './quote.js'
import type { Db } from './schema.js'
import { quotasOf, usageIn } from './usage.js'

/**
 * Rolls a subscription over every period boundary up to `now`: a cancellation at the
 * period end takes effect; otherwise the period's usage over quota and the next period
 * (on the scheduled price, if any) are invoiced and charged to the default card. A
 * failed charge leaves the invoice open and the subscription past due.
 */
export async function renewSubscription(q: Db, subscriptionId: string, now: number): Promise<number> {
  let renewed = 0
  for (let guard = 0; guard < 10_000; guard++) {
    const s = await findSubscription(q, subscriptionId)
    if (!isLive(s) || s.current_period_end > now) break
    const at = s.current_period_end
    if (s.cancel_at_period_end === 1) {
      await q
        .updateTable('subscriptions')
        .set({ status: 'canceled', canceled_at: s.canceled_at ?? at, ended_at: at, cancel_at_period_end: 0, scheduled_price_id: null, scheduled_at: null })
        .where('id', '=', s.id)
        .execute()
      renewed++
      break
    }
    const current = await selectPrice(q).where('p.id', '=', s.price_id).executeTakeFirstOrThrow()
    const scheduled = s.scheduled_price_id !== null && s.scheduled_at !== null && s.scheduled_at <= at
    const next = scheduled ? await selectPrice(q).where('p.id', '=', s.scheduled_price_id as string).executeTakeFirstOrThrow() : current
    const inTrial = s.status === 'trialing'
    const usageLines = inTrial
      ? []
      : overageLines(scaleQuotas(await quotasOf(q, s.app_id, current.plan_id), current.period), await usageIn(q, s.customer_id, s.current_period_start, at), s.current_period_start, at)
    const anchor = next.period !== current.period ? at : s.anchor
    const period = nextPeriod(anchor, next.period, at)
    const draft = [...usageLines, subscriptionLine(next, period.start, period.end)]
    const customer = await q.selectFrom('customers').select(['id', 'subscription_id', 'balance']).where('id', '=', s.customer_id).executeTakeFirstOrThrow()

    await q
      .updateTable('subscriptions')
      .set({
        price_id: next.id,
        anchor,
        current_period_start: period.start,
        current_period_end: period.end,
        scheduled_price_id: null,
        scheduled_at: null,
        status: inTrial ? 'active' : s.status,
      })
      .where('id', '=', s.id)
      .execute()

    if (sum(draft.map((l) => l.amount)) > 0) {
      const settled = settle(draft, customer.balance)
      await insertInvoice(q, {
        appId: s.app_id,
        customerId: s.customer_id,
        subscriptionId: s.id,
        currency: next.currency,
        lines: settled.lines,
        at,
        status: settled.total > 0 ? 'open' : 'paid',
      })
      if (settled.balance_after !== customer.balance) {
        await q.updateTable('customers').set({ balance: settled.balance_after }).where('id', '=', customer.id).execute()
      }
    }
    await collectOpenInvoices(q, customer, at)
    renewed++
  }
  return renewed
}
