/**
 * Every string the portals show, in one table. Placeholders are `{name}`. A user
 * replaces any of them through the `messages` option; other locales live beside this
 * file and fall back to English key by key.
 *
 * Sections: shell (owned by the portal shell), dashboard, invoices, billing, pricing.
 * Strings of the views that load on demand live in ./messages-*.ts and ship with their chunk;
 * this table keeps the shell's, the dashboard's, and each view's title and error (shown
 * while its chunk loads, or when it fails to). The usage chart's and controls' strings
 * (./messages-usage-*.ts) also ship with their chunks; validate.ts knows them by prefix.
 */
import type { accountEn } from './messages-account.js'
import type { apiKeysEn } from './messages-api-keys.js'
import type { billingEn } from './messages-billing.js'
import type { invoicesEn } from './messages-invoices.js'
import type { pricingEn } from './messages-pricing.js'
import type { usageChartEn } from './messages-usage-chart.js'
import type { usageControlsEn } from './messages-usage-controls.js'

export const en = {
  // shell
  'nav.label': 'Customer portal',
  'nav.dashboard': 'Dashboard',
  'nav.invoices': 'Invoices',
  'nav.billing': 'Billing',
  'nav.return': 'Back',
  'state.loading': 'Loading…',
  'state.retry': 'Retry',
  'state.expired.title': 'Your session has expired',
  'state.expired.body': 'Reload the page or sign in again to continue.',
  'state.error.title': 'Something went wrong',
  'state.error.body': 'The portal could not load your account. Try again in a moment.',
  'state.unauthorized.body': 'This session is not allowed to see this account. Sign in again to continue.',
  'logo.alt': 'Logo',
  'dialog.cancel': 'Cancel',
  'dialog.confirm': 'Confirm',

  // dashboard
  // (An aria-label must contain its button's visible text: "Roll" -> "Roll {name}".)
  'dashboard.title': 'Dashboard',
  'dashboard.error': 'We couldn’t load your dashboard.',
  'dashboard.plan.title': 'Plan',
  'dashboard.status.trialing': 'Trial',
  'dashboard.status.active': 'Active',
  'dashboard.status.past_due': 'Past due',
  'dashboard.status.canceled': 'Canceled',
  'dashboard.status.canceling': 'Canceling',
  'dashboard.price.month': '{amount} / month',
  'dashboard.price.year': '{amount} / year',
  'dashboard.renews': 'Renews on {date}',
  'dashboard.trialEnds': 'Trial ends on {date}',
  'dashboard.endsOn': 'Ends on {date}',
  'dashboard.canceledOn': 'Canceled on {date}',
  'dashboard.scheduled': 'A plan change is scheduled for {date}.',
  'dashboard.scheduled.action': 'Manage plan',
  'dashboard.usage.title': 'Usage',
  'dashboard.usage.of': '{used} of {limit} {unit}',
  'dashboard.usage.unlimited': '{used} {unit} · Unlimited',
  'dashboard.usage.empty': 'No usage this period.',
  'dashboard.keys.title': 'API keys',
  'dashboard.keys.error': 'We couldn’t load your API keys.',
  'dashboard.upcoming.title': 'Upcoming invoice',
  'dashboard.upcoming.body': '{amount} on {date}',
  'dashboard.upcoming.none': 'No upcoming invoice.',
  'dashboard.empty.title': 'No plan yet',
  'dashboard.empty.body': 'Choose a plan to start using the API.',
  'dashboard.empty.action': 'Choose a plan',

  // invoices
  'invoices.title': 'Invoices',
  'invoices.error': 'We couldn’t load your invoices.',

  // billing
  'billing.title': 'Billing',
  'billing.error': 'We couldn’t load your billing details.',
  'billing.add.cancel': 'Cancel',

  // pricing
  'pricing.label': 'Plans',
  'pricing.error': 'We couldn’t load the plans.',
}

/**
 * The names of the strings that load with their chunk (./messages-api-keys.ts,
 * ./messages-invoices.ts, ./messages-billing.ts, ./messages-pricing.ts): kept here, as
 * short as they pack (a word ending in "." is the prefix of the names after it), so
 * `messages` overrides of them are checked when the portal is created
 * (test/unit/i18n.test.ts keeps the lists equal).
 */
export const onDemandKeys: readonly string[] = (() => {
  let prefix = ''
  return 'dashboard.keys. empty created lastUsed neverUsed roll rollLabel rollTitle rollBody rollConfirm rolled revealed once alreadyShown copy copyLabel copied copyFailed dismiss create createName createSubmit createdNew revoke revokeLabel revokeTitle revokeBody revokeConfirm revoked invoices. caption invoices.col. date number amount status links invoices.status. draft open paid void uncollectible invoices. pdf pdfLabel hosted hostedLabel details detailsLabel invoices.lines. description quantity caption period empty error invoices. loadMore loaded invoices.empty. title body billing.subscription. title none billing. scheduled billing.scheduled. undo undoLabel undone billing. cancel billing.cancel. title when atPeriodEnd now keep doneNow billing. cancelsOn resume resumed billing.plans. title empty current choose chooseLabel trial billing.preview. title ready dueNow nextRenewal now periodEnd lines confirm cancel billing. changed billing.methods. title error empty card expires default setDefault setDefaultLabel defaultSet remove removeLabel removeTitle removeBody removed add added billing.add. title sandbox card makeDefault submit stripeUnavailable close noPubKey pricing. empty pricing.period. label month year pricing. save saveUpTo quota pricing.quota. unlimited pricing. featured pricing.cta. start trial upgrade downgrade switch label pricing. scheduled pricing.card. body'
    .split(' ')
    .flatMap((word) => (word.endsWith('.') ? ((prefix = word), []) : [prefix + word]))
})()

export type MessageKey =
  | keyof typeof en
  | keyof typeof apiKeysEn
  | keyof typeof invoicesEn
  | keyof typeof billingEn
  | keyof typeof pricingEn
  | keyof typeof usageChartEn
  | keyof typeof usageControlsEn
  | keyof typeof accountEn
export type Messages = Record<MessageKey, string>
