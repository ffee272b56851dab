/**
 * The self-serve account's English strings (billing details, the failed-payment banner,
 * paying an invoice, an invoice's bill-to block). They ship in the chunks that use them
 * (../views/account/), which add them to the English table when they load. Every key
 * starts with `account.`: that prefix is how `messages` overrides of them are recognised
 * before the chunk is there (../validate.ts), without their names in the core.
 */
export const accountEn = {
  'account.details.title': 'Billing details',
  'account.details.error': 'We couldn’t load your billing details.',
  'account.details.name': 'Name',
  'account.details.email': 'Email',
  'account.details.address': 'Address',
  'account.details.line1': 'Street address',
  'account.details.line2': 'Address line 2',
  'account.details.city': 'City',
  'account.details.postalCode': 'Postal code',
  'account.details.state': 'State or region',
  'account.details.country': 'Country',
  'account.details.noCountry': 'No address',
  'account.details.taxType': 'Tax ID type',
  'account.details.taxId': 'Tax ID',
  'account.details.save': 'Save billing details',
  'account.details.saved': 'Billing details saved.',
  'account.details.invalid': 'Check the highlighted field: {message}',
  'account.tax.eu_vat': 'EU VAT number',
  'account.tax.gb_vat': 'UK VAT number',
  'account.tax.ch_vat': 'Swiss VAT number',
  'account.tax.no_vat': 'Norwegian VAT number',
  'account.tax.us_ein': 'US EIN',
  'account.tax.ca_bn': 'Canadian BN',
  'account.tax.au_abn': 'Australian ABN',
  'account.tax.in_gst': 'Indian GSTIN',
  'account.tax.jp_cn': 'Japanese corporate number',
  'account.tax.br_cnpj': 'Brazilian CNPJ',
  'account.billTo': 'Bill to',
  'account.banner.title': 'Payment failed',
  'account.banner.invoice': 'We couldn’t collect {amount} for invoice {number} of {date}.',
  'account.banner.pastDue': 'Your last payment failed.',
  'account.banner.body': 'Pay now with your default card, or update your payment method to keep your plan.',
  'account.banner.update': 'Update payment method',
  'account.banner.payNow': 'Pay now',
  'account.pay': 'Pay',
  'account.payLabel': 'Pay invoice {number}',
  'account.paid': 'Invoice {number} is paid.',
}

export type AccountKey = keyof typeof accountEn
