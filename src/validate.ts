import { readTokenExpiry } from './api/token.js'
import { en } from './i18n/messages.js'
import { resolveLocale } from './i18n/translate.js'
import { validateTheme } from './theme/index.js'
import type { PortalOptions, ViewName } from './types.js'

export const VIEW_NAMES: readonly ViewName[] = ['dashboard', 'invoices', 'billing']

export const describe = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : typeof value)

/**
 * Programmer errors, caught at the call: a TypeError naming the option. `initial` is
 * createPortal (token required); otherwise only the keys present in `options` are checked.
 */
export function validatePortalOptions(options: Partial<PortalOptions>, initial: boolean, el?: unknown): void {
  if (initial && !isElement(el)) throw new TypeError(`createPortal(el, options): el must be an HTMLElement (got ${describe(el)})`)
  if (typeof options !== 'object' || options === null) throw new TypeError(`options must be an object (got ${describe(options)})`)
  const has = (key: keyof PortalOptions) => options[key] !== undefined

  if (initial || has('token')) readTokenExpiry(options.token as string, 'token')
  for (const key of ['getToken', 'onError', 'fetch', 'loadStripe'] as const) {
    if (has(key) && typeof options[key] !== 'function') throw new TypeError(`${key} must be a function (got ${describe(options[key])})`)
  }
  for (const key of ['apiUrl', 'stripePubKey'] as const) {
    if (has(key) && typeof options[key] !== 'string') throw new TypeError(`${key} must be a string (got ${describe(options[key])})`)
  }
  if (has('defaultView') && !VIEW_NAMES.includes(options.defaultView as ViewName)) {
    throw new TypeError(`defaultView must be one of ${VIEW_NAMES.map((v) => `"${v}"`).join(', ')} (got ${describe(options.defaultView)})`)
  }
  if (has('locale')) resolveLocale(options.locale)
  if (has('messages')) {
    if (typeof options.messages !== 'object' || options.messages === null) throw new TypeError('messages must be an object of message keys to strings')
    for (const [key, value] of Object.entries(options.messages)) {
      if (!(key in en)) throw new TypeError(`messages[${JSON.stringify(key)}] is not a message key`)
      if (typeof value !== 'string') throw new TypeError(`messages[${JSON.stringify(key)}] must be a string`)
    }
  }
  if (has('config')) {
    const config = options.config
    if (typeof config !== 'object' || config === null) throw new TypeError(`config must be an object (got ${describe(config)})`)
    validateTheme(config)
    if (config.logo !== undefined && typeof config.logo !== 'string' && !isNode(config.logo)) {
      throw new TypeError('config.logo must be an image URL or a DOM Node')
    }
    if (config.returnHref !== undefined) {
      if (typeof config.returnHref !== 'string') throw new TypeError(`config.returnHref must be a string (got ${describe(config.returnHref)})`)
      if (/^\s*(javascript|data|vbscript):/i.test(config.returnHref.replace(/[\u0000-\u001f]/g, ''))) {
        throw new TypeError('config.returnHref must be an http(s) or relative URL')
      }
    }
  }
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).nodeType === 'number' && typeof (value as Node).cloneNode === 'function'
}

export function isElement(value: unknown): value is HTMLElement {
  return isNode(value) && value.nodeType === 1
}
