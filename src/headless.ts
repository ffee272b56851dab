/**
 * `@archetypeapi/portals/headless`: the data and flows of the portals without their DOM,
 * to build your own UI (or hooks) on. Importing it runs nothing and touches no `window`
 * or `document` (SSR-safe); everything starts with `createPortalClient`.
 *
 *   const client = createPortalClient({ token, apiUrl: '/api/portal' })
 *   client.stores.account.subscribe(({ status, data }) => ...)   // loads on first subscriber
 *   const change = client.flows.changePlan()
 *   await change.choose('price_pro_month'); await change.confirm()  // the account store reloads
 */
export { createPortalClient } from './client.js'
export type { PortalClient, PortalClientOptions } from './client.js'
export type { ApiKeyAnswer, MutationOptions, PortalApi, RequestOptions } from './api/portal-api.js'
export type { PagerStore, PortalStores, Resource, ResourceStore } from './stores/index.js'
export type {
  ActionFlow,
  ActionState,
  AddPaymentMethodFlow,
  AddPaymentMethodState,
  CancelFlow,
  CancelState,
  ChangePlanFlow,
  ChangePlanOptions,
  ChangePlanState,
  Flow,
  PortalFlows,
} from './flows/index.js'
export { needsPaymentMethod } from './flows/change-plan.js'
export type { ErrorCode, PortalError, SessionState } from './types.js'
export type * from './api/types.js'
