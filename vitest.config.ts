import { defineConfig } from 'vitest/config'

// `npm run test:stripe` (--project stripe-live) talks to a real Stripe test account; it is
// a project only when asked for by name, so `npm test` and a bare `vitest run` never run it.
const stripeLive = process.argv.some((arg) => /(^|=)stripe-live$/.test(arg))

// One run: the browser core and adapters under happy-dom, the server in Node against
// real SQLite files, the hardening suites, and last the end-to-end suite in real Chromium.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/adapters/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
        },
      },
      {
        test: {
          name: 'server',
          include: ['test/server/**/*.test.ts'],
          environment: 'node',
          // One real PostgreSQL server for the run (or DATABASE_URL's): the engine suites run on it too.
          globalSetup: ['test/helpers/postgres-server.ts'],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        // Issue 9: hostile tokens, input, faults and load. Server-side files run in Node; the
        // `.dom.test.ts` files mount the portals in happy-dom with script evaluation on, so an
        // injected handler or script would really run (and set the flag the tests watch).
        test: {
          name: 'hardening',
          include: ['test/hardening/**/*.test.ts'],
          exclude: ['test/hardening/**/*.dom.test.ts'],
          environment: 'node',
          globalSetup: ['test/helpers/postgres-server.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'hardening-dom',
          include: ['test/hardening/**/*.dom.test.ts'],
          environment: 'happy-dom',
          environmentOptions: {
            happyDOM: { settings: { enableJavaScriptEvaluation: true, suppressInsecureJavaScriptEnvironmentWarning: true, disableJavaScriptFileLoading: true, disableCSSFileLoading: true } },
          },
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          // After every other project: its 5-second tokens and timings then get the
          // machine's two cores to themselves, not a share beside the load tests.
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      ...(stripeLive
        ? [{ test: { name: 'stripe-live', include: ['test/stripe-live/**/*.test.ts'], environment: 'node' as const, testTimeout: 300_000, hookTimeout: 900_000, fileParallelism: false } }]
        : []),
    ],
  },
})
