/**
 * The load the load suites drive and the audit that follows it, for any store: 50
 * clients, half their steps mutations (cards added and removed, defaults, plan changes with
 * Idempotency-Keys and their retries, cancel / resume, API key rolls) against a set of
 * servers; then what the store says, read with the store's own SQL. A server that dies
 * mid-run (kill -9) is survived as a client would: the request is sent again with the same
 * Idempotency-Key to another server, and what stays unknown is counted as unknown.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { expect } from 'vitest'
import type { List, PaymentMethod, RevealedApiKey } from '../../src/api/types.js'
import type { BillingBackend, CustomerScope } from '../../src/server/billing/types.js'
import { createPortalToken } from '../../src/server/token.js'
import { TEST_APP_ID, TEST_SECRET } from '../helpers/portal.js'
import type { Served } from './support.js'

export const CLIENTS = 50
const PRICES = ['price_starter_month', 'price_pro_month', 'price_scale_month', 'price_pro_year', 'price_scale_year']

/** A small seeded PRNG: the same load on every run, so a failure can be replayed. */
export function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface Ledger {
  /** Cards each customer had when the run began. */
  initialCards: Map<string, number>
  /** Cards known to exist per customer (initial and added), the pool removes pick from. */
  cards: Map<string, Set<string>>
  added: Map<string, number>
  removed: Map<string, number>
  /** API key id -> every secret a successful roll returned. */
  secrets: Map<string, string[]>
  /** Idempotency keys sent with plan changes (each once, some twice). */
  changeKeys: Set<string>
  /** Plan changes answered 200 by the run itself (not a replay). */
  changesApplied: number
  replays: number
  statuses: Map<string, number>
  failures: string[]
  requests: number
  /** Mutations whose outcome no server could tell (their server died): per customer, or per API key for rolls. */
  unknown: { adds: Map<string, number>; removes: Map<string, Set<string>>; rolls: Set<string>; changes: number }
}

const bump = (map: Map<string, number>, key: string, by = 1) => map.set(key, (map.get(key) ?? 0) + by)

/** What the load runs against. */
export interface LoadTarget {
  /** Reads the customers' cards before the run. */
  billing: BillingBackend
  /** Which server the `n`th request of client `client` goes to (a live one). */
  serverFor(client: number, n: number): Served
  customers: CustomerScope[]
  keyIds: Map<string, string[]>
}

