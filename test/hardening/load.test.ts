/**
 * Load against one SQLite file: 2,000 requests from 50 concurrent clients, half of them
 * mutations (cards added and removed, defaults, plan changes with idempotency keys and
 * their retries, cancel / resume, API key rolls), through the handler on a loopback
 * server; then the same through two handler instances over two engines on the one file
 * (two servers behind a balancer), and through two server processes on the file, where
 * only SQLite's own locking (WAL, busy timeout) keeps them apart. No 5xx or SQLITE_BUSY
 * reaches a client, and the file still adds up (read directly with better-sqlite3,
 * read-only).
 *
 * Then per-token rate limiting under concurrency: exactly `max` pass, the rest are 429
 * with Retry-After and never reach the backend.
 */
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { openSqliteBilling, type SqliteBilling } from '../../src/server/billing/sqlite.js'
import type { CustomerScope } from '../../src/server/billing/types.js'
import { createPortalHandler, type PortalHandler } from '../../src/server/handler.js'
import { memoryIdempotencyStore, type IdempotencyStore } from '../../src/server/idempotency.js'
import { TEST_APP_ID, TEST_SECRET, createTestPortal, type TestPortal } from '../helpers/portal.js'
import { CLIENTS, audit, countInvoices, report, runLoad, startProcess, type AuditSql, type LoadTarget } from './load-support.js'
import { countingBackend, serve, type CountedBackend, type Served } from './support.js'

const REQUESTS_PER_CLIENT = 40
const CUSTOMERS = 10

type Layout = 'one handler' | 'two engines' | 'two processes'

interface Fleet extends LoadTarget {
  portal: TestPortal
  /** One per in-process server instance. */
  backends: CountedBackend<SqliteBilling>[]
  /** 500s another process reported. */
  processErrors: string[]
  close(): Promise<void>
}

let fleet: Fleet | undefined
afterEach(async () => {
  await fleet?.close()
  fleet = undefined
})

/** A seeded file with `CUSTOMERS` customers on Pro, each with a card and two API keys, and servers on it per `layout`. */
async function startFleet(layout: Layout): Promise<Fleet> {
  const portal = createTestPortal()
  const customers: CustomerScope[] = []
  const keyIds = new Map<string, string[]>()
  for (let i = 0; i < CUSTOMERS; i++) {
    const customUid = `cus_load_${i}`
    const scope = { appId: TEST_APP_ID, customUid }
    await portal.billing.createCustomer(TEST_APP_ID, { customUid, email: `load${i}@example.com`, name: `Load ${i}` })
    await portal.billing.attachPaymentMethod(scope, 'pm_card_visa')
    await portal.billing.subscribe(scope, 'price_pro_month')
    keyIds.set(customUid, [(await portal.billing.createApiKey(scope, 'one')).id, (await portal.billing.createApiKey(scope, 'two')).id])
    customers.push(scope)
  }
  // In-process instances share an idempotency store, as the handler docs ask of several instances.
  const store: IdempotencyStore = memoryIdempotencyStore()
  const engines = [portal.billing, ...(layout === 'two engines' ? [openSqliteBilling({ filename: portal.filename })] : [])]
  const backends = engines.map((engine) => countingBackend(engine))
  const handlers: PortalHandler[] = backends.map((b) =>
    createPortalHandler({ appId: TEST_APP_ID, secret: TEST_SECRET, billing: b.billing, idempotencyStore: store, onError: (error) => portal.errors.push(error) }),
  )
  const servers = await Promise.all(handlers.map((handler) => serve(handler)))
  const processErrors: string[] = []
  if (layout === 'two processes') servers.push(await startProcess(portal.filename, processErrors))
  let served = 0
  return {
    portal,
    billing: portal.billing,
    backends,
    // Two engines: round robin per request, their store shared. Two processes keep their
    // idempotency keys in memory each, so a client sticks to one (session affinity).
    serverFor: (client) => (layout === 'two processes' ? servers[client % servers.length] : servers[served++ % servers.length]),
    processErrors,
    customers,
    keyIds,
    async close() {
      await Promise.all(servers.map((s) => s.close()))
      for (const engine of engines.slice(1)) await engine.close()
      await portal.close()
    },
  }
}

