/**
 * Every string the portals show, in one table. Placeholders are `{name}`. A user
 * replaces any of them through the `messages` option; other locales live beside this
 * file and fall back to English key by key.
 *
 * Sections: shell (owned by the portal shell), dashboard, invoices, billing, pricing.
 */
export const en = {
  // shell
  'nav.label': 'Customer portal',
  'nav.dashboard': 'Dashboard',
  'nav.invoices': 'Invoices',
  'nav.billing': 'Billing',
  'nav.return': 'Back',
  'state.loading': 'Loading…',
  'state.retry': 'Retry',
  'state.expired.title': 'Your session has expired',
  'state.expired.body': 'Reload the page or sign in again to continue.',

  // dashboard

  // invoices

  // billing

  // pricing
}

export type MessageKey = keyof typeof en
export type Messages = Record<MessageKey, string>
