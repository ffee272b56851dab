/**
 * Opt-in: the backend contract suite against a real Stripe account in test mode.
 *
 *   STRIPE_SECRET_KEY=sk_test_... npm run test:stripe
 *
 * It creates its own meter, products, prices, test clocks, customers and subscriptions
 * (tagged with a run id), runs the same suite the SQLite engine and the Stripe double
 * pass, and deletes or archives everything it made. Without the key it is skipped with a
 * line saying so; a live-mode key is refused. `npm test` never runs it (vitest.config.ts
 * adds this project only when it is asked for).
 */
import { afterAll, describe, it } from 'vitest'
import Stripe from 'stripe'
import { openSqliteBilling } from '../../src/server/billing/sqlite.js'
import { stripeBilling } from '../../src/server/billing/stripe.js'
import { describeBackendContract } from '../server/backend-contract.js'
import { archiveCatalog, createCatalog, createCustomers, createManyInvoices, deleteClocks, meterSettled, type Catalog, type Customers } from './fixtures.js'

const key = process.env.STRIPE_SECRET_KEY

if (!key) {
  console.log('[stripe-live] skipped: set STRIPE_SECRET_KEY=sk_test_... to run the backend contract suite against Stripe test mode')
  describe.skip('stripeBilling against Stripe test mode (STRIPE_SECRET_KEY not set)', () => {
    it('runs the backend contract suite', () => undefined)
  })
} else {
  if (!key.startsWith('sk_test_') && !key.startsWith('rk_test_')) throw new Error('[stripe-live] refusing to run: STRIPE_SECRET_KEY must be a test-mode key (sk_test_...)')
  const stripe = new Stripe(key, { maxNetworkRetries: 3 })
  const runId = `r${Date.now().toString(36)}`
  let catalog: Promise<Catalog> | undefined
  let shared: Promise<Customers> | undefined
  let worlds = 0

  afterAll(async () => {
    const made = await catalog?.catch(() => undefined)
    if (shared) await deleteClocks(stripe, (await shared).clocks)
    if (made) await archiveCatalog(stripe, made)
    console.log(`[stripe-live] cleaned up run ${runId}`)
  }, 300_000)

  describeBackendContract(`stripe (test mode, run ${runId})`, async () => {
    catalog ??= createCatalog(stripe, runId)
    const made = await catalog
    shared ??= createManyInvoices(stripe, made)
    // The first world serves the read-only checks: it also gets cus_active's history and usage.
    const full = worlds++ === 0
    const [customers, many] = await Promise.all([createCustomers(stripe, made, full), shared])
    const ids = { ...customers.ids, ...many.ids }
    if (full && !(await meterSettled(stripe, made, ids.cus_active, 200_000))) {
      console.log('[stripe-live] the meter has not aggregated cus_active’s usage yet; the usage check will fail')
    }
    const keys = openSqliteBilling({ filename: ':memory:', seed: 'demo', now: () => made.now })
    const backend = stripeBilling({
      stripe,
      resolveCustomer: (uid) => ids[uid] ?? null,
      meter: { id: made.meter.id, metric: 'api_calls', name: 'API calls', unit: 'calls' },
      apiKeys: keys,
      publicKey: 'pk_demo',
      checkout: { successUrl: 'https://example.com/welcome', cancelUrl: 'https://example.com/pricing' },
      includeProduct: (product) => product.metadata.portal_test_run === runId,
      now: () => made.now,
    })
    return {
      backend,
      scope: (uid) => ({ appId: 'app_demo', customUid: uid }),
      async cleanup() {
        await keys.close()
        await deleteClocks(stripe, customers.clocks)
      },
    }
  })
}
