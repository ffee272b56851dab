import { en, type MessageKey, type Messages } from './messages.js'

/** Looks a message up in the portal's locale, with `{name}` placeholders filled from `params`. */
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string

/**
 * Shipped translations, each its own chunk (build.mjs splits the core entry): a page
 * downloads only the locale it shows, so the tables do not count against the core's
 * size budget. English is the messages table itself.
 */
const loaders: Record<string, () => Promise<Partial<Messages>>> = {
  de: () => import('./de.js').then((m) => m.de),
  es: () => import('./es.js').then((m) => m.es),
  fr: () => import('./fr.js').then((m) => m.fr),
  ja: () => import('./ja.js').then((m) => m.ja),
}
const loaded: Record<string, Partial<Messages>> = {}
/** English: the core's table, and the tables chunks loaded on demand bring (addEnglish). */
const english: Partial<Messages> = { ...en }

/** Adds a chunk's English strings (the API-keys card's) once it has loaded. */
export function addEnglish(table: Partial<Messages>): void {
  Object.assign(english, table)
}

/** Adds a view chunk's English strings, then hands on what the chunk brought. */
export function withEnglish<T>(tables: readonly Partial<Messages>[], brought: T): T {
  tables.forEach(addEnglish)
  return brought
}

const language = (locale: string) => locale.toLowerCase().split('-')[0]

/**
 * The table for a BCP 47 tag by its language subtag (`de-CH` -> `de`) when it is ready:
 * `{}` for English or a language we do not ship, `undefined` while it still has to load.
 */
export function localeTable(locale: string): Partial<Messages> | undefined {
  const lang = language(locale)
  return lang in loaders ? loaded[lang] : {}
}

/** Loads a locale's table once; a failed load falls back to English rather than failing the portal. */
export async function loadLocale(locale: string): Promise<Partial<Messages>> {
  const lang = language(locale)
  const ready = localeTable(locale)
  if (ready) return ready
  try {
    return (loaded[lang] = await loaders[lang]())
  } catch {
    return {}
  }
}

/**
 * Looks a key up in `overrides`, then the locale's table (when loaded), then English,
 * and fills `{name}` placeholders from `params` (a placeholder without a param stays).
 */
export function createTranslator(locale: string, overrides: Partial<Messages> = {}): Translate {
  const table = localeTable(locale) ?? {}
  return (key: MessageKey, params?: Record<string, string | number>) => {
    const template = overrides[key] ?? table[key] ?? english[key] ?? key
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

/**
 * Runs `then` at once when `locale`'s table is ready, else once it has loaded, unless
 * `isCurrent()` says the caller moved on (destroyed, or another locale asked for since).
 */
export function whenLocaleReady(locale: string, isCurrent: () => boolean, then: () => void): void {
  if (localeTable(locale)) return then()
  void loadLocale(locale).then(() => isCurrent() && then())
}
