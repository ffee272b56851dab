/**
 * `@archetypeapi/portals/server`: mint portal tokens and serve the Portal API.
 *
 *   const handler = createPortalHandler({ appId, secret, billing: openSqliteBilling({ filename }) })
 *   http.createServer(toNodeListener(handler))         // or export it from a Next.js route
 */
export { ArchetypeApi, createPortalToken, verifyPortalToken, PortalTokenError } from './token.js'
export type {
  ArchetypeApiClient,
  CreatePortalTokenOptions,
  PortalTokenClaims,
  PortalTokenErrorCode,
  PortalTokenResult,
  VerifyPortalTokenOptions,
} from './token.js'
export { createPortalHandler } from './handler.js'
export type { PortalHandler, PortalHandlerOptions } from './handler.js'
export type { PortalFeaturesOption } from './features.js'
export { portalOpenApiDocument } from './routes.js'
export { createSellerHandler, SELLER_MAX_BODY_BYTES } from './seller.js'
export type { SellerBilling, SellerHandler, SellerHandlerOptions } from './seller.js'
export { sellerOpenApiDocument } from './seller-routes.js'
export type { OpenApiDocument } from './schemas/openapi.js'
export { toNodeListener } from './node.js'
export type { NodeListener } from './node.js'
export { memoryIdempotencyStore } from './idempotency.js'
export type { IdempotencyRecord, IdempotencyStore, MemoryIdempotencyStoreOptions, StoredResponse } from './idempotency.js'
export type { RateLimitCounters, RateLimitOptions } from './rate-limit.js'
export type { ClientAddress } from './client-address.js'
export { createApiKeyGuard } from './guard/index.js'
export type { ApiKeyGuard, ApiKeyGuardOptions, GuardVerdict } from './guard/index.js'
export { openSqliteBilling } from './billing/sqlite.js'
export { openPostgresBilling, postgresIdempotencyStore } from './billing/postgres.js'
export type { PgPool, PostgresBilling, PostgresBillingOptions } from './billing/postgres.js'
export type {
  AppInput,
  CatalogueChanges,
  CatalogueDiff,
  CatalogueInput,
  CataloguePlan,
  CustomerInput,
  FieldChange,
  MetricInput,
  PlanInput,
  PriceInput,
  QuotaInput,
  SellerPlan,
  SqliteBilling,
  SqliteBillingOptions,
  UpdatedObject,
} from './billing/sqlite.js'
export { stripeBilling, type StripeBillingOptions, type StripeClient, type StripeMeter } from './billing/stripe.js'
export { BillingError } from './billing/types.js'
export type {
  ApiKeyChange,
  ApiKeyOwner,
  BillingBackend,
  CheckReason,
  CheckResult,
  CustomerScope,
  Entitlements,
  MeteringBackend,
  MetricEntitlement,
  MutationOptions,
  PageParams,
  SharedStores,
  TrackEvent,
  TrackManyResult,
  UsageAlertEvent,
  UsageAlertInput,
  UsageQuery,
} from './billing/types.js'
export type { UsageAlertWebhook } from './billing/engine/usage-webhook.js'
export type * from '../api/types.js'
