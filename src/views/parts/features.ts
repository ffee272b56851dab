import type { PortalFeatures } from '../../api/types.js'
import type { ViewName } from '../../types.js'

/**
 * What the seller turned on (`GET /session`'s `features`), read the way the views hide
 * what is off. A backend that sends none has everything on. The server refuses what is
 * off either way (403 `forbidden`): hiding is for the customer, not for safety.
 */

type Switch = Exclude<keyof PortalFeatures, 'plans'>

/** On at all (`true`, or a partial value such as `'read_only'`). */
export const enabled = (features: PortalFeatures | undefined, name: Switch): boolean => features?.[name] !== false

/** Fully on: `apiKeys: 'read_only'` can list keys but not create, roll or revoke them. */
export const fullyOn = (features: PortalFeatures | undefined, name: Switch): boolean => (features?.[name] ?? true) === true

/** The billing view's sections: it leaves the nav only when every one of them is off. */
const BILLING: Switch[] = ['changePlan', 'cancel', 'paymentMethods', 'billingDetails']

/** The views whose every section the seller turned off (they leave the nav). */
export function hiddenViews(features: PortalFeatures | undefined): ViewName[] {
  const hidden: ViewName[] = []
  if (!enabled(features, 'invoices')) hidden.push('invoices')
  if (BILLING.every((name) => !enabled(features, name))) hidden.push('billing')
  return hidden
}
