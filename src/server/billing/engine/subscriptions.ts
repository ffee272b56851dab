/** Plans a customer may choose, plan changes (preview and apply share one quote), cancel and resume. */
import type { PlansResponse, Price, Subscription, SubscriptionPreview } from '../../../api/types.js'
import { withChangeTiming } from '../change-timing.js'
import { prorationMoment } from '../proration-date.js'
import { BillingError, type CustomerScope } from '../types.js'
import { newId } from './ids.js'
import { periodEnd } from './proration.js'
import { classifyChange, quoteChange, type ChangeQuote } from './quote.js'
import type { ExpressionBuilder } from 'kysely'
import type { BillingDatabase, CustomersTable, Db, SubscriptionsTable } from './schema.js'
import { chargeDefault, chargeError, collectOpenInvoices } from './charging.js'
import { findPrice, findSubscription, loadPlans, selectPrice, type PriceRow } from './lookups.js'
import { insertInvoice } from './new-invoice.js'
import { quotasOf, usageBuckets } from './usage.js'
import { subscriptionWire, toQuoteSubscription, toSubscription } from './wire.js'
import type { EngineContext } from './context.js'

/** A scheduled cancellation withdrawn (resumed, or superseded by choosing a plan). */
const NOT_CANCELING = { cancel_at_period_end: 0, canceled_at: null } as const

export interface SubscriptionRules {
  /** False: one trial per customer (any of their subscriptions with a `trial_end` used it). */
  allowRepeatTrials: boolean
}

