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
import { createClientWithFlows, type PortalClient, type PortalClientOptions } from './client.js'
import { createFlows } from './flows/index.js'

export type { PortalClient, PortalClientOptions }

/** The client: its flows' code is in this bundle, so every command acts at once. */
export function createPortalClient(options: PortalClientOptions = {}): PortalClient {
  return createClientWithFlows(options, createFlows)
}

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
