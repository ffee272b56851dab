// Your pricing, as code: applyCatalogue() makes the billing engine match it on every start.
// Change an amount and restart: new customers get the new price, current subscribers keep
// theirs. Remove a plan: it is archived (hidden from new customers, kept for current ones).
export const catalogue = (appId) => ({
  app: { id: appId, name: 'Acme API', publicKey: 'pk_acme', invoicePrefix: 'ACME' },
  metrics: [{ key: 'api_calls', name: 'API calls', unit: 'calls' }],
  plans: [
    {
      id: 'plan_starter',
      name: 'Starter',
      features: ['50,000 API calls a month', 'Email support'],
      quotas: { api_calls: { limit: 50_000, overage: { amount: 100, per: 1_000 } } },
      prices: [
        { id: 'price_starter_month', period: 'month', amount: 1_900, currency: 'USD' },
        { id: 'price_starter_year', period: 'year', amount: 19_000, currency: 'USD' },
      ],
    },
    {
      id: 'plan_pro',
      name: 'Pro',
      features: ['250,000 API calls a month', 'Priority support'],
      quotas: { api_calls: { limit: 250_000, overage: { amount: 50, per: 1_000 } } },
      trialDays: 14,
      featured: true,
      prices: [
        { id: 'price_pro_month', period: 'month', amount: 4_900, currency: 'USD' },
        { id: 'price_pro_year', period: 'year', amount: 49_000, currency: 'USD' },
      ],
    },
  ],
})
