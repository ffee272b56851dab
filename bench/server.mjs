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

async function measure(target, durationSeconds, connections) {
  const result = await autocannon({ url: target.url, headers: target.headers, connections, duration: durationSeconds })
  const ok = result['2xx']
  if (ok === 0 || result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${target.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
  }
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    bytes: target.bytes,
    total: ok,
  }
}

/** Runs both targets one after the other for `durationSeconds` each. */
export async function benchServer({ durationSeconds = 10, connections = 10 } = {}) {
  const portal = await spawnTarget('portal')
  let bare
  try {
    const sample = await fetch(portal.url, { headers: portal.headers })
    if (!sample.ok) throw new Error(`GET /session answered ${sample.status}`)
    portal.bytes = Buffer.byteLength(await sample.text())
    // Warm-up: JIT, prepared statements, page cache.
    await autocannon({ url: portal.url, headers: portal.headers, connections, duration: 2 })
    const portalResult = await measure(portal, durationSeconds, connections)
    await stopTarget(portal)

    bare = await spawnTarget('bare', { BENCH_BODY_BYTES: String(portal.bytes) })
    bare.bytes = Buffer.byteLength(await (await fetch(bare.url)).text())
    await autocannon({ url: bare.url, connections, duration: 2 })
    const bareResult = await measure(bare, durationSeconds, connections)
    return { portal: portalResult, bare: bareResult, ratio: portalResult.requestsPerSecond / bareResult.requestsPerSecond, connections, durationSeconds }
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
