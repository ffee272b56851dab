export interface Formatters {
  /** Minor units to a localised amount with the currency's own exponent (JPY 0, USD 2, KWD 3). */
  money(minorUnits: number, currency: string): string
  /** Unix seconds to a localised date. */
  date(unixSeconds: number): string
  number(value: number): string
}

/**
 * Money, dates and numbers in `locale`. Money arrives in minor units; the currency's
 * own exponent comes from Intl itself (JPY 0, USD 2, KWD 3), so no table to keep.
 * Formatters are cached per currency: Intl constructors are slow to build.
 */
export function createFormatters(locale: string): Formatters {
  const money = new Map<string, { format: Intl.NumberFormat; exponent: number } | null>()
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' })
  const numbers = new Intl.NumberFormat(locale)

  function moneyFormat(currency: string) {
    const code = currency.toUpperCase()
    if (!money.has(code)) {
      try {
        const format = new Intl.NumberFormat(locale, { style: 'currency', currency: code })
        money.set(code, { format, exponent: format.resolvedOptions().maximumFractionDigits ?? 2 })
      } catch {
        money.set(code, null) // not an ISO 4217 code: shown as a plain number and the code
      }
    }
    return money.get(code)
  }

  return {
    money(minorUnits, currency) {
      const entry = moneyFormat(currency)
      if (!entry) return `${numbers.format(minorUnits / 100)} ${currency}`
      return entry.format.format(minorUnits / 10 ** entry.exponent)
    },
    date: (unixSeconds) => dates.format(new Date(unixSeconds * 1000)),
    number: (value) => numbers.format(value),
  }
}
