/**
 * The pricing portal's English strings. They ship in the view's own chunk, which adds them to the English table
 * when it loads (views/index.ts, pricing.ts); the key names are listed in ./messages.ts
 * (`onDemandKeys`) so `messages` overrides are checked before then.
 */
export const pricingEn = {
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
