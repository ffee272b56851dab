import type { ReadableAtom } from 'nanostores'
import type { PortalError } from '../api/types.js'
import type { ApiClient } from '../api/transport.js'
import type { ConfirmOptions } from '../dom/dialog.js'
import type { Formatters } from '../i18n/format.js'
import type { Translate } from '../i18n/translate.js'
import type { OpenTarget, PortalConfig, StripeLoader, ViewName } from '../types.js'

/**
 * What a view is handed. Views are functions of store values: they read through `api`
 * into small stores (see session/resource.ts), render with `h()`, and never touch the
 * session machine except through `report`.
 */
export interface ViewContext {
  api: ApiClient
  t: Translate
  format: Formatters
  /** Speaks an outcome in the portal's polite `aria-live` region. */
  announce(message: string): void
  /** Hands a failed request to the session: `session_expired` shows the expired panel; others reach `onError`. */
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
export type { ApiClient, MutationRequestOptions, RequestOptions } from '../api/transport.js'
export type { ConfirmOptions } from '../dom/dialog.js'
export type { Formatters } from '../i18n/format.js'
export type { Translate } from '../i18n/translate.js'
