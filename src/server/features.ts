/**
 * Seller controls: `createPortalHandler({ features })` turns sections and actions of the
 * portal off. The handler enforces them (a route that is off answers 403 `forbidden`
 * naming the feature; the browser is never trusted to hide it) and sends the resolved
 * values in `GET /session` so the views hide what is off. Defaults are the portal as it
 * is without the option: everything on, every plan the backend lists.
 */
import type { PortalFeatures } from '../api/types.js'
import { BillingError } from './billing/types.js'

/** What the seller passes; every field optional. */
export type PortalFeaturesOption = Partial<PortalFeatures> & { plans?: string[] }

export type FeatureName = keyof Omit<PortalFeatures, 'plans'>

export const DEFAULT_FEATURES: PortalFeatures = {
  changePlan: true,
  cancel: true,
  paymentMethods: true,
  invoices: true,
  billingDetails: true,
  apiKeys: true,
  plans: null,
}

/** The values each feature takes besides true and false. */
const PARTIAL: Record<FeatureName, string | null> = {
  changePlan: 'upgrades_only',
  cancel: 'at_period_end',
  paymentMethods: null,
  invoices: null,
  billingDetails: null,
  apiKeys: 'read_only',
}

/** Checks the option (a TypeError naming the field at fault) and fills in the defaults. */
export function resolveFeatures(option: unknown): PortalFeatures {
  if (option === undefined) return DEFAULT_FEATURES
  if (!option || typeof option !== 'object' || Array.isArray(option)) throw new TypeError('`features` must be an object such as { cancel: "at_period_end", apiKeys: false }')
  const given = option as Record<string, unknown>
  const known = [...Object.keys(PARTIAL), 'plans']
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) throw new TypeError(`Unknown option \`features.${key}\`; the features are ${known.join(', ')}`)
  }
  const resolved: Record<string, unknown> = { ...DEFAULT_FEATURES }
  for (const [name, partial] of Object.entries(PARTIAL)) {
    const value = given[name]
    if (value === undefined) continue
    if (value !== true && value !== false && value !== partial) {
      const allowed = partial ? `true, ${JSON.stringify(partial)} or false` : 'true or false'
      throw new TypeError(`\`features.${name}\` must be ${allowed} (got ${JSON.stringify(value)})`)
    }
    resolved[name] = value
  }
  if (given.plans !== undefined) {
    const plans = given.plans
    if (!Array.isArray(plans) || plans.length === 0 || plans.some((p) => typeof p !== 'string' || p === '')) {
      throw new TypeError('`features.plans` must be a non-empty array of price ids (to offer no plan changes, set `features.changePlan: false`)')
    }
    resolved.plans = [...new Set(plans as string[])]
  }
  return resolved as unknown as PortalFeatures
}

/** The refusal for an action the seller turned off; the message says which option turns it on. */
export function forbidden(feature: keyof PortalFeatures, what: string, turnOn: string): BillingError {
  return new BillingError('forbidden', `${what} is turned off in this portal by \`features.${feature}\` (the seller turns it on with \`features.${feature}: ${turnOn}\`)`)
}

/**
 * A route's gate: the feature it belongs to, and whether it needs the feature fully on
 * (`true`) or also answers when it is partly on (`'read_only'`, `'upgrades_only'`...).
 */
export interface FeatureGate {
  feature: FeatureName
  /** `'full'`: only `true` lets it through; default any value but false. */
  needs?: 'full'
  /** What is refused, for the message; default the feature's section. */
  what?: string
}

const SECTION: Record<FeatureName, string> = {
  changePlan: 'Changing plans',
  cancel: 'Cancelling the subscription',
  paymentMethods: 'Managing payment methods',
  invoices: 'The invoices section',
  billingDetails: 'The billing details section',
  apiKeys: 'The API keys section',
}

export function checkGate(gate: FeatureGate | undefined, features: PortalFeatures): void {
  if (!gate) return
  const value = features[gate.feature]
  if (value === false || (gate.needs === 'full' && value !== true)) throw forbidden(gate.feature, gate.what ?? SECTION[gate.feature], 'true')
}

/**
 * The one rule for the plan changes a seller allows, behind both the refusal (preview and
 * change answer 403) and the customer's plans answer (`change_allowed` on each price): the
 * price is in `features.plans` when that is set, and under `changePlan: 'upgrades_only'` the
 * change takes effect now (`effective`, the backend's: a downgrade waits for the period end).
 * Without `effective` (not known yet) only the price list is checked. Null when allowed.
 */
export function changeRefusal(features: PortalFeatures, priceId: string, effective?: 'now' | 'period_end'): BillingError | null {
  if (features.plans !== null && !features.plans.includes(priceId)) return forbidden('plans', `Switching to price ${JSON.stringify(priceId)}`, 'a list that includes it')
  if (features.changePlan === 'upgrades_only' && effective === 'period_end') return forbidden('changePlan', 'Moving to a lower plan', 'true')
  return null
}
