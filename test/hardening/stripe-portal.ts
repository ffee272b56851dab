/**
 * The Portal API over `stripeBilling` against the Stripe double (test/server/stripe-double),
 * for the hardening suites that attack both backends the same way.
 */
import { openSqliteBilling, type SqliteBilling } from '../../src/server/billing/sqlite.js'
import { stripeBilling, type StripeBillingOptions } from '../../src/server/billing/stripe.js'
import type { BillingBackend } from '../../src/server/billing/types.js'
import { createPortalHandler, type PortalHandler, type PortalHandlerOptions } from '../../src/server/handler.js'
import { createPortalToken } from '../../src/server/token.js'
import { TEST_APP_ID, TEST_SECRET, inProcessFetch } from '../helpers/portal.js'
import { startStripeDouble, type StripeDouble } from '../server/stripe-double/index.js'

export interface StripePortal {
  double: StripeDouble
  billing: BillingBackend
  handler: PortalHandler
  fetch: typeof fetch
  apiUrl: string
  token(customUid: string): Promise<string>
  close(): Promise<void>
}

export async function createStripePortal(options: { billing?: Partial<StripeBillingOptions>; handler?: Partial<PortalHandlerOptions> } = {}): Promise<StripePortal> {
  const now = Math.floor(Date.now() / 1000)
  const double = await startStripeDouble({ now: () => now })
  // API keys are not a Stripe thing: they come from a SQLite engine's demo data, as in test/server/stripe.test.ts.
  const keys: SqliteBilling = openSqliteBilling({ filename: ':memory:', seed: 'demo', now: () => now })
  const billing = stripeBilling({
    stripe: double.client(),
    meter: { id: double.demo.meter, metric: 'api_calls' },
    apiKeys: keys,
    publicKey: 'pk_demo',
    checkout: { successUrl: 'https://app.example.com/welcome', cancelUrl: 'https://app.example.com/pricing' },
    now: () => now,
    ...options.billing,
  })
  const handler = createPortalHandler({ appId: TEST_APP_ID, secret: TEST_SECRET, billing, now: () => now, onError: () => undefined, ...options.handler })
  return {
    double,
    billing,
    handler,
    fetch: inProcessFetch(handler),
    apiUrl: 'http://portal.test/api/portal',
    token: async (customUid) => (await createPortalToken({ appId: TEST_APP_ID, secret: TEST_SECRET, customUid, now: () => now })).token,
    async close() {
      await keys.close()
      await double.close()
    },
  }
}
