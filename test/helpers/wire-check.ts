/**
 * Checks every answer a `BillingBackend` gives against the Portal API's response schemas
 * (src/server/schemas/portal.ts), so the contract suite proves each backend speaks the
 * published OpenAPI document, not only what the assertions happen to look at.
 *
 *   const backend = checkedAnswers(openSqliteBilling(...), seen)   // throws on a mismatch
 */
import * as z from 'zod'
import type { BillingBackend } from '../../src/server/billing/types.js'
import { fieldPath } from '../../src/server/schemas/fields.js'
import * as s from '../../src/server/schemas/portal.js'

/** Every method whose answer goes on the wire (not `close`, not the stores a handler keeps its keys in). */
type Method = Exclude<keyof BillingBackend, 'close' | 'sharedStores'>

/** What each backend method resolves to on the wire; `satisfies` fails to compile when a method is added without one. */
export const backendAnswers = {
  getSession: s.Session,
  listInvoices: s.InvoiceList,
  getInvoice: s.Invoice,
  payInvoice: s.Invoice,
  getBillingDetails: s.BillingDetails,
  updateBillingDetails: s.BillingDetails,
  listPaymentMethods: s.PaymentMethodList,
  setupPaymentMethod: s.PaymentSetup,
  attachPaymentMethod: s.PaymentMethod,
  setDefaultPaymentMethod: s.PaymentMethod,
  removePaymentMethod: z.undefined(),
  listPlans: s.PlansResponse,
  previewSubscriptionChange: s.SubscriptionPreview,
  changeSubscription: s.Subscription,
  cancelScheduledChange: s.Subscription,
  cancelSubscription: s.Subscription,
  resumeSubscription: s.Subscription,
  listApiKeys: s.ApiKeyList.nullable(),
  rollApiKey: s.RevealedApiKey,
  createApiKey: s.RevealedApiKey,
  revokeApiKey: s.ApiKey,
  listPublicPlans: s.PublicPlansResponse,
  createCheckout: s.CheckoutResponse,
  getUsage: s.UsageReport,
  setUsageLimit: s.UsageLimit,
  listUsageAlerts: s.UsageAlertList,
  createUsageAlert: s.UsageAlert,
  deleteUsageAlert: z.undefined(),
} satisfies Record<Method, z.ZodType>

/** The backend with every answer parsed by its schema; `seen` collects the methods that answered. */
export function checkedAnswers<B extends BillingBackend>(backend: B, seen: Set<string>): B {
  return new Proxy(backend, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver)
      const schema = (backendAnswers as Record<PropertyKey, z.ZodType | undefined>)[key]
      if (!schema || typeof value !== 'function') return value
      return async (...args: unknown[]) => {
        const answer = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)
        const result = schema.safeParse(answer)
        if (!result.success) {
          const where = result.error.issues.map((i) => `${fieldPath(i.path) || '(root)'}: ${i.message}`).join('; ')
          throw new Error(`${String(key)} answered off its response schema: ${where}`)
        }
        seen.add(String(key))
        return answer
      }
    },
  })
}
