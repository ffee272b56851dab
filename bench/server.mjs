// Portal API throughput on loopback: `GET /api/portal/session` for a seeded customer,
// beside a bare `node:http` server answering a fixed JSON body of the same byte size,
// measured with autocannon in the same run. The ratio is what the handler, the token
// check and the SQLite engine cost over Node's floor.
//
// Each target runs in its own child process (`node bench/server.mjs portal|bare`), so
// with 2 cores autocannon and the server each get one.
import autocannon from 'autocannon'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const APP_ID = 'app_demo'
const SECRET = 'archetype-portals-bench-secret-0123456789abcdef'
const CUSTOMER = 'cus_active'

/** Child mode: start one target on a free loopback port and print `{ url, headers }` as one JSON line. */
async function startTarget(kind) {
  if (kind === 'portal') {
    const { createPortalHandler, createPortalToken, openSqliteBilling, toNodeListener } = await import('../dist/server.js')
    const dir = mkdtempSync(join(tmpdir(), 'portal-bench-'))
    const billing = openSqliteBilling({ filename: join(dir, 'bench.sqlite'), seed: 'demo' })
    const handler = createPortalHandler({ appId: APP_ID, secret: SECRET, billing })
    const { token } = await createPortalToken({ appId: APP_ID, secret: SECRET, customUid: CUSTOMER, ttlSeconds: 3600 })
    const server = createServer(toNodeListener(handler))
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
    return { server, path: '/api/portal/session', headers: { authorization: `Bearer ${token}` } }
  }
  const bytes = Number(process.env.BENCH_BODY_BYTES)
  // The same byte count as the portal's answer, so both move the same payload.
  const body = JSON.stringify({ pad: 'x'.repeat(Math.max(0, bytes - 10)) })
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  })
  return { server, path: '/api/portal/session', headers: {} }
}

function spawnTarget(kind, env = {}) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), kind], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    let buffered = ''
    child.stdout.on('data', (chunk) => {
      buffered += chunk
      const line = buffered.split('\n')[0]
      if (buffered.includes('\n')) resolve({ child, ...JSON.parse(line) })
    })
    child.on('exit', (code) => reject(new Error(`bench target "${kind}" exited with ${code}`)))
  })
}

function stopTarget(target) {
  return new Promise((resolve) => {
    target.child.once('exit', resolve)
    target.child.kill('SIGTERM')
  })
}

async function round(target, seconds, connections) {
  const result = await autocannon({ url: target.url, headers: target.headers, connections, duration: seconds })
  if (result['2xx'] === 0 || result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${target.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
  }
  return result
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

function summarise(target, results, seconds) {
  const total = results.reduce((sum, r) => sum + r['2xx'], 0)
  return {
    requestsPerSecond: total / (results.length * seconds),
    // Percentiles cannot be merged across rounds; the median round's is the fair figure.
    p50: median(results.map((r) => r.latency.p50)),
    p99: median(results.map((r) => r.latency.p99)),
    bytes: target.bytes,
    total,
  }
}

/**
 * Runs both targets for `durationSeconds` each, interleaved in `rounds` short rounds
 * (portal, bare, bare, portal, ...), so that load from elsewhere on the machine falls on
 * both alike instead of on whichever ran second.
 */
export async function benchServer({ durationSeconds = 10, connections = 10, rounds = 5 } = {}) {
  const portal = await spawnTarget('portal')
  let bare
  try {
    const sample = await fetch(portal.url, { headers: portal.headers })
    if (!sample.ok) throw new Error(`GET /session answered ${sample.status}`)
    portal.bytes = Buffer.byteLength(await sample.text())
    bare = await spawnTarget('bare', { BENCH_BODY_BYTES: String(portal.bytes) })
    bare.bytes = Buffer.byteLength(await (await fetch(bare.url)).text())

    // Warm-up: JIT, prepared statements, page cache.
    await round(portal, 2, connections)
    await round(bare, 2, connections)
    const seconds = Math.max(1, Math.round(durationSeconds / rounds))
    const results = { portal: [], bare: [] }
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? ['portal', 'bare'] : ['bare', 'portal']
      for (const name of order) results[name].push(await round(name === 'portal' ? portal : bare, seconds, connections))
    }
    const portalResult = summarise(portal, results.portal, seconds)
    const bareResult = summarise(bare, results.bare, seconds)
    return { portal: portalResult, bare: bareResult, ratio: portalResult.requestsPerSecond / bareResult.requestsPerSecond, connections, durationSeconds: seconds * rounds }
  } finally {
    if (portal.child.exitCode === null) await stopTarget(portal)
    if (bare && bare.child.exitCode === null) await stopTarget(bare)
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && (process.argv[2] === 'portal' || process.argv[2] === 'bare')) {
  const { server, path, headers } = await startTarget(process.argv[2])
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}${path}`, headers })}\n`)
  })
  process.on('SIGTERM', () => {
    server.closeAllConnections()
    server.close(() => process.exit(0))
  })
}
