/**
 * The flows' runners: each factory makes one flow (one UI's worth: a card, a dialog, a
 * hook), bound to the client's API and stores. A flow's mutation invalidates the stores
 * it changes, so every view and hook on the page that shows them follows.
 */
import type { ApiKeyAnswer, PortalApi } from '../api/portal-api.js'
import type { ApiKey, BillingDetails, BillingDetailsUpdate, CheckoutResponse, Deleted, Invoice, List, PaymentMethod, Subscription, UsageAlert, UsageAlertBody, UsageLimit, UsageLimitBody } from '../api/types.js'
import type { ResourceStore, StoresInternals } from '../stores/index.js'
import { actionTransition, type ActionEvent, type ActionState } from './action.js'
import { addPaymentMethodTransition, type AddPaymentMethodEvent, type AddPaymentMethodState } from './add-payment-method.js'
import { cancelTransition, type CancelEvent, type CancelState } from './cancel.js'
import { changePlanTransition, needsPaymentMethod, type ChangePlanEvent, type ChangePlanState } from './change-plan.js'
import { createFlow, noFields, type EffectOptions, type Flow, type FlowOptions } from './machine.js'

export type { ActionState, AddPaymentMethodState, CancelState, ChangePlanState, Flow }
export { needsPaymentMethod }

/** Each command resolves with the flow's state once no request of it runs (its outcome). */
export interface ChangePlanFlow extends Flow<ChangePlanState> {
  /** Previews `priceId`: `ready`, `needs_payment_method` or `failed`. */
  choose(priceId: string): Promise<ChangePlanState>
  /** In `needs_payment_method`: a method was added (e.g. by an `addPaymentMethod` flow), on to `ready`. */
  paymentMethodAdded(): Promise<ChangePlanState>
  /** From `ready` (or `failed` after a confirm, under the same Idempotency-Key): `done` or `failed`. */
  confirm(): Promise<ChangePlanState>
  /** Back to `idle` (not while confirming). */
  close(): Promise<ChangePlanState>
}

export interface ChangePlanOptions {
  /** Ask for a payment method before confirming a change that charges one, when there is none. Default true. */
  collectPaymentMethod?: boolean
}

export interface AddPaymentMethodFlow extends Flow<AddPaymentMethodState> {
  /** Starts a setup: `collecting` (draw the form for `state.setup`) or `failed`. */
  begin(): Promise<AddPaymentMethodState>
  /** In `collecting`: attaches a sandbox test card or a PaymentMethod id Stripe confirmed: `done`, or `collecting` with `error`. */
  attach(paymentMethod: string, makeDefault?: boolean): Promise<AddPaymentMethodState>
  close(): Promise<AddPaymentMethodState>
}

export interface CancelFlow extends Flow<CancelState> {
  /** Opens the choice, at the period end unless told otherwise. */
  open(atPeriodEnd?: boolean): Promise<CancelState>
  choose(atPeriodEnd: boolean): Promise<CancelState>
  /** Cancels as chosen: `done` or `failed`. */
  confirm(): Promise<CancelState>
  close(): Promise<CancelState>
}

export interface ActionFlow<I, R> extends Flow<ActionState<I, R>> {
  /** Runs the request (ignored while one runs): `done` or `failed`. */
  run(input: I): Promise<ActionState<I, R>>
  reset(): Promise<ActionState<I, R>>
}

/** Factories: make one flow per UI that runs it (a card, a dialog, a hook) and `destroy()` it with that UI. */
export interface PortalFlows {
  changePlan(options?: ChangePlanOptions): ChangePlanFlow
  addPaymentMethod(): AddPaymentMethodFlow
  cancel(): CancelFlow
  resume(): ActionFlow<void, Subscription>
  /** Takes back a scheduled downgrade. */
  undoScheduledChange(): ActionFlow<void, Subscription>
  setDefaultPaymentMethod(): ActionFlow<string, PaymentMethod>
  removePaymentMethod(): ActionFlow<string, Deleted>
  /** Input: the key's name. The secret is in `result.secret`, once (absent on a replayed answer). */
  createApiKey(): ActionFlow<string, ApiKeyAnswer>
  /** Input: the key's id. The new secret is in `result.secret`, once. */
  rollApiKey(): ActionFlow<string, ApiKeyAnswer>
  revokeApiKey(): ActionFlow<string, Deleted>
  /** Input: the invoice's id; pays it with the default payment method. */
  payInvoice(): ActionFlow<string, Invoice>
  updateBillingDetails(): ActionFlow<BillingDetailsUpdate, BillingDetails>
  /** A visitor's checkout of a price (the input) for the app of `publicKey`: go to `result.url`. */
  checkout(publicKey: string): ActionFlow<string, CheckoutResponse>
  /** A metric's overage cap (`max_overage_amount: null` stops at the quota); the meter and the metric's current reports follow. */
  setUsageLimit(): ActionFlow<UsageLimitBody, UsageLimit>
  /** Adds an alert to the `usageAlerts` store's list. */
  createUsageAlert(): ActionFlow<UsageAlertBody, UsageAlert>
  /** Input: the alert's id; it leaves the `usageAlerts` list. */
  deleteUsageAlert(): ActionFlow<string, Deleted>
}