async function loadAndAudit(layout: Layout, seed: number): Promise<void> {
  fleet = await startFleet(layout)
  const invoicesBefore = await countInvoices(sqliteReader(fleet.portal.filename))
  const started = performance.now()
  const ledger = await runLoad(fleet, seed, { requestsPerClient: REQUESTS_PER_CLIENT })
  const ms = performance.now() - started
  report(layout, ledger, ms)
  expect(ledger.failures).toEqual([])
  expect(fleet.portal.errors).toEqual([])
  expect(fleet.processErrors).toEqual([])
  expect(ledger.requests).toBeGreaterThanOrEqual(CLIENTS * REQUESTS_PER_CLIENT)
  if (layout !== 'two processes') {
    // Each plan change's key ran the backend once, whichever instance its retry reached.
    const changes = fleet.backends.reduce((n, b) => n + (b.calls.get('changeSubscription') ?? 0), 0)
    expect(changes).toBe(ledger.changeKeys.size)
  }
  if (layout === 'two engines') for (const b of fleet.backends) expect(b.total()).toBeGreaterThan(100)
  if (layout === 'two processes') expect(fleet.backends[0].total()).toBeGreaterThan(100)
  await audit(sqliteReader(fleet.portal.filename), fleet, ledger, invoicesBefore)
}

/** The file read directly with its own read-only connection. */
function sqliteReader(filename: string): AuditSql {
  return async <T>(text: string, params: unknown[] = []) => {
    const db = new Database(filename, { readonly: true, fileMustExist: true })
    try {
      return db.prepare(text).all(...params) as T[]
    } finally {
      db.close()
    }
  }
}

describe('load on one SQLite file', () => {
  it('one handler: 2,000 requests from 50 clients, half mutations', () => loadAndAudit('one handler', 1), 60_000)
  it('two handler instances over two engines on the same file', () => loadAndAudit('two engines', 2), 60_000)
  it('two server processes on the same file (only SQLite’s locks between them)', () => loadAndAudit('two processes', 3), 60_000)
})

describe('per-customer rate limiting', () => {
  it('under 60 concurrent requests on one token, exactly `max` pass; the rest are 429 with Retry-After and never reach the backend', async () => {
    let clock = Math.floor(Date.now() / 1000)
    const portal = createTestPortal({ now: () => clock })
    const counted = countingBackend(portal.billing)
    const handler = createPortalHandler({ appId: TEST_APP_ID, secret: TEST_SECRET, billing: counted.billing, now: () => clock, rateLimit: { windowMs: 60_000, max: 10 } })
    const server = await serve(handler)
    try {
      const token = await portal.token('cus_active')
      const fresh = await portal.token('cus_active')
      const other = await portal.token('cus_free')
      const call = (t: string, method = 'GET', path = '/session') =>
        fetch(`${server.url}/api/portal${path}`, { method, headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' }, body: method === 'POST' ? '{"at_period_end":true}' : undefined })
      const mixed = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? call(token, 'POST', '/subscription/cancel') : call(token))))
      const passed = mixed.filter((r) => r.status !== 429)
      const limited = mixed.filter((r) => r.status === 429)
      expect(passed).toHaveLength(10)
      expect(limited).toHaveLength(50)
      for (const r of limited) {
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
        expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(60)
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe('rate_limited')
      }
      expect(counted.total()).toBe(10)
      // A fresh token of the same customer does not reset it (issue 12); another customer has their own budget.
      expect((await call(fresh)).status).toBe(429)
      expect((await call(other)).status).toBe(200)
      // The window passes: the first token is served again.
      clock += 60
      expect((await call(token)).status).toBe(200)
      console.log(`rate limit: 60 concurrent requests on one token -> 10 served, 50 answered 429 with Retry-After, ${counted.total() - 2} backend calls for them; a fresh token for the same customer still 429`)
    } finally {
      await server.close()
      await portal.close()
    }
  })
})
