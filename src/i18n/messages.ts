/**
 * Every string the portals show, in one table. Placeholders are `{name}`. A user
 * replaces any of them through the `messages` option; other locales live beside this
 * file and fall back to English key by key.
 *
 * Sections: shell (owned by the portal shell), dashboard, invoices, billing, pricing.
 * The API-keys card's strings live in ./messages-api-keys.ts and ship with its chunk; so do
 * the usage chart's and controls' (./messages-usage-*.ts).
 */
import type { apiKeysEn } from './messages-api-keys.js'
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
  'dashboard.pastDue': 'Your last payment failed. Update your payment method to keep your plan.',
  'dashboard.pastDue.action': 'Update payment method',
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
  'invoices.caption': 'Your invoices, newest first',
  'invoices.col.date': 'Date',
  'invoices.col.number': 'Number',
  'invoices.col.amount': 'Amount',
  'invoices.col.status': 'Status',
  'invoices.col.links': 'Documents',
  'invoices.status.draft': 'Draft',
  'invoices.status.open': 'Open',
  'invoices.status.paid': 'Paid',
  'invoices.status.void': 'Void',
  'invoices.status.uncollectible': 'Uncollectible',
  'invoices.pdf': 'PDF',
  'invoices.pdfLabel': 'Download invoice {number} as PDF (opens in a new tab)',
  'invoices.hosted': 'View',
  'invoices.hostedLabel': 'View invoice {number} online (opens in a new tab)',
  'invoices.details': 'Details',
  'invoices.detailsLabel': 'Details of invoice {number}',
  'invoices.lines.description': 'Description',
  'invoices.lines.quantity': 'Quantity',
  'invoices.lines.caption': 'Lines of invoice {number}',
  'invoices.lines.period': '{start} – {end}',
  'invoices.lines.empty': 'This invoice has no lines.',
  'invoices.lines.error': 'We couldn’t load the lines of this invoice.',
  'invoices.loadMore': 'Load more',
  'invoices.loaded': '{count} more invoices shown.',
  'invoices.empty.title': 'No invoices yet',
  'invoices.empty.body': 'Your invoices appear here after your first payment.',

  // billing
  'billing.title': 'Billing',
  'billing.error': 'We couldn’t load your billing details.',
  'billing.subscription.title': 'Subscription',
  'billing.subscription.none': 'You have no subscription. Choose a plan below.',
  'billing.scheduled': 'Change to {plan} scheduled for {date}.',
  'billing.scheduled.undo': 'Undo',
  'billing.scheduled.undoLabel': 'Undo the change to {plan}',
  'billing.scheduled.undone': 'The scheduled change is undone. You stay on {plan}.',
  'billing.cancel': 'Cancel subscription',
  'billing.cancel.title': 'Cancel your subscription?',
  'billing.cancel.when': 'When should it end?',
  'billing.cancel.atPeriodEnd': 'At the end of the period, on {date}',
  'billing.cancel.now': 'Now, losing access at once',
  'billing.cancel.keep': 'Keep subscription',
  'billing.cancel.doneNow': 'Your subscription is canceled.',
  'billing.cancelsOn': 'Your subscription ends on {date}.',
  'billing.resume': 'Resume subscription',
  'billing.resumed': 'Your subscription continues.',
  'billing.plans.title': 'Change plan',
  'billing.plans.empty': 'There are no plans to switch to.',
  'billing.plans.current': 'Current plan',
  'billing.plans.choose': 'Choose',
  'billing.plans.chooseLabel': 'Choose {plan} at {price}',
  'billing.plans.trial': '{days}-day free trial',
  'billing.preview.title': 'Change to {plan}',
  'billing.preview.ready': 'Preview of the change to {plan}: {amount} due now.',
  'billing.preview.dueNow': 'Due now',
  'billing.preview.nextRenewal': 'Next renewal',
  'billing.preview.now': 'The change applies now.',
  'billing.preview.periodEnd': 'The change applies on {date}, at the end of your billing period.',
  'billing.preview.lines': 'What you pay now',
  'billing.preview.confirm': 'Confirm change',
  'billing.preview.cancel': 'Keep current plan',
  'billing.changed': 'Your plan is now {plan}.',
  'billing.methods.title': 'Payment methods',
  'billing.methods.error': 'We couldn’t load your payment methods.',
  'billing.methods.empty': 'You have no payment methods yet.',
  'billing.methods.card': '{brand} ending in {last4}',
  'billing.methods.expires': 'Expires {month}/{year}',
  'billing.methods.default': 'Default',
  'billing.methods.setDefault': 'Set as default',
  'billing.methods.setDefaultLabel': 'Set as default: {card}',
  'billing.methods.defaultSet': '{card} is now your default payment method.',
  'billing.methods.remove': 'Remove',
  'billing.methods.removeLabel': 'Remove {card}',
  'billing.methods.removeTitle': 'Remove {card}?',
  'billing.methods.removeBody': 'You can add it again later.',
  'billing.methods.removed': '{card} removed.',
  'billing.methods.add': 'Add payment method',
  'billing.methods.added': '{card} added.',
  'billing.add.title': 'Add a card',
  'billing.add.sandbox': 'Test mode: pick a test card. No real card is charged.',
  'billing.add.card': 'Test card',
  'billing.add.makeDefault': 'Make it my default payment method',
  'billing.add.submit': 'Add card',
  'billing.add.cancel': 'Cancel',
  'billing.add.stripeUnavailable': 'The secure card form could not be loaded. Check your connection and try again.',
  'billing.add.close': 'Close',
  'billing.add.noPubKey': 'Card entry is not set up for this portal (it has no Stripe publishable key). Please contact support.',

  // pricing
  'pricing.label': 'Plans',
  'pricing.error': 'We couldn’t load the plans.',
  'pricing.empty': 'No plans are available right now.',
  'pricing.period.label': 'Billing period',
  'pricing.period.month': 'Monthly',
  'pricing.period.year': 'Yearly',
  'pricing.save': 'Save {percent}%',
  'pricing.saveUpTo': 'Save up to {percent}%',
  'pricing.quota': '{amount} {metric} / month',
  'pricing.quota.unlimited': 'Unlimited {metric}',
  'pricing.featured': 'Most popular',
  'pricing.cta.start': 'Get started',
  'pricing.cta.trial': 'Start free trial',
  'pricing.cta.upgrade': 'Upgrade',
  'pricing.cta.downgrade': 'Downgrade',
  'pricing.cta.switch': 'Switch',
  'pricing.cta.label': '{action}: {plan}, {price}',
  'pricing.scheduled': 'Starts on {date}',
  'pricing.card.body': '{plan} is a paid plan. Add a payment method first; you confirm the change next.',
}

/**
 * The names of the strings in ./messages-api-keys.ts, which the core loads only with the
 * API-keys card: kept here, as short as they pack, so `messages` overrides of them are
 * checked when the portal is created (test/unit/i18n.test.ts keeps the two lists equal).
 */
export const onDemandKeys: readonly string[] = 'empty created lastUsed neverUsed roll rollLabel rollTitle rollBody rollConfirm rolled revealed once alreadyShown copy copyLabel copied copyFailed dismiss create createName createSubmit createdNew revoke revokeLabel revokeTitle revokeBody revokeConfirm revoked'
  .split(' ')
  .map((name) => `dashboard.keys.${name}`)

export type MessageKey = keyof typeof en | keyof typeof apiKeysEn | keyof typeof usageChartEn | keyof typeof usageControlsEn
export type Messages = Record<MessageKey, string>