/** Sends `requestsPerClient` × CLIENTS requests; `during(requests)` is called after each answer (to kill a server mid-run). */
export async function runLoad(f: LoadTarget, seed: number, run: { requestsPerClient: number; during?: (requests: number) => void }): Promise<Ledger> {
  const perClient = run.requestsPerClient
  const ledger: Ledger = {
    initialCards: new Map(),
    cards: new Map(),
    added: new Map(),
    removed: new Map(),
    secrets: new Map(),
    changeKeys: new Set(),
    changesApplied: 0,
    replays: 0,
    statuses: new Map(),
    failures: [],
    requests: 0,
    unknown: { adds: new Map(), removes: new Map(), rolls: new Set(), changes: 0 },
  }
  for (const c of f.customers) {
    const list = await f.billing.listPaymentMethods(c)
    ledger.cards.set(c.customUid, new Set(list.data.map((m) => m.id)))
    ledger.initialCards.set(c.customUid, list.data.length)
  }
  async function client(index: number): Promise<void> {
    const rand = random(seed * 1000 + index)
    const pick = <T>(items: T[]): T => items[Math.floor(rand() * items.length)]
    const customer = f.customers[index % f.customers.length]
    const uid = customer.customUid
    const { token } = await createPortalToken({ appId: TEST_APP_ID, secret: TEST_SECRET, customUid: uid })

    /** Status 0: no server could answer (the one asked died, and the retry elsewhere could not tell). */
    async function send(label: string, method: string, path: string, options: { body?: unknown; key?: string } = {}): Promise<{ status: number; json: unknown; headers: Headers }> {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` }
      if (options.body !== undefined) headers['content-type'] = 'application/json'
      if (options.key) headers['idempotency-key'] = options.key
      for (let attempt = 0; ; attempt++) {
        const server = f.serverFor(index, ledger.requests + attempt)
        let response: Response
        try {
          response = await fetch(`${server.url}/api/portal${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) })
        } catch {
          // The server died under the request: the same request, same key, to another one.
          if (attempt < 3) continue
          ledger.requests++
          bump(ledger.statuses, `${label} lost`)
          return { status: 0, json: undefined, headers: new Headers() }
        }
        const text = await response.text()
        ledger.requests++
        const json = text ? (JSON.parse(text) as unknown) : undefined
        // A retry whose key the dead server still holds: the outcome is unknown, not an error.
        if (attempt > 0 && response.status === 409 && (json as { error?: { field?: string } })?.error?.field === 'Idempotency-Key') {
          bump(ledger.statuses, `${label} unknown`)
          return { status: 0, json: undefined, headers: response.headers }
        }
        bump(ledger.statuses, `${label} ${response.status}`)
        if (response.status >= 500 || /SQLITE|database is locked/i.test(text)) ledger.failures.push(`${method} ${path} -> ${response.status} ${text.slice(0, 200)}`)
        run.during?.(ledger.requests)
        return { status: response.status, json, headers: response.headers }
      }
    }

    const reads: (() => Promise<unknown>)[] = [
      () => send('GET /session', 'GET', '/session'),
      () => send('GET /invoices', 'GET', '/invoices?limit=5'),
      () => send('GET /payment-methods', 'GET', '/payment-methods'),
      () => send('GET /plans', 'GET', '/plans'),
      () => send('GET /api-keys', 'GET', '/api-keys'),
      async () => {
        const list = await send('GET /invoices', 'GET', '/invoices?limit=3')
        const first = (list.json as List<{ id: string }> | undefined)?.data[0]
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
        } else if (a.status === 0) bump(ledger.unknown.adds, uid)
      },
      async () => {
        const id = pick([...cards])
        if (!id) return
        // Several clients share a customer: two may remove one card; exactly one succeeds.
        const a = await send('remove card', 'DELETE', `/payment-methods/${id}`, { key: crypto.randomUUID() })
        if (a.status === 200) {
          cards.delete(id)
          bump(ledger.removed, uid)
        } else if (a.status === 0) ledger.unknown.removes.set(uid, (ledger.unknown.removes.get(uid) ?? new Set()).add(id))
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
        if (first.status === 200 && first.headers.get('idempotent-replayed') !== 'true') ledger.changesApplied++
        if (first.status === 0) ledger.unknown.changes++
        if (rand() < 0.3 && first.status !== 0) {
          // The client's retry of the same change, as after a lost answer: replayed, not applied again.
          const again = await send('change plan (retry)', 'POST', '/subscription', { body, key })
          if (first.status < 500 && again.status !== 0) {
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
        const secret = a.status === 200 ? (a.json as Partial<RevealedApiKey>).secret : undefined
        if (secret) ledger.secrets.set(keyId, [...(ledger.secrets.get(keyId) ?? []), secret])
        // A replay (a retry after the server died) shows the key masked: its secret stays unknown.
        else if (a.status === 0 || a.status === 200) ledger.unknown.rolls.add(keyId)
      },
    ]
    // Half the steps mutate. A step that retries or reads an invoice sends two requests, so
    // the loop counts requests, not steps.
    let step = 0
    while (ledger.requests < CLIENTS * perClient && step < perClient * 2) {
      await (step++ % 2 === 0 ? pick(mutations) : pick(reads))()
    }
  }

  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)))
  return ledger
}

/** Reads the store with its own connection; `?` placeholders. */
export type AuditSql = <T>(text: string, params?: unknown[]) => Promise<T[]>

/**
 * What the store says after the run: totals equal lines, numbers without gap or repeat,
 * one live subscription each, no lost or doubled writes. Mutations of unknown outcome
 * (a server killed under them) may or may not have happened, each at most once.
 */
