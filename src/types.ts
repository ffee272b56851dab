import type { ReadableAtom } from 'nanostores'
import type { ErrorCode, Plan, Price, PortalError } from './api/types.js'
import type { Messages } from './i18n/messages.js'

export type { ErrorCode, PortalError }

export type ViewName = 'dashboard' | 'invoices' | 'billing'

/** A flow the portal can start in (`open`), or that the URL hash names (`syncUrl`). */
export type FlowName = 'change-plan' | 'cancel' | 'add-payment-method' | 'billing-details' | 'pay-invoice'

/** Where `createPortal(el, { open })` starts: a flow, or a plan change straight to one price's preview. */
export type OpenTarget = FlowName | { flow: 'change-plan'; priceId: string }

/** Names from the original docs, plus `colorScheme`. */
export interface PortalConfig {
  /** Main colour: sidebar and buttons. */
  primary?: string
  /** Background of the views. */
  secondary?: string
  /** Background of cards. */
  tertiary?: string
  accent?: string
  /** Dark (true) or light (false) text on each colour; left out, the contrast decides. */
  textDarkPrimary?: boolean
  textDarkSecondary?: boolean
  textDarkTertiary?: boolean
  /** An image URL or a DOM node; adapters accept their own node types. */
  logo?: string | Node
  returnHref?: string
  colorScheme?: 'light' | 'dark' | 'auto'
}

/** Loads Stripe.js; the seam that tests fill with a double. Default: `@stripe/stripe-js/pure`'s `loadStripe`. */
export type StripeLoader = (publishableKey: string) => Promise<unknown>

export interface PortalOptions {
  /** Minted by your backend; valid 60 minutes. */
  token: string
  /** Renews the token silently 60 s before it expires. */
  getToken?: () => Promise<string>
  /** Where the Portal API is mounted. Default `/api/portal`. */
  apiUrl?: string
  stripePubKey?: string
  defaultView?: ViewName
  /** Starts in a flow (on the billing view); one that is off or impossible lands on the view and reports `invalid_config`. */
  open?: OpenTarget
  /** Keeps the view and flow in the URL hash (`#billing/change-plan`) so back/forward and shared links work. Default false. */
  syncUrl?: boolean
  config?: PortalConfig
  onError?: (error: PortalError) => void
  /** BCP 47 tag; default the browser's. */
  locale?: string
  messages?: Partial<Messages>
  fetch?: typeof fetch
  loadStripe?: StripeLoader
}

export interface PricingOptions {
  /** The app's public key; the plans route needs no token. */
  publicKey: string
  apiUrl?: string
  /** Present for a signed-in customer: marks the current plan and changes plans in place. */
  token?: string
  getToken?: () => Promise<string>
  title?: string
  description?: string
  featuredPlanId?: string
  /** Which plan ids to show, in this order. */
  plans?: string[]
  period?: 'month' | 'year'
  onSelect?: (selection: { plan: Plan; price: Price }) => void
  signupHref?: string
  stripePubKey?: string
  config?: PortalConfig
  locale?: string
  messages?: Partial<Messages>
  onError?: (error: PortalError) => void
  fetch?: typeof fetch
  loadStripe?: StripeLoader
}

export type SessionState =
  | { status: 'idle' }
  | { status: 'active' }
  | { status: 'expired' }
  | { status: 'error'; error: PortalError }

export interface PortalHandle<O = PortalOptions> {
  /** New token, view, theme... without a remount. */
  update(options: Partial<O>): void
  /** Removes DOM, listeners and timers; aborts requests in flight. */
  destroy(): void
  readonly state: ReadableAtom<SessionState>
  /**
   * The error the portal last reported (everything `onError` receives), until it
   * recovers: null again once the session resumes or a later request succeeds.
   */
  readonly error: ReadableAtom<PortalError | null>
}
