import type { ReadableAtom } from 'nanostores'
import type { PortalError } from '../api/types.js'
import type { PortalClient } from '../client.js'
import type { ConfirmOptions } from '../dom/dialog.js'
import type { Formatters } from '../i18n/format.js'
import type { Translate } from '../i18n/translate.js'
import type { OpenTarget, PortalConfig, StripeLoader, ViewName } from '../types.js'

/**
 * What a view is handed. Views are functions of store values: they render the client's
 * stores with `h()` and drive its flows; they know no URL, make no request themselves and
 * keep no data of their own.
 */
export interface ViewContext {
  /** The portal's client (maybe shared with another portal or the page's own UI): `stores` and `flows`. */
  client: PortalClient
  t: Translate
  format: Formatters
  /** Speaks an outcome in the portal's polite `aria-live` region. */
  announce(message: string): void
  /** Hands a failure that is no request's (Stripe.js not loading, a bad option) to the session and `onError`; the client reports its own. */
  report(error: PortalError): void
  /** A modal dialog that traps focus, closes on Escape and returns focus; resolves true on confirm. */
  confirm(options: ConfirmOptions): Promise<boolean>
  /** Shows another view; `open` starts one of its flows there (the dashboard's Update payment method). */
  navigate(view: ViewName, open?: OpenTarget): void
  /** The options a view may need, current after every `update()`. */
  options: ReadableAtom<ViewOptions>
  /** Aborted when the view is left or the portal destroyed. */
  signal: AbortSignal
}

export interface ViewOptions {
  stripePubKey?: string
  config: PortalConfig
  locale: string
  loadStripe?: StripeLoader
}

export type View = (ctx: ViewContext) => { el: HTMLElement; destroy?(): void }

// Defined in the layers below; re-exported for the views.
export type { ConfirmOptions } from '../dom/dialog.js'
export type { Formatters } from '../i18n/format.js'
export type { Translate } from '../i18n/translate.js'
