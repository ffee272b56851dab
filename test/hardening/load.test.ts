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
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { build } from 'esbuild'
import { afterEach, describe, expect, it } from 'vitest'
import type { List, PaymentMethod, RevealedApiKey } from '../../src/api/types.js'
import { openSqliteBilling, type SqliteBilling } from '../../src/server/billing/sqlite.js'
import type { CustomerScope } from '../../src/server/billing/types.js'
import { createPortalHandler, type PortalHandler } from '../../src/server/handler.js'
import { memoryIdempotencyStore, type IdempotencyStore } from '../../src/server/idempotency.js'
import { createPortalToken } from '../../src/server/token.js'
import { TEST_APP_ID, TEST_SECRET, createTestPortal, type TestPortal } from '../helpers/portal.js'
import { countingBackend, serve, type CountedBackend, type Served } from './support.js'

const CLIENTS = 50
const REQUESTS_PER_CLIENT = 40
const CUSTOMERS = 10
const PRICES = ['price_starter_month', 'price_pro_month', 'price_scale_month', 'price_pro_year', 'price_scale_year']

/** A small seeded PRNG: the same load on every run, so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Ledger {
  /** Cards known to exist per customer (initial and added), the pool removes pick from. */
  cards: Map<string, Set<string>>
  added: Map<string, number>
  removed: Map<string, number>
  /** API key id -> every secret a successful roll returned. */
  secrets: Map<string, string[]>
  /** Idempotency keys sent with plan changes (each once, some twice). */
  changeKeys: Set<string>
  replays: number
  statuses: Map<string, number>
  failures: string[]
  requests: number
}

const bump = (map: Map<string, number>, key: string, by = 1) => map.set(key, (map.get(key) ?? 0) + by)

type Layout = 'one handler' | 'two engines' | 'two processes'

interface Fleet {
  portal: TestPortal
  /** One per in-process server instance. */
  backends: CountedBackend<SqliteBilling>[]
  /** Which server the `n`th request of client `client` goes to. */
  serverFor(client: number, n: number): Served
  /** 500s another process reported. */
  processErrors: string[]
  customers: CustomerScope[]
  initialCards: Map<string, number>
  keyIds: Map<string, string[]>
  close(): Promise<void>
}

let fleet: Fleet | undefined
afterEach(async () => {
  await fleet?.close()
  fleet = undefined
})

const here = dirname(fileURLToPath(import.meta.url))

