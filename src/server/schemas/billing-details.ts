/**
 * Billing details (`GET /customer`, `POST /customer`) and the copy an invoice keeps. Tax
 * IDs are checked for their type's format only (no registry lookup): the value is compared
 * without spaces, dots, hyphens and slashes, so `CHE-123.456.789 MWST` and `CHE123456789MWST`
 * are one number, and kept as the customer typed it (trimmed).
 */
import * as z from 'zod'
import { COUNTRY_CODES } from '../../api/countries.js'
import { text } from './fields.js'
import { named } from './registry.js'


/** A format: the pattern the compacted value must match, and how a message describes it. */
interface Format {
  pattern: RegExp
  expected: string
}
const format = (pattern: RegExp, expected: string): Format => ({ pattern, expected })

/** EU VAT numbers by member-state prefix (Greece is EL; XI is Northern Ireland), as VIES publishes them. */
const EU_VAT: Record<string, Format> = {
  AT: format(/^U\d{8}$/, 'ATU then 8 digits, like ATU12345678'),
  BE: format(/^[01]\d{9}$/, 'BE then 10 digits starting 0 or 1, like BE0123456789'),
  BG: format(/^\d{9,10}$/, 'BG then 9 or 10 digits, like BG123456789'),
  CY: format(/^\d{8}[A-Z]$/, 'CY then 8 digits and a letter, like CY12345678Z'),
  CZ: format(/^\d{8,10}$/, 'CZ then 8 to 10 digits, like CZ12345678'),
  DE: format(/^\d{9}$/, 'DE then 9 digits, like DE123456789'),
  DK: format(/^\d{8}$/, 'DK then 8 digits, like DK12345678'),
  EE: format(/^\d{9}$/, 'EE then 9 digits, like EE123456789'),
  EL: format(/^\d{9}$/, 'EL then 9 digits, like EL123456789'),
  ES: format(/^[A-Z0-9]\d{7}[A-Z0-9]$/, 'ES then 9 characters (a letter or digit, 7 digits, a letter or digit), like ESA1234567Z'),
  FI: format(/^\d{8}$/, 'FI then 8 digits, like FI12345678'),
  FR: format(/^[A-HJ-NP-Z0-9]{2}\d{9}$/, 'FR then 2 letters or digits and 9 digits, like FRAB123456789'),
  HR: format(/^\d{11}$/, 'HR then 11 digits, like HR12345678901'),
  HU: format(/^\d{8}$/, 'HU then 8 digits, like HU12345678'),
  IE: format(/^(\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W])$/, 'IE then 8 or 9 characters, like IE1234567WA'),
  IT: format(/^\d{11}$/, 'IT then 11 digits, like IT12345678901'),
  LT: format(/^(\d{9}|\d{12})$/, 'LT then 9 or 12 digits, like LT123456789'),
  LU: format(/^\d{8}$/, 'LU then 8 digits, like LU12345678'),
  LV: format(/^\d{11}$/, 'LV then 11 digits, like LV12345678901'),
  MT: format(/^\d{8}$/, 'MT then 8 digits, like MT12345678'),
  NL: format(/^\d{9}B\d{2}$/, 'NL then 9 digits, B and 2 digits, like NL123456789B01'),
  PL: format(/^\d{10}$/, 'PL then 10 digits, like PL1234567890'),
  PT: format(/^\d{9}$/, 'PT then 9 digits, like PT123456789'),
  RO: format(/^\d{2,10}$/, 'RO then 2 to 10 digits, like RO1234567890'),
  SE: format(/^\d{10}01$/, 'SE then 12 digits ending 01, like SE123456789001'),
  SI: format(/^\d{8}$/, 'SI then 8 digits, like SI12345678'),
  SK: format(/^\d{10}$/, 'SK then 10 digits, like SK1234567890'),
  XI: format(/^(\d{9}|\d{12}|GD\d{3}|HA\d{3})$/, 'XI then 9 or 12 digits, like XI123456789'),
}

/** Every tax ID type but `eu_vat` (checked per member state), with its format. */
const TAX_ID_FORMATS = {
  gb_vat: format(/^GB(\d{9}|\d{12}|GD\d{3}|HA\d{3})$/, 'GB then 9 or 12 digits, like GB123456789'),
  ch_vat: format(/^CHE\d{9}(MWST|TVA|IVA)?$/, 'CHE-123.456.789, optionally followed by MWST, TVA or IVA'),
  no_vat: format(/^(NO)?\d{9}MVA$/, '9 digits then MVA, like 123456789MVA'),
  us_ein: format(/^\d{9}$/, '9 digits, like 12-3456789'),
  ca_bn: format(/^\d{9}$/, '9 digits, like 123456789'),
  au_abn: format(/^\d{11}$/, '11 digits, like 12345678912'),
  in_gst: format(/^\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]$/, '15 characters, like 12ABCDE3456FGZH'),
  jp_cn: format(/^\d{13}$/, '13 digits, like 1234567891234'),
  br_cnpj: format(/^\d{14}$/, '14 digits, like 01.234.456/5432-10'),
} satisfies Record<string, Format>