export async function audit(sql: AuditSql, f: LoadTarget, ledger: Ledger, invoicesBefore: number): Promise<void> {
  const unbalanced = await sql(
    `SELECT i.id, i.total, COALESCE(SUM(l.amount), 0) AS lines FROM invoices i LEFT JOIN invoice_lines l ON l.invoice_id = i.id GROUP BY i.id HAVING i.total != COALESCE(SUM(l.amount), 0)`,
  )
  expect(unbalanced, 'invoice totals that differ from the sum of their lines').toEqual([])

  // Numbers: unique, and the sequence has no gap and no repeat.
  const apps = await sql<{ id: string; next_invoice_seq: number }>(`SELECT id, next_invoice_seq FROM apps`)
  for (const app of apps) {
    const seqs = (await sql<{ seq: number }>(`SELECT seq FROM invoices WHERE app_id = ? ORDER BY seq`, [app.id])).map((r) => Number(r.seq))
    expect(seqs, `invoice sequence of ${app.id}`).toEqual(Array.from({ length: Number(app.next_invoice_seq) - 1 }, (_, i) => i + 1))
  }
  expect(await sql(`SELECT app_id, number, COUNT(*) AS n FROM invoices GROUP BY app_id, number HAVING COUNT(*) > 1`)).toEqual([])
  // Every charge has one invoice: the run invoiced at most once per plan change that applied (or may have).
  expect((await countInvoices(sql)) - invoicesBefore, 'invoices made by the run').toBeLessThanOrEqual(ledger.changesApplied + ledger.unknown.changes)

  for (const c of f.customers) {
    const uid = c.customUid
    const [row] = await sql<{ id: string }>(`SELECT id FROM customers WHERE app_id = ? AND custom_uid = ?`, [c.appId, uid])
    const active = await sql<{ id: string; is_default: number }>(`SELECT id, is_default FROM payment_methods WHERE customer_id = ? AND detached_at IS NULL`, [row.id])
    const ids = new Set(active.map((m) => m.id))
    const unknownAdds = ledger.unknown.adds.get(uid) ?? 0
    const unknownRemoves = ledger.unknown.removes.get(uid) ?? new Set<string>()
    if (unknownAdds === 0 && unknownRemoves.size === 0) {
      // No lost update: the cards on file are exactly the initial ones plus adds minus removes.
      expect(active.length, `cards of ${uid}`).toBe(ledger.initialCards.get(uid)! + (ledger.added.get(uid) ?? 0) - (ledger.removed.get(uid) ?? 0))
      expect(ids).toEqual(ledger.cards.get(uid))
    } else {
      // Nothing answered 200 is lost; an unknown add made at most one card.
      for (const id of ledger.cards.get(uid)!) if (!unknownRemoves.has(id)) expect(ids.has(id), `card ${id} of ${uid}`).toBe(true)
      expect(active.length, `cards of ${uid}`).toBeLessThanOrEqual(ledger.cards.get(uid)!.size + unknownAdds)
    }
    // A customer with cards has exactly one default.
    if (active.length > 0) expect(active.filter((m) => Number(m.is_default) === 1).length, `defaults of ${uid}`).toBe(1)
    // One live subscription, the customer's own.
    const [live] = await sql<{ n: number }>(`SELECT COUNT(*) AS n FROM subscriptions WHERE customer_id = ? AND status != 'canceled'`, [row.id])
    expect(Number(live.n)).toBe(1)
  }

  // Every stored key hash is the hash of a secret some roll returned (the last one to commit), or the original.
  for (const [keyId, secrets] of ledger.secrets) {
    const [{ hash }] = await sql<{ hash: string }>(`SELECT hash FROM api_keys WHERE id = ?`, [keyId])
    const matching = secrets.filter((s) => createHash('sha256').update(s).digest('hex') === hash)
    if (ledger.unknown.rolls.has(keyId)) expect(matching.length).toBeLessThanOrEqual(1)
    else expect(matching.length, `rolled secrets of ${keyId} that are live`).toBe(1)
  }
}

export async function countInvoices(sql: AuditSql): Promise<number> {
  return Number((await sql<{ n: number }>(`SELECT COUNT(*) AS n FROM invoices`))[0].n)
}

export function report(name: string, ledger: Ledger, ms: number): void {
  const mutations = [...ledger.statuses].filter(([k]) => !k.startsWith('GET')).reduce((n, [, v]) => n + v, 0)
  console.log(
    `load (${name}): ${ledger.requests} requests from ${CLIENTS} clients (${mutations} mutations, ${ledger.replays} idempotent retries) in ${(ms / 1000).toFixed(1)} s; ` +
      `statuses ${JSON.stringify(Object.fromEntries([...ledger.statuses].sort()))}`,
  )
}

const here = dirname(fileURLToPath(import.meta.url))

export interface ServerProcess extends Served {
  /** `kill -9`: no cleanup, no answer to what it was running. */
  kill(): void
  child: ChildProcessWithoutNullStreams
}

/**
 * A server process (fixtures/server-process.ts) on `store`: a SQLite file or a postgres:// URL.
 * `args` after the store's: `['guard', flushEvents]` serves the API-key guard instead of the
 * Portal API. Errors it meets (its stderr lines) land in `errors`.
 */
export async function startProcess(store: string, errors: string[], args: string[] = []): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'portal-process-'))
  const outfile = join(dir, 'server.mjs')
  await build({ entryPoints: [join(here, 'fixtures/server-process.ts')], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['better-sqlite3', 'pg'], logLevel: 'error' })
  // The bundle loads its driver with require(); NODE_PATH points it at this package's.
  const child = spawn(process.execPath, [outfile, store, TEST_APP_ID, TEST_SECRET, ...args], {
    env: { ...process.env, NODE_PATH: resolve(here, '../../node_modules') },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  createInterface({ input: child.stderr }).on('line', (line) => errors.push(line))
  const port = await new Promise<number>((ready, fail) => {
    child.once('exit', (code) => fail(new Error(`the server process exited (${code}): ${errors.join('\n')}`)))
    createInterface({ input: child.stdout }).once('line', (line) => ready((JSON.parse(line) as { port: number }).port))
  })
  let killed = false
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    kill() {
      killed = true
      child.kill('SIGKILL')
    },
    async close() {
      if (!killed && child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done))
        child.stdin.end()
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