/** The second server process: bundled from fixtures/server-process.ts, started on `filename`. */
async function startProcess(filename: string, errors: string[]): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'portal-process-'))
  const outfile = join(dir, 'server.mjs')
  await build({ entryPoints: [join(here, 'fixtures/server-process.ts')], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['better-sqlite3'], logLevel: 'error' })
  // The bundle loads better-sqlite3 with require(); NODE_PATH points it at this package's.
  const child = spawn(process.execPath, [outfile, filename, TEST_APP_ID, TEST_SECRET], {
    env: { ...process.env, NODE_PATH: resolve(here, '../../node_modules') },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  createInterface({ input: child.stderr }).on('line', (line) => errors.push(line))
  const port = await new Promise<number>((ready, fail) => {
    child.once('exit', (code) => fail(new Error(`the server process exited (${code}): ${errors.join('\n')}`)))
    createInterface({ input: child.stdout }).once('line', (line) => ready((JSON.parse(line) as { port: number }).port))
  })
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      const exited = new Promise((done) => child.once('exit', done))
      child.stdin.end()
      await exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A seeded file with `CUSTOMERS` customers on Pro, each with a card and two API keys, and servers on it per `layout`. */
async function startFleet(layout: Layout): Promise<Fleet> {
  const portal = createTestPortal()
  const customers: CustomerScope[] = []
  const initialCards = new Map<string, number>()
  const keyIds = new Map<string, string[]>()
  for (let i = 0; i < CUSTOMERS; i++) {
    const customUid = `cus_load_${i}`
    const scope = { appId: TEST_APP_ID, customUid }
    await portal.billing.createCustomer(TEST_APP_ID, { customUid, email: `load${i}@example.com`, name: `Load ${i}` })
    await portal.billing.attachPaymentMethod(scope, 'pm_card_visa')
    await portal.billing.subscribe(scope, 'price_pro_month')
    keyIds.set(customUid, [(await portal.billing.createApiKey(scope, 'one')).id, (await portal.billing.createApiKey(scope, 'two')).id])
    initialCards.set(customUid, 1)
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
    backends,
    // Two engines: round robin per request, their store shared. Two processes keep their
    // idempotency keys in memory each, so a client sticks to one (session affinity).
    serverFor: (client) => (layout === 'two processes' ? servers[client % servers.length] : servers[served++ % servers.length]),
    processErrors,
    customers,
    initialCards,
    keyIds,
    async close() {
      await Promise.all(servers.map((s) => s.close()))
      for (const engine of engines.slice(1)) await engine.close()
      await portal.close()
    },
  }
}

async function runLoad(f: Fleet, seed: number): Promise<Ledger> {
  const ledger: Ledger = { cards: new Map(), added: new Map(), removed: new Map(), secrets: new Map(), changeKeys: new Set(), replays: 0, statuses: new Map(), failures: [], requests: 0 }
  for (const c of f.customers) {
    const list = await f.portal.billing.listPaymentMethods(c)
    ledger.cards.set(c.customUid, new Set(list.data.map((m) => m.id)))
  }
  async function client(index: number): Promise<void> {
    const rand = random(seed * 1000 + index)
    const pick = <T>(items: T[]): T => items[Math.floor(rand() * items.length)]
    const customer = f.customers[index % f.customers.length]
    const uid = customer.customUid
    const { token } = await createPortalToken({ appId: TEST_APP_ID, secret: TEST_SECRET, customUid: uid })

    async function send(label: string, method: string, path: string, options: { body?: unknown; key?: string } = {}): Promise<{ status: number; json: unknown; headers: Headers }> {
      const server = f.serverFor(index, ledger.requests)
      const headers: Record<string, string> = { authorization: `Bearer ${token}` }
      if (options.body !== undefined) headers['content-type'] = 'application/json'
      if (options.key) headers['idempotency-key'] = options.key
      const response = await fetch(`${server.url}/api/portal${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) })
      const text = await response.text()
      ledger.requests++
      bump(ledger.statuses, `${label} ${response.status}`)
      if (response.status >= 500 || /SQLITE|database is locked/i.test(text)) ledger.failures.push(`${method} ${path} -> ${response.status} ${text.slice(0, 200)}`)
      return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined, headers: response.headers }
    }

    const reads: (() => Promise<unknown>)[] = [
      () => send('GET /session', 'GET', '/session'),
      () => send('GET /invoices', 'GET', '/invoices?limit=5'),
      () => send('GET /payment-methods', 'GET', '/payment-methods'),
      () => send('GET /plans', 'GET', '/plans'),
      () => send('GET /api-keys', 'GET', '/api-keys'),
      async () => {
        const list = await send('GET /invoices', 'GET', '/invoices?limit=3')
        const first = (list.json as List<{ id: string }>).data[0]
        if (first) await send('GET /invoices/:id', 'GET', `/invoices/${first.id}`)
      },
    ]
    const cards = ledger.cards.get(uid)!
    const mutations: (() => Promise<unknown>)[] = [
      async () => {
        const a = await send('add card', 'POST', '/payment-methods', { body: { payment_method: pick(['pm_card_visa', 'pm_card_mastercard', 'pm_card_amex']) }, key: crypto.randomUUID() })
        if (a.status === 200) {
          cards.add((a.json as PaymentMethod).id)
          bump(ledger.added, uid)
        }
      },
      async () => {
        const id = pick([...cards])
        if (!id) return
        // Several clients share a customer: two may remove one card; exactly one succeeds.
        const a = await send('remove card', 'DELETE', `/payment-methods/${id}`, { key: crypto.randomUUID() })
        if (a.status === 200) {
          cards.delete(id)
          bump(ledger.removed, uid)
        }
      },
      async () => {
        const id = pick([...cards])
        if (id) await send('set default', 'POST', `/payment-methods/${id}/default`, { key: crypto.randomUUID() })
      },
      async () => {
        const key = crypto.randomUUID()
        ledger.changeKeys.add(key)
        const body = { price_id: pick(PRICES) }
        const first = await send('change plan', 'POST', '/subscription', { body, key })
        if (rand() < 0.3) {
          // The client's retry of the same change, as after a lost answer: replayed, not applied again.
          const again = await send('change plan (retry)', 'POST', '/subscription', { body, key })
          if (first.status < 500) {
            expect(again.status).toBe(first.status)
            expect(again.json).toEqual(first.json)
            expect(again.headers.get('idempotent-replayed')).toBe('true')
            ledger.replays++
          }
        }
      },
      () => send('cancel', 'POST', '/subscription/cancel', { body: { at_period_end: true }, key: crypto.randomUUID() }),
      () => send('resume', 'POST', '/subscription/resume', { key: crypto.randomUUID() }),
      async () => {
        const keyId = pick(f.keyIds.get(uid)!)
        const a = await send('roll key', 'POST', `/api-keys/${keyId}/roll`, { key: crypto.randomUUID() })
        if (a.status === 200) ledger.secrets.set(keyId, [...(ledger.secrets.get(keyId) ?? []), (a.json as RevealedApiKey).secret])
      },
    ]
    // Half the steps mutate. A step that retries or reads an invoice sends two requests, so
    // the loop counts requests, not steps.
    let step = 0
    while (ledger.requests < CLIENTS * REQUESTS_PER_CLIENT && step < REQUESTS_PER_CLIENT * 2) {
      await (step++ % 2 === 0 ? pick(mutations) : pick(reads))()
    }
  }

  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)))
  return ledger
}

/** What the file says, read directly with its own read-only connection. */
function audit(f: Fleet, ledger: Ledger): void {
  const db = new Database(f.portal.filename, { readonly: true, fileMustExist: true })
  try {
    const unbalanced = db
      .prepare(`SELECT i.id, i.total, COALESCE(SUM(l.amount), 0) AS lines FROM invoices i LEFT JOIN invoice_lines l ON l.invoice_id = i.id GROUP BY i.id HAVING i.total != COALESCE(SUM(l.amount), 0)`)
      .all()
    expect(unbalanced, 'invoice totals that differ from the sum of their lines').toEqual([])

    // Numbers: unique, and the sequence has no gap and no repeat.
    const apps = db.prepare(`SELECT id, next_invoice_seq FROM apps`).all() as { id: string; next_invoice_seq: number }[]
    for (const app of apps) {
      const seqs = (db.prepare(`SELECT seq FROM invoices WHERE app_id = ? ORDER BY seq`).all(app.id) as { seq: number }[]).map((r) => r.seq)
      expect(seqs, `invoice sequence of ${app.id}`).toEqual(Array.from({ length: app.next_invoice_seq - 1 }, (_, i) => i + 1))
    }
    const duplicateNumbers = db.prepare(`SELECT app_id, number, COUNT(*) AS n FROM invoices GROUP BY app_id, number HAVING n > 1`).all()
    expect(duplicateNumbers).toEqual([])

    for (const c of f.customers) {
      const uid = c.customUid
      const row = db.prepare(`SELECT id, subscription_id FROM customers WHERE app_id = ? AND custom_uid = ?`).get(c.appId, uid) as { id: string; subscription_id: string }
      // No lost update: the cards on file are exactly the initial ones plus adds minus removes.
      const active = (db.prepare(`SELECT id, is_default FROM payment_methods WHERE customer_id = ? AND detached_at IS NULL`).all(row.id) as { id: string; is_default: number }[])
      expect(active.length, `cards of ${uid}`).toBe(f.initialCards.get(uid)! + (ledger.added.get(uid) ?? 0) - (ledger.removed.get(uid) ?? 0))
      expect(new Set(active.map((m) => m.id))).toEqual(ledger.cards.get(uid))
      // A customer with cards has exactly one default.
      if (active.length > 0) expect(active.filter((m) => m.is_default === 1).length, `defaults of ${uid}`).toBe(1)
      // One live subscription, the customer's own.
      const live = db.prepare(`SELECT COUNT(*) AS n FROM subscriptions WHERE customer_id = ? AND status != 'canceled'`).get(row.id) as { n: number }
      expect(live.n).toBe(1)
    }

    // Every stored key hash is the hash of a secret some roll returned (the last one to commit), or the original.
    for (const [keyId, secrets] of ledger.secrets) {
      const { hash } = db.prepare(`SELECT hash FROM api_keys WHERE id = ?`).get(keyId) as { hash: string }
      const matching = secrets.filter((s) => createHash('sha256').update(s).digest('hex') === hash)
      expect(matching.length, `rolled secrets of ${keyId} that are live`).toBe(1)
    }
  } finally {
    db.close()
  }
}

function report(name: string, f: Fleet, ledger: Ledger, ms: number): void {
  const mutations = [...ledger.statuses].filter(([k]) => !k.startsWith('GET')).reduce((n, [, v]) => n + v, 0)
  console.log(
    `load (${name}): ${ledger.requests} requests from ${CLIENTS} clients (${mutations} mutations, ${ledger.replays} idempotent retries) in ${(ms / 1000).toFixed(1)} s; ` +
      `statuses ${JSON.stringify(Object.fromEntries([...ledger.statuses].sort()))}`,
  )
}

async function loadAndAudit(layout: Layout, seed: number): Promise<void> {
  fleet = await startFleet(layout)
  const started = performance.now()
  const ledger = await runLoad(fleet, seed)
  const ms = performance.now() - started
  report(layout, fleet, ledger, ms)
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
  audit(fleet, ledger)
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
