/**
 * `@archetypeapi/portals`: the framework-agnostic browser core. Importing it runs
 * nothing and touches no `window` or `document` (SSR-safe); everything starts in
 * `createPortal` and stops in `destroy()`.
 */
export { createPortal } from './portal.js'
export { createPricingPortal } from './pricing.js'
export type {
  ErrorCode,
  FlowName,
  OpenTarget,
  PortalConfig,
  PortalError,
  PortalHandle,
  PortalOptions,
  PricingOptions,
  SessionState,
  StripeLoader,
  ViewName,
} from './types.js'
export type { MessageKey, Messages } from './i18n/messages.js'
export type * from './api/types.js'
