import { readTokenExpiry } from './api/token.js'
import { fail, validateClientOptions } from './client.js'
import { safeHref } from './dom/href.js'
import { en, onDemandKeys } from './i18n/messages.js'
import { resolveLocale } from './i18n/translate.js'
import { validateTheme } from './theme/index.js'
import type { PortalOptions, ViewName } from './types.js'

export { fail }

export const VIEW_NAMES: readonly ViewName[] = ['dashboard', 'invoices', 'billing']
const FLOWS = ['change-plan', 'cancel', 'add-payment-method', 'billing-details', 'pay-invoice']
/** The portal's own options of a plain type (the client checks its own: getToken, onError, fetch, apiUrl). */
const TYPES = { loadStripe: 'function', stripePubKey: 'string', syncUrl: 'boolean' } as const

/**
 * Programmer errors, caught at the call: a TypeError naming the option. `initial` is
 * createPortal (token required); otherwise only the keys present in `options` are checked.
 */
export function validatePortalOptions(options: Partial<PortalOptions>, initial: boolean, el?: unknown): void {
  if (initial && (el as Node | null)?.nodeType !== 1) fail('createPortal(el, options): el', 'an HTMLElement', el)
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options)
  const has = (key: keyof PortalOptions) => options[key] !== undefined

  // A shared client holds the session: then the token is the client's.
  const { client } = options as { client?: { stores?: unknown; flows?: unknown } }
  if (client !== undefined && (typeof client !== 'object' || client === null || typeof client.stores !== 'object' || typeof client.flows !== 'object')) {
    fail('client', 'a client made by createPortalClient()', client)
  }
  if (initial && !client && !has('token')) readTokenExpiry('', 'token') // the error of an empty token
  validateClientOptions(options)
  for (const [key, type] of Object.entries(TYPES) as [keyof typeof TYPES, string][]) {
    if (has(key) && typeof options[key] !== type) fail(key, `a ${type}`, options[key])
  }
  if (has('defaultView') && !VIEW_NAMES.includes(options.defaultView!)) fail('defaultView', `one of ${VIEW_NAMES.join(', ')}`, options.defaultView)
  const open = options.open as { flow?: unknown; priceId?: unknown } | string
  if (has('open') && !(typeof open === 'string' ? FLOWS.includes(open) : open?.flow === 'change-plan' && typeof open.priceId === 'string' && open.priceId)) {
    fail('open', `one of ${FLOWS.join(', ')}, or { flow: 'change-plan', priceId }`, open)
  }
  if (has('locale')) resolveLocale(options.locale)
  if (has('messages')) {
    if (typeof options.messages !== 'object' || options.messages === null) fail('messages', 'an object of message keys to strings', options.messages)
    for (const [key, value] of Object.entries(options.messages)) {
      // The usage and account chunks' keys (../i18n/messages-usage-*.ts, messages-account.ts) by their prefix: no list in the core.
      if (!(key in en || onDemandKeys.includes(key) || /^(dashboard\.usage|account)\./.test(key))) fail(`messages[${JSON.stringify(key)}]`, 'a message key', key)
      if (typeof value !== 'string') fail(`messages[${JSON.stringify(key)}]`, 'a string', value)
    }
  }
  const config = options.config
  if (has('config')) {
    if (typeof config !== 'object' || config === null) fail('config', 'an object', config)
    validateTheme(config)
    const { logo, returnHref } = config
    if (logo !== undefined && typeof logo !== 'string' && typeof (logo as Node | null)?.nodeType !== 'number') fail('config.logo', 'an image URL or a DOM Node', logo)
    // The rule every link follows (safeHref); an empty string is no link at all.
    if (returnHref !== undefined && (typeof returnHref !== 'string' || (returnHref !== '' && safeHref(returnHref) === null))) {
      fail('config.returnHref', 'an http(s) or relative URL', returnHref)
    }
  }
}

