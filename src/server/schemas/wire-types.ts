/**
 * Compile-time proof that the schemas and `src/api/types.ts` (the browser's plain wire
 * types, which must not import zod) describe the same shapes. A field added, dropped or
 * retyped on one side only fails `tsc` here. Nothing in this file runs.
 */
import type * as z from 'zod'
import type * as wire from '../../api/types.js'
import type { CatalogueDiff, SellerPlan } from '../billing/engine/catalogue.js'
import type { BillingEngine } from '../billing/engine/engine.js'
import type * as engine from '../billing/types.js'
import type * as s from './portal.js'
import type * as bd from './billing-details.js'
import type * as seller from './seller.js'
import type { SELLER_BILLING_METHODS, SellerBilling } from '../seller-routes.js'

/** True only when A and B are mutually assignable and have the same optional keys. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
/** Rebuilt member by member at every depth, so `A & B` and zod's inferred objects compare equal to the plain object they describe. */
type Plain<T> = T extends object ? { [K in keyof T]: Plain<T[K]> } : T
type Agree<Schema extends z.ZodType, Wire> = Same<Plain<z.output<Schema>>, Plain<Wire>>

export type WireTypesAgree = [
  Assert<Agree<typeof s.ErrorBody, wire.ErrorBody>>,
  Assert<Agree<typeof s.Price, wire.Price>>,
  Assert<Agree<typeof s.Plan, wire.Plan>>,
  Assert<Agree<typeof s.Subscription, wire.Subscription>>,
  Assert<Agree<typeof s.Customer, wire.Customer>>,
  Assert<Agree<typeof s.UsageMeter, wire.UsageMeter>>,
  Assert<Agree<typeof s.UpcomingInvoice, wire.UpcomingInvoice>>,
  Assert<Agree<typeof s.Session, wire.Session>>,
  Assert<Agree<typeof s.InvoiceLine, wire.InvoiceLine>>,
  Assert<Agree<typeof s.Invoice, wire.Invoice>>,
  Assert<Agree<typeof s.PaymentMethod, wire.PaymentMethod>>,
  Assert<Agree<typeof s.PaymentSetup, wire.PaymentSetup>>,
  Assert<Agree<typeof s.ApiKey, wire.ApiKey>>,
  Assert<Agree<typeof s.RevealedApiKey, wire.RevealedApiKey>>,
  Assert<Agree<typeof s.ReplayedApiKey, wire.ReplayedApiKey>>,
  Assert<Agree<typeof s.InvoiceList, wire.List<wire.Invoice>>>,
  Assert<Agree<typeof s.PaymentMethodList, wire.List<wire.PaymentMethod>>>,
  Assert<Agree<typeof s.ApiKeyList, wire.List<wire.ApiKey>>>,
  Assert<Agree<typeof s.PlansResponse, wire.PlansResponse>>,
  Assert<Agree<typeof s.PreviewLine, wire.PreviewLine>>,
  Assert<Agree<typeof s.SubscriptionPreview, wire.SubscriptionPreview>>,
  Assert<Agree<typeof s.PublicPlansResponse, wire.PublicPlansResponse>>,
  Assert<Agree<typeof s.CheckoutResponse, wire.CheckoutResponse>>,
  Assert<Agree<typeof s.Deleted, wire.Deleted>>,
  Assert<Agree<typeof s.RevealedApiKeyAnswer, wire.RevealedApiKey | wire.ReplayedApiKey>>,
  Assert<Agree<typeof s.PortalFeatures, wire.PortalFeatures>>,
  Assert<Agree<typeof s.BillingDetails, wire.BillingDetails>>,
  Assert<Agree<typeof bd.BillTo, wire.BillTo>>,
  Assert<Agree<typeof bd.TaxId, wire.TaxId>>,
  Assert<Agree<typeof bd.Address, wire.Address>>,
  Assert<Agree<typeof s.BillingDetailsBody, wire.BillingDetailsUpdate>>,
  Assert<Agree<typeof s.SpendLimit, wire.SpendLimit>>,
  Assert<Agree<typeof s.UsageReport, wire.UsageReport>>,
  Assert<Agree<typeof s.UsageLimit, wire.UsageLimit>>,
  Assert<Agree<typeof s.UsageAlert, wire.UsageAlert>>,
  Assert<Agree<typeof s.UsageAlertList, wire.List<wire.UsageAlert>>>,
]

/** The bodies and query the browser sends (`src/api/portal-api.ts`), as the handler reads them before defaults. */
type Sends<Schema extends z.ZodType, Wire> = Same<Plain<z.input<Schema>>, Plain<Wire>>
export type WireRequestsAgree = [
  Assert<Sends<typeof s.PriceBody, wire.PriceBody>>,
  Assert<Sends<typeof s.ChangeSubscriptionBody, wire.ChangeSubscriptionBody>>,
  Assert<Sends<typeof s.CancelBody, wire.CancelBody>>,
  Assert<Sends<typeof s.AttachPaymentMethodBody, wire.AttachPaymentMethodBody>>,
  Assert<Sends<typeof s.ApiKeyBody, wire.ApiKeyBody>>,
  Assert<Sends<typeof s.UsageQuery, wire.UsageQuery>>,
  Assert<Sends<typeof s.UsageLimitBody, wire.UsageLimitBody>>,
  Assert<Sends<typeof s.UsageAlertBody, wire.UsageAlertBody>>,
]

/** The Seller API answers the engine's own results. */
export type SellerTypesAgree = [
  Assert<Agree<typeof seller.CatalogueDiff, CatalogueDiff>>,
  Assert<Agree<typeof seller.SellerPlan, SellerPlan>>,
  Assert<Agree<typeof seller.CheckResult, engine.CheckResult>>,
  Assert<Agree<typeof seller.Entitlements, engine.Entitlements>>,
  Assert<Agree<typeof seller.UsageResult, engine.TrackManyResult>>,
  // The SQLite engine is a SellerBilling.
  Assert<BillingEngine extends SellerBilling ? true : false>,
  // Every method of SellerBilling is one createSellerHandler checks for.
  Assert<Same<(typeof SELLER_BILLING_METHODS)[number], RequiredKeys<SellerBilling>>>,
]

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T]
type Assert<T extends true> = T
