import type { ReadableAtom } from 'nanostores'
import type { ApiClient } from '../api/client.js'
import type { PortalError } from '../api/types.js'
import type { MessageKey } from '../i18n/messages.js'
import type { PortalConfig, StripeLoader, ViewName } from '../types.js'

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
  navigate(view: ViewName): void
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

export interface ConfirmOptions {
  title: string
  body?: string | Node
  confirmLabel: string
  cancelLabel?: string
  destructive?: boolean
}

export type View = (ctx: ViewContext) => { el: HTMLElement; destroy?(): void }

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string

export interface Formatters {
  /** Minor units to a localised amount with the currency's own exponent (JPY 0, USD 2, KWD 3). */
  money(minorUnits: number, currency: string): string
  /** Unix seconds to a localised date. */
  date(unixSeconds: number): string
  number(value: number): string
}

export type { ApiClient, MutationRequestOptions, RequestOptions } from '../api/client.js'
