import { en, type MessageKey, type Messages } from './messages.js'
import type { Translate } from '../views/context.js'
import { de } from './de.js'
import { es } from './es.js'
import { fr } from './fr.js'
import { ja } from './ja.js'

// A static map: the tables are small, and a dynamic import would add a round trip
// (and a chunk a user's bundler must find) before the first paint.
const tables: Record<string, Partial<Messages>> = { de, es, fr, ja }

/** The shipped table for a BCP 47 tag, by its language subtag (`de-CH` -> `de`); English has none. */
export function localeTable(locale: string): Partial<Messages> {
  return tables[locale.toLowerCase().split('-')[0]] ?? {}
}

/**
 * Looks a key up in `overrides`, then the locale's table, then English, and fills
 * `{name}` placeholders from `params` (a placeholder without a param stays as written).
 */
export function createTranslator(locale: string, overrides: Partial<Messages> = {}): Translate {
  const table = localeTable(locale)
  return (key: MessageKey, params?: Record<string, string | number>) => {
    const template = overrides[key] ?? table[key] ?? en[key] ?? key
    if (!params) return template
    return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match))
  }
}

/**
 * The locale to use: the option when given, else the browser's at mount time, else
 * English. An invalid tag is a programmer error only when the user passed it.
 */
export function resolveLocale(option: string | undefined): string {
  if (option !== undefined) {
    try {
      const [canonical] = Intl.getCanonicalLocales(option)
      if (canonical) return canonical
    } catch {
      // fall through to the TypeError
    }
    throw new TypeError(`locale must be a BCP 47 language tag such as "en" or "de-DE" (got ${JSON.stringify(option)})`)
  }
  const browser = typeof navigator === 'undefined' ? undefined : navigator.language
  try {
    return (browser && Intl.getCanonicalLocales(browser)[0]) || 'en'
  } catch {
    return 'en'
  }
}
