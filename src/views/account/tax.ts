import type { TaxIdType } from '../../api/types.js'

/** Every type the Portal API checks, as Stripe names them. */
export const TAX_ID_TYPES: readonly TaxIdType[] = ['eu_vat', 'gb_vat', 'ch_vat', 'no_vat', 'us_ein', 'ca_bn', 'au_abn', 'in_gst', 'jp_cn', 'br_cnpj']

const EU = 'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' ')
const BY_COUNTRY: Record<string, TaxIdType> = { GB: 'gb_vat', CH: 'ch_vat', LI: 'ch_vat', NO: 'no_vat', US: 'us_ein', CA: 'ca_bn', AU: 'au_abn', IN: 'in_gst', JP: 'jp_cn', BR: 'br_cnpj' }

/**
 * The tax ID types offered for a country: its own (an EU member's is `eu_vat`), or every
 * type where none is its own (a customer abroad may still be registered in one of them).
 */
export function taxIdTypesFor(country: string): readonly TaxIdType[] {
  if (EU.includes(country)) return ['eu_vat']
  const own = BY_COUNTRY[country]
  return own ? [own] : TAX_ID_TYPES
}

/** A country's name in `locale` (`DE` -> "Deutschland" in German); the code where the runtime has no names. */
export function countryNamer(locale: string): (code: string) => string {
  try {
    const names = new Intl.DisplayNames([locale, 'en'], { type: 'region' })
    return (code) => names.of(code) ?? code
  } catch {
    return (code) => code
  }
}
