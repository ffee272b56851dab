import { describe, expect, test } from 'vitest'
import { accountEn } from '../../../src/i18n/messages-account.js'
import { apiKeysEn } from '../../../src/i18n/messages-api-keys.js'
import { billingEn } from '../../../src/i18n/messages-billing.js'
import { invoicesEn } from '../../../src/i18n/messages-invoices.js'
import { pricingEn } from '../../../src/i18n/messages-pricing.js'
import { usageChartEn } from '../../../src/i18n/messages-usage-chart.js'
import { usageControlsEn } from '../../../src/i18n/messages-usage-controls.js'
import { en as coreEn, type MessageKey, type Messages } from '../../../src/i18n/messages.js'
import { de } from '../../../src/i18n/de.js'
import { es } from '../../../src/i18n/es.js'
import { fr } from '../../../src/i18n/fr.js'
import { ja } from '../../../src/i18n/ja.js'

const onDemandEn = { ...apiKeysEn, ...invoicesEn, ...billingEn, ...pricingEn }
// The usage chunks' tables are not in onDemandKeys (validate.ts accepts them by prefix).
const en: Messages = { ...coreEn, ...onDemandEn, ...usageChartEn, ...usageControlsEn, ...accountEn }

/**
 * WCAG 2.5.3 (label in name): a button whose accessible name is an aria-label must
 * contain the text it shows, so a voice user can say what they see. Each pair is
 * [visible label, aria-label] as the views use them.
 */
const PAIRS: [MessageKey, MessageKey][] = [
  ['dashboard.keys.roll', 'dashboard.keys.rollLabel'],
  ['dashboard.keys.copy', 'dashboard.keys.copyLabel'],
  ['invoices.pdf', 'invoices.pdfLabel'],
  ['invoices.hosted', 'invoices.hostedLabel'],
  ['invoices.details', 'invoices.detailsLabel'],
  ['billing.scheduled.undo', 'billing.scheduled.undoLabel'],
  ['billing.plans.choose', 'billing.plans.chooseLabel'],
  ['billing.methods.setDefault', 'billing.methods.setDefaultLabel'],
  ['billing.methods.remove', 'billing.methods.removeLabel'],
  ['account.pay', 'account.payLabel'],
]

describe.each([
  ['en', en],
  ['de', de],
  ['fr', fr],
  ['es', es],
  ['ja', ja],
] as [string, Partial<Messages>][])('%s', (_, table) => {
  test.each(PAIRS)('%s is inside %s', (visible, label) => {
    const shown = table[visible] ?? en[visible]
    const name = table[label] ?? en[label]
    expect(name.toLocaleLowerCase()).toContain(shown.toLocaleLowerCase())
  })
})