export function subscriptionMethods(ctx: EngineContext, rules: SubscriptionRules) {
  const { db, now, tx, customerNow, liveSubscription } = ctx

  async function trialAvailable(q: Db, customerId: string): Promise<boolean> {
    if (rules.allowRepeatTrials) return true
    const trial = await q.selectFrom('subscriptions').select('id').where('customer_id', '=', customerId).where('trial_end', 'is not', null).limit(1).executeTakeFirst()
    return trial === undefined
  }

  async function listPlans(scope: CustomerScope): Promise<PlansResponse> {
    const customer = await customerNow(db, scope)
    const sub = await liveSubscription(db, customer)
    const current = sub ? await db.selectFrom('prices').select(['plan_id', 'amount', 'period']).where('id', '=', sub.price_id).executeTakeFirstOrThrow() : null
    const currentPlanId = current?.plan_id ?? null
    // Offered plans, plus the customer's own plan when it is hidden or archived (a legacy or custom plan).
    const offered = (eb: ExpressionBuilder<BillingDatabase, 'plans'>) => eb.and([eb('public', '=', 1), eb('archived_at', 'is', null)])
    const plans = await db
      .selectFrom('plans')
      .selectAll()
      .where('app_id', '=', scope.appId)
      .where((eb) => (currentPlanId ? eb.or([offered(eb), eb('id', '=', currentPlanId)]) : offered(eb)))
      .orderBy('sort_order')
      .orderBy('id')
      .execute()
    const data = await loadPlans(db, plans, { keepPriceId: sub?.price_id })
    // The quote's own rule (a first subscription starts now).
    const effective = (price: Price) => (sub && current ? classifyChange({ status: sub.status, price: current }, price) : 'now')
    return { data: withChangeTiming(data, sub?.price_id ?? null, effective), current_price_id: sub?.price_id ?? null }
  }

  interface Prepared {
    customer: CustomersTable
    sub: (SubscriptionsTable & { status: 'trialing' | 'active' | 'past_due' }) | undefined
    target: PriceRow
    /** `at`: the moment it was priced. */
    quote: ChangeQuote & { at: number }
  }

  /**
   * Validates a change and quotes it: the one computation behind both preview and change.
   * `prorationDate` (a preview's) prices it as of that moment instead of now.
   */
  async function prepareChange(q: Db, scope: CustomerScope, priceId: string, allowHidden: boolean, prorationDate?: number): Promise<Prepared> {
    const customer = await customerNow(q, scope)
    const target = await findPrice(q, scope.appId, priceId)
    if (!target) throw new BillingError('invalid_request', 'No such price', { field: 'price_id' })
    const sub = await liveSubscription(q, customer)
    const current = sub ? await selectPrice(q).where('p.id', '=', sub.price_id).executeTakeFirstOrThrow() : undefined
    // Archived (catalogue.ts): kept by its subscribers, offered to nobody; a hidden plan is for the seller to give.
    if (target.archived_at !== null && target.id !== sub?.price_id) {
      throw new BillingError('invalid_request', 'This price is no longer offered', { field: 'price_id' })
    }
    const ownPlan = target.plan_id === current?.plan_id
    if (!ownPlan && (target.plan_archived_at !== null || (!allowHidden && target.public === 0))) {
      throw new BillingError('invalid_request', 'This price is not available', { field: 'price_id' })
    }
    if (sub && current) {
      if (sub.price_id === target.id) throw new BillingError('conflict', 'The subscription is already on this price')
      if (sub.scheduled_price_id === target.id) throw new BillingError('conflict', 'This change is already scheduled')
      if (current.currency !== target.currency) {
        throw new BillingError('invalid_request', `The subscription is billed in ${current.currency}; choose a price in ${current.currency}`, { field: 'price_id' })
      }
    }
    const t = prorationMoment(prorationDate, now(), sub?.current_period_start ?? null)
    const [currentQuotas, targetQuotas, usage, trial] = await Promise.all([
      current ? quotasOf(q, scope.appId, current.plan_id) : Promise.resolve([]),
      quotasOf(q, scope.appId, target.plan_id),
      usageBuckets(q, customer.id, {
        start: sub?.current_period_start ?? t,
        now: t,
        end: sub?.current_period_end ?? t,
        until: Math.max(sub?.current_period_end ?? t, periodEnd(t, target.period)),
      }),
      sub ? Promise.resolve(false) : trialAvailable(q, customer.id),
    ])
    const quote = quoteChange({
      now: t,
      balance: customer.balance,
      trialAvailable: trial,
      current: sub && current ? toQuoteSubscription(sub, current) : null,
      currentQuotas,
      target,
      targetQuotas,
      usage,
    })
    return { customer, sub, target, quote: { ...quote, at: t } }
  }

  async function previewSubscriptionChange(scope: CustomerScope, priceId: string): Promise<SubscriptionPreview> {
    const { target, quote } = await tx((q) => prepareChange(q, scope, priceId, false))
    return {
      price_id: target.id,
      amount_due_now: quote.amount_due_now,
      currency: target.currency,
      next_renewal_amount: quote.next_renewal_amount,
      effective: quote.effective,
      effective_at: quote.effective_at,
      proration_date: quote.at,
      lines: quote.lines.map((l) => ({ description: l.description, amount: l.amount })),
      needs_card: quote.needs_card,
    }
  }

  async function applyChange(scope: CustomerScope, priceId: string, allowHidden: boolean, prorationDate?: number): Promise<Subscription> {
    return tx(async (q) => {
      const { customer, sub, target, quote } = await prepareChange(q, scope, priceId, allowHidden, prorationDate)
      const t = now()
      if (!quote.next) {
        // Scheduled for the period end; choosing a plan also withdraws a pending cancellation.
        const s = sub as SubscriptionsTable
        const patch = { scheduled_price_id: target.id, scheduled_at: quote.effective_at, ...NOT_CANCELING }
        const updated: SubscriptionsTable = { ...s, ...patch }
        await q
          .updateTable('subscriptions')
          .set(patch)
          .where('id', '=', s.id)
          .execute()
        return subscriptionWire(q, updated)
      }
      if (quote.needs_card || quote.amount_due_now > 0) {
        const charge = await chargeDefault(q, customer.id)
        if (!charge.ok) throw chargeError(charge)
      }
      const next = quote.next
      let row: SubscriptionsTable
      if (sub) {
        const patch = { ...next, ...NOT_CANCELING, scheduled_price_id: null, scheduled_at: null }
        row = { ...sub, ...patch }
        await q
          .updateTable('subscriptions')
          .set(patch)
          .where('id', '=', sub.id)
          .execute()
      } else {
        row = {
          id: newId('sub'),
          app_id: scope.appId,
          customer_id: customer.id,
          ...next,
          cancel_at_period_end: 0,
          scheduled_price_id: null,
          scheduled_at: null,
          canceled_at: null,
          ended_at: null,
          created: t,
        }
        await q.insertInto('subscriptions').values(row).execute()
        await q.updateTable('customers').set({ subscription_id: row.id }).where('id', '=', customer.id).execute()
      }
      if (quote.lines.length > 0) {
        await insertInvoice(q, {
          appId: scope.appId,
          customerId: customer.id,
          subscriptionId: row.id,
          currency: target.currency,
          lines: quote.lines,
          at: t,
          status: 'paid',
        })
      }
      if (quote.balance_after !== customer.balance) {
        await q.updateTable('customers').set({ balance: quote.balance_after }).where('id', '=', customer.id).execute()
      }
      if (row.status === 'past_due') {
        await collectOpenInvoices(q, { id: customer.id, subscription_id: row.id }, t)
        row = (await findSubscription(q, row.id)) as SubscriptionsTable
      }
      return toSubscription(row, target.plan_id)
    })
  }

  async function cancelScheduledChange(scope: CustomerScope): Promise<Subscription> {
    return tx(async (q) => {
      const sub = await liveSubscription(q, await customerNow(q, scope))
      if (!sub || sub.scheduled_price_id === null) throw new BillingError('conflict', 'There is no scheduled change to undo')
      await q.updateTable('subscriptions').set({ scheduled_price_id: null, scheduled_at: null }).where('id', '=', sub.id).execute()
      return subscriptionWire(q, { ...sub, scheduled_price_id: null, scheduled_at: null })
    })
  }

  async function cancelSubscription(scope: CustomerScope, atPeriodEnd: boolean): Promise<Subscription> {
    return tx(async (q) => {
      const sub = await liveSubscription(q, await customerNow(q, scope))
      if (!sub) throw new BillingError('conflict', 'There is no active subscription to cancel')
      if (atPeriodEnd) {
        if (sub.cancel_at_period_end === 1) throw new BillingError('conflict', 'The subscription is already set to cancel at the period end')
        // A cancellation supersedes a scheduled plan change.
        const patch = { cancel_at_period_end: 1 as const, canceled_at: now(), scheduled_price_id: null, scheduled_at: null }
        await q.updateTable('subscriptions').set(patch).where('id', '=', sub.id).execute()
        return subscriptionWire(q, { ...sub, ...patch })
      }
      // Cancelling now ends access now and refunds nothing for the unused time (docs/billing-engine.md):
      // the period ends here too, so nothing shows or meters a period the customer no longer has.
      const t = now()
      const patch = { status: 'canceled' as const, canceled_at: t, ended_at: t, current_period_end: t, cancel_at_period_end: 0 as const, scheduled_price_id: null, scheduled_at: null }
      await q.updateTable('subscriptions').set(patch).where('id', '=', sub.id).execute()
      return subscriptionWire(q, { ...sub, ...patch })
    })
  }

  async function resumeSubscription(scope: CustomerScope): Promise<Subscription> {
    return tx(async (q) => {
      const sub = await liveSubscription(q, await customerNow(q, scope))
      if (!sub || sub.cancel_at_period_end === 0) throw new BillingError('conflict', 'There is no scheduled cancellation to undo')
      await q.updateTable('subscriptions').set(NOT_CANCELING).where('id', '=', sub.id).execute()
      return subscriptionWire(q, { ...sub, ...NOT_CANCELING })
    })
  }

  return { listPlans, previewSubscriptionChange, applyChange, cancelScheduledChange, cancelSubscription, resumeSubscription }
}