/** `options.kit`: what the flows use of the layers below (./kit.ts), passed in by the client so that their chunk imports none of the core. */
export function createFlows(api: PortalApi, stores: StoresInternals, options: FlowOptions): PortalFlows {
  const { kit } = options
  /** What a change to the subscription changes: the account, the plans' current price, the invoices. */
  const subscriptionChanged = () => {
    stores.account.invalidate()
    stores.plans.invalidate()
    stores.invoices.invalidate()
  }
  /** A card added or made default also collects open invoices (a past_due subscription may recover). */
  const methodsChanged = () => {
    stores.paymentMethods.invalidate()
    stores.account.invalidate()
    stores.invoices.invalidate()
  }
  /** A list store edited in place with what a mutation answered; not loaded yet (or loading from before the change), the next load has it. */
  const edit = <T>(store: ResourceStore<List<T>>, change: (items: T[]) => T[]) => {
    const list = store.get().data
    if (list) store.setData({ ...list, data: change(list.data) })
    else store.invalidate()
  }
  /** The list keeps the key without its secret: the secret is only ever in the flow's `result`. */
  const masked = ({ secret: _secret, ...key }: ApiKeyAnswer): ApiKey => key

  function action<I, R>(run: (input: I, options: EffectOptions) => Promise<R>, after?: (result: R, input: I) => void): ActionFlow<I, R> {
    return createFlow<ActionState<I, R>, ActionEvent<I, R>, ActionFlow<I, R>>(
      actionTransition,
      {
        running: async ({ input }, options) => {
          const result = await run(input, options)
          after?.(result, input)
          return { type: 'succeeded', result }
        },
      },
      { run: (input) => ({ input }), reset: noFields },
      options,
    )
  }

  return {
    changePlan: ({ collectPaymentMethod = true } = {}) =>
      createFlow<ChangePlanState, ChangePlanEvent, ChangePlanFlow>(
        changePlanTransition,
        {
          previewing: async ({ priceId }, options) => {
            const preview = await api.previewSubscription({ price_id: priceId }, options)
            let missing = false
            if (collectPaymentMethod && needsPaymentMethod(preview)) {
              const methods = await api.paymentMethods(options)
              stores.paymentMethods.setData(methods)
              missing = methods.data.length === 0
            }
            return { type: missing ? 'needs_payment_method' : 'previewed', preview, idempotencyKey: kit.newIdempotencyKey() }
          },
          confirming: async ({ priceId, preview, idempotencyKey }, { signal }) => {
            // The preview's moment: the change is charged exactly what the preview showed.
            const subscription = await api.changeSubscription({ price_id: priceId, proration_date: preview.proration_date }, { idempotencyKey, signal })
            subscriptionChanged()
            return { type: 'confirmed', subscription }
          },
        },
        { choose: (priceId) => ({ priceId }), paymentMethodAdded: noFields, confirm: noFields, close: noFields },
        options,
      ),

    addPaymentMethod: () =>
      createFlow<AddPaymentMethodState, AddPaymentMethodEvent, AddPaymentMethodFlow>(
        addPaymentMethodTransition,
        {
          setting_up: async (_, options) => ({ type: 'setUp', setup: await api.setupPaymentMethod(options) }),
          attaching: async ({ paymentMethod, makeDefault }, options) => {
            const method = await api.attachPaymentMethod({ payment_method: paymentMethod, make_default: makeDefault }, options)
            methodsChanged()
            return { type: 'attached', method }
          },
        },
        { begin: noFields, attach: (paymentMethod, makeDefault) => ({ paymentMethod, makeDefault }), close: noFields },
        options,
      ),

    cancel: () =>
      createFlow<CancelState, CancelEvent, CancelFlow>(
        cancelTransition,
        {
          canceling: async ({ atPeriodEnd }, options) => {
            const subscription = await api.cancelSubscription({ at_period_end: atPeriodEnd }, options)
            subscriptionChanged()
            return { type: 'canceled', subscription }
          },
        },
        { open: (atPeriodEnd = true) => ({ atPeriodEnd }), choose: (atPeriodEnd) => ({ atPeriodEnd }), confirm: noFields, close: noFields },
        options,
      ),

    resume: () => action((_: void, options) => api.resumeSubscription(options), subscriptionChanged),
    undoScheduledChange: () => action((_: void, options) => api.undoScheduledChange(options), subscriptionChanged),
    setDefaultPaymentMethod: () => action(api.setDefaultPaymentMethod, methodsChanged),
    removePaymentMethod: () => action(api.removePaymentMethod, methodsChanged),
    createApiKey: () => action((name: string, options) => api.createApiKey({ name }, options), (key) => edit(stores.apiKeys, (keys) => [...keys, masked(key)])),
    rollApiKey: () => action(api.rollApiKey, (key, id) => edit(stores.apiKeys, (keys) => keys.map((k) => (k.id === id ? masked(key) : k)))),
    revokeApiKey: () => action(api.revokeApiKey, (_, id) => edit(stores.apiKeys, (keys) => keys.filter((k) => k.id !== id))),
    // A paid invoice may end a past_due subscription.
    payInvoice: () =>
      action(api.payInvoice, (_, id) => {
        subscriptionChanged()
        stores.invoice(id).invalidate()
      }),
    updateBillingDetails: () => action(api.updateBillingDetails, (details) => stores.billingDetails.setData(details)),
    checkout: (publicKey) => action((priceId: string, options) => api.checkout(publicKey, { price_id: priceId }, options)),
    setUsageLimit: () =>
      action(api.setUsageLimit, ({ metric }) => {
        // The meter shows the cap; the current period's forecast stops at it.
        stores.account.invalidate()
        for (const granularity of ['day', 'hour'] as const) stores.usageReport({ metric, granularity }).invalidate()
      }),
    createUsageAlert: () => action(api.createUsageAlert, (alert) => edit(stores.usageAlerts, (alerts) => [...alerts, alert])),
    deleteUsageAlert: () => action(api.deleteUsageAlert, (_, id) => edit(stores.usageAlerts, (alerts) => alerts.filter((a) => a.id !== id))),
  }
}