export const TAX_ID_TYPES = ['eu_vat', ...Object.keys(TAX_ID_FORMATS)] as ['eu_vat', ...(keyof typeof TAX_ID_FORMATS)[]]
export const MAX_TAX_IDS = 5

const compact = (value: string) => value.toUpperCase().replace(/[\s./-]/g, '')

/** Why `value` is not a `type` number (what the format is), or null when it fits. */
export function taxIdProblem(type: string, value: string): string | null {
  const id = compact(value)
  if (type === 'eu_vat') {
    const prefix = id.slice(0, 2)
    const rule = EU_VAT[prefix]
    if (!rule) return `is not an EU VAT number: expected a member-state prefix (${Object.keys(EU_VAT).join(', ')}) then the number, like DE123456789`
    return rule.pattern.test(id.slice(2)) ? null : `is not a ${prefix} VAT number: expected ${rule.expected}`
  }
  const rule = TAX_ID_FORMATS[type as keyof typeof TAX_ID_FORMATS]
  return rule.pattern.test(id) ? null : `is not a ${type} number: expected ${rule.expected}`
}

// ------------------------------------------------------------------ wire shapes

export const TaxIdType = z.enum(TAX_ID_TYPES, { error: `must be one of ${TAX_ID_TYPES.join(', ')}` })
export const TaxId = named('TaxId', z.object({ type: TaxIdType, value: z.string() }))
export const Address = named(
  'Address',
  z.object({ line1: z.string(), line2: z.string().nullable(), city: z.string(), postal_code: z.string().nullable(), state: z.string().nullable(), country: z.string() }),
)
export const BillingDetails = named(
  'BillingDetails',
  z.object({ id: z.string(), name: z.string(), email: z.string(), address: Address.nullable(), tax_ids: z.array(TaxId) }),
)
export const BillTo = named(
  'BillTo',
  z.object({ name: z.string(), email: z.string(), address: Address.nullable(), tax_ids: z.array(TaxId) }),
  "The billing details as they were when the invoice was issued; a later edit does not change them.",
)

// ------------------------------------------------------------------ the request

const optionalText = (max: number) =>
  z
    .string({ error: 'must be a string or null' })
    .max(max, { error: `is longer than ${max} characters` })
    .nullable()
    .optional()

export const AddressInput = z.strictObject({
  line1: text(200),
  line2: optionalText(200),
  city: text(100),
  postal_code: optionalText(20),
  state: optionalText(100),
  country: z.enum(COUNTRY_CODES, { error: 'must be an ISO 3166-1 alpha-2 country code in capitals, like "DE"' }),
})

export const TaxIdInput = z
  .strictObject({ type: TaxIdType, value: text(64) })
  .superRefine((taxId, ctx) => {
    const problem = taxIdProblem(taxId.type, taxId.value)
    if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem, input: taxId.value })
  })

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export const BillingDetailsBody = named(
  'BillingDetailsBody',
  z.strictObject({
    name: text(200).optional(),
    email: text(320).regex(EMAIL, { error: 'must be an email address, like ada@example.com' }).optional(),
    address: AddressInput.nullable().optional(),
    tax_ids: z.array(TaxIdInput, { error: 'must be an array of { type, value }' }).max(MAX_TAX_IDS, { error: `has more than ${MAX_TAX_IDS} tax IDs` }).optional(),
  }),
  'The fields given replace the stored ones: `tax_ids` as a whole list, `address: null` clears the address. Tax ID values are checked for their type’s format.',
)

export type BillingDetailsInput = z.output<typeof BillingDetailsBody>

/** A validated address as stored and answered: absent optional lines are null, blank ones too. */
export function toAddress(input: NonNullable<BillingDetailsInput['address']>): z.output<typeof Address> {
  const orNull = (value: string | null | undefined) => (value?.trim() ? value.trim() : null)
  return { line1: input.line1.trim(), line2: orNull(input.line2), city: input.city.trim(), postal_code: orNull(input.postal_code), state: orNull(input.state), country: input.country }
}

/** Validated tax IDs as stored and answered: values trimmed, as the customer typed them otherwise. */
export const toTaxIds = (input: NonNullable<BillingDetailsInput['tax_ids']>): z.output<typeof TaxId>[] => input.map((t) => ({ type: t.type, value: t.value.trim() }))
