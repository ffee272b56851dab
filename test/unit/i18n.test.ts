import { beforeAll, describe, expect, test, vi } from 'vitest'
import { createFormatters } from '../../src/i18n/format.js'
import { accountEn } from '../../src/i18n/messages-account.js'
import { apiKeysEn } from '../../src/i18n/messages-api-keys.js'
import { billingEn } from '../../src/i18n/messages-billing.js'
import { invoicesEn } from '../../src/i18n/messages-invoices.js'
import { pricingEn } from '../../src/i18n/messages-pricing.js'
import { usageChartEn } from '../../src/i18n/messages-usage-chart.js'
import { usageControlsEn } from '../../src/i18n/messages-usage-controls.js'
import { en as coreEn, onDemandKeys, type MessageKey, type Messages } from '../../src/i18n/messages.js'
import { addEnglish, createTranslator, loadLocale, localeTable, resolveLocale, whenLocaleReady } from '../../src/i18n/translate.js'
import { de } from '../../src/i18n/de.js'
import { fr } from '../../src/i18n/fr.js'
import { es } from '../../src/i18n/es.js'
import { ja } from '../../src/i18n/ja.js'

// Every English string: the core's table and the API-keys card's, which ships with its chunk.
const onDemandEn = { ...apiKeysEn, ...invoicesEn, ...billingEn, ...pricingEn }
// The usage chunks' tables are not in onDemandKeys (validate.ts accepts them by prefix).
const en: Messages = { ...coreEn, ...onDemandEn, ...usageChartEn, ...usageControlsEn, ...accountEn }

// Intl output uses narrow no-break spaces in some locales; compare on plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ')

describe('money', () => {
  test('uses each currency’s own exponent', () => {
    const f = createFormatters('en-US')
    expect(f.money(1999, 'usd')).toBe('$19.99')
    expect(f.money(1999, 'JPY')).toBe('¥1,999')
    expect(plain(f.money(1999, 'KWD'))).toBe('KWD 1.999')
    expect(f.money(0, 'USD')).toBe('$0.00')
    expect(f.money(-500, 'USD')).toBe('-$5.00')
  })

  test('formats in the locale', () => {
    expect(plain(createFormatters('de-DE').money(123456, 'EUR'))).toBe('1.234,56 €')
    expect(plain(createFormatters('fr-FR').money(123456, 'EUR'))).toBe('1 234,56 €')
    expect(createFormatters('ja-JP').money(1500, 'JPY')).toBe('￥1,500')
  })

  test('an unknown currency code is shown, not thrown', () => {
    expect(createFormatters('en-US').money(1250, 'NOPE!')).toBe('12.5 NOPE!')
  })
})

describe('dates and numbers', () => {
  const jan15 = Date.UTC(2025, 0, 15, 12) / 1000
  test('dates in the locale', () => {
    expect(createFormatters('en-US').date(jan15)).toBe('Jan 15, 2025')
    expect(createFormatters('de-DE').date(jan15)).toBe('15.01.2025')
    expect(createFormatters('ja-JP').date(jan15)).toBe('2025/01/15')
  })
  test('numbers in the locale', () => {
    expect(createFormatters('en-US').number(1234567)).toBe('1,234,567')
    expect(createFormatters('de-DE').number(1234567)).toBe('1.234.567')
  })
})

describe('locale loading', () => {
  test('a shipped locale is not ready until loaded; English and unshipped ones always are', async () => {
    expect(localeTable('en-GB')).toEqual({})
    expect(localeTable('pt-BR')).toEqual({})
    const then = vi.fn()
    let current = true
    whenLocaleReady('es', () => current, then)
    expect(then).not.toHaveBeenCalled() // es is loaded by no other test before this one
    await vi.waitFor(() => expect(then).toHaveBeenCalledTimes(1))
    expect(localeTable('es-MX')?.['nav.invoices']).toBe('Facturas')
    whenLocaleReady('es', () => current, then)
    expect(then).toHaveBeenCalledTimes(2) // ready now: at once
    current = false
    whenLocaleReady('en', () => current, then)
    expect(then).toHaveBeenCalledTimes(3) // ready, so isCurrent is not consulted
  })

  test('a caller that moved on is not called back', async () => {
    const then = vi.fn()
    whenLocaleReady('fr-CA', () => false, then)
    await loadLocale('fr')
    await Promise.resolve()
    expect(then).not.toHaveBeenCalled()
  })
})

