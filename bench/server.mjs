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
  if (kind === 'portal') {
    const { createPortalHandler, createPortalToken, openSqliteBilling, toNodeListener } = await import('../dist/server.js')
    const dir = mkdtempSync(join(tmpdir(), 'portal-bench-'))
    const billing = openSqliteBilling({ filename: join(dir, 'bench.sqlite'), seed: 'demo' })
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
  const url = target.origin + path
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

if (process.argv[1] === fileURLToPath(import.meta.url) && (process.argv[2] === 'portal' || process.argv[2] === 'bare')) {
  const { server, headers } = await startTarget(process.argv[2])
  serveChild(server, { headers })
}
