/**
 * `stripeBilling` over the real `stripe` client pointed at a local Stripe double
 * (test/server/stripe-double): the backend contract suite that the SQLite engine passes,
 * then what only a Stripe backend does — the requests it sends (paths, form parameters,
 * derived idempotency keys), Stripe's errors as Portal API errors, and what never reaches
 * the browser.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import Stripe from 'stripe'
import { openSqliteBilling } from '../../src/server/billing/sqlite.js'
import { stripeBilling, type StripeBillingOptions, type StripeClient } from '../../src/server/billing/stripe.js'
import { BillingError, type BillingBackend, type CustomerScope } from '../../src/server/billing/types.js'
import { createPortalHandler } from '../../src/server/handler.js'
import { createPortalToken } from '../../src/server/token.js'
import { describeBackendContract, expectBillingError, findPrice } from './backend-contract.js'
import { startStripeDouble, type StripeDouble } from './stripe-double/index.js'

const APP_ID = 'app_demo'
const SECRET = 'archetype-portals-test-secret-0123456789abcdef'

interface Setup {
  double: StripeDouble
  backend: BillingBackend
  scope(uid: string): CustomerScope
  now: number
  close(): Promise<void>
}

async function setup(overrides: Partial<StripeBillingOptions> = {}): Promise<Setup> {
  const now = Math.floor(Date.now() / 1000)
  const double = await startStripeDouble({ now: () => now })
  // API keys are not a Stripe thing: they come from a SQLite engine's demo data.
  const keys = openSqliteBilling({ filename: ':memory:', seed: 'demo', now: () => now })
  const backend = stripeBilling({
    stripe: double.client(),
    meter: { id: double.demo.meter, metric: 'api_calls', name: 'API calls', unit: 'calls' },
    apiKeys: keys,
    publicKey: 'pk_demo',
    checkout: { successUrl: 'https://app.example.com/welcome', cancelUrl: 'https://app.example.com/pricing' },
    now: () => now,
    ...overrides,
  })
  return {
    double,
    backend,
    now,
    scope: (uid) => ({ appId: APP_ID, customUid: uid }),
    async close() {
      await keys.close()
      await double.close()
    },
  }
}

describeBackendContract('stripe (local double)', async () => {
  const s = await setup()
  return { backend: s.backend, scope: s.scope, cleanup: s.close }
})

describe('stripeBilling over the Stripe double', () => {
  let s: Setup
  beforeEach(async () => {
    s = await setup()
  })
  afterEach(async () => {
    await s.close()
  })

  it('takes the stripe package’s own client', () => {
    const client: StripeClient = new Stripe('sk_test_x')
    expect(typeof stripeBilling({ stripe: client }).getSession).toBe('function')
  })
})