describe('translator', () => {
  beforeAll(async () => {
    await Promise.all(['de', 'fr', 'es', 'ja'].map(loadLocale))
  })

  test('English by default, the locale’s table by language subtag', () => {
    expect(createTranslator('en')('nav.invoices')).toBe('Invoices')
    expect(createTranslator('de-CH')('nav.invoices')).toBe('Rechnungen')
    expect(createTranslator('fr')('nav.invoices')).toBe('Factures')
    expect(createTranslator('es-MX')('nav.invoices')).toBe('Facturas')
    expect(createTranslator('ja-JP')('nav.invoices')).toBe('請求書')
    expect(createTranslator('pt-BR')('nav.invoices')).toBe('Invoices')
  })

  test('falls back to English key by key', () => {
    const t = createTranslator('de', { 'nav.billing': 'Zahlungen' })
    expect(t('nav.billing')).toBe('Zahlungen')
    expect(t('nav.dashboard')).toBe('Übersicht')
  })

  test('overrides win over every table', () => {
    expect(createTranslator('ja', { 'nav.return': 'Back to the app' })('nav.return')).toBe('Back to the app')
    expect(createTranslator('en', { 'state.retry': 'Again' })('state.retry')).toBe('Again')
  })

  test('interpolates {params}, leaves a placeholder without a param as written', () => {
    const t = createTranslator('en', { 'nav.label': 'Portal of {name} ({count})' })
    expect(t('nav.label', { name: 'Acme', count: 3 })).toBe('Portal of Acme (3)')
    expect(t('nav.label', { name: 'Acme' })).toBe('Portal of Acme ({count})')
  })

  test('the API-keys card’s English joins the table when its chunk adds it; overrides and locales still win', async () => {
    expect(createTranslator('en')('dashboard.keys.roll')).toBe('dashboard.keys.roll') // not in the core
    addEnglish(apiKeysEn)
    expect(createTranslator('en')('dashboard.keys.rollLabel', { name: 'CI' })).toBe('Roll CI')
    expect(createTranslator('en', { 'dashboard.keys.roll': 'Rotate' })('dashboard.keys.roll')).toBe('Rotate')
    await loadLocale('fr')
    expect(createTranslator('fr')('dashboard.keys.roll')).toBe(fr['dashboard.keys.roll'])
  })

  test('the core names every key the on-demand chunks bring (API-keys card, views), so overrides of them are checked at once', () => {
    expect([...onDemandKeys].sort()).toEqual(Object.keys(onDemandEn).sort())
    expect(Object.keys(onDemandEn).filter((key) => key in coreEn)).toEqual([])
  })

  test('the account chunks’ keys are all `account.` ones, a prefix no core key uses (how overrides of them are checked)', () => {
    expect(Object.keys(accountEn).filter((key) => !key.startsWith('account.'))).toEqual([])
    expect(Object.keys({ ...coreEn, ...apiKeysEn }).filter((key) => key.startsWith('account.'))).toEqual([])
  })

  test('every shipped translation is of a real key and keeps its placeholders', () => {
    for (const table of [de, fr, es, ja]) {
      for (const [key, text] of Object.entries(table)) {
        expect(Object.keys(en)).toContain(key)
        const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort()
        expect(placeholders(text as string), key).toEqual(placeholders(en[key as MessageKey]))
      }
    }
  })

  test('each locale translates every key', async () => {
    for (const locale of ['de', 'fr', 'es', 'ja']) {
      const table = await loadLocale(locale)
      const missing = Object.keys(en).filter((key) => !(key in table))
      expect(missing, locale).toEqual([])
    }
  })
})

describe('resolveLocale', () => {
  test('the option, canonicalised', () => {
    expect(resolveLocale('de-de')).toBe('de-DE')
  })
  test('an invalid option is a TypeError naming it', () => {
    expect(() => resolveLocale('not a locale!')).toThrow(/locale/)
  })
  test('the browser’s language when left out', () => {
    const spy = vi.spyOn(navigator, 'language', 'get').mockReturnValue('fr-CA')
    expect(resolveLocale(undefined)).toBe('fr-CA')
    spy.mockReturnValue('')
    expect(resolveLocale(undefined)).toBe('en')
    spy.mockRestore()
  })
})
