// Metering on the request path (docs/metering.md): what the API-key guard adds to a
// request, how fast trackMany takes events into SQLite, and whether the usage the portal
// shows equals the requests answered 2xx when two guard instances share one file.
//
//   node bench/metering.mjs guarded|bare   child mode: one node:http target (see startTarget)
//
// `exactness` is also run, smaller, by test/hardening/metering.test.ts: it takes the
// package's functions as an argument so the test runs it on src/ and the bench on dist/.
import autocannon from 'autocannon'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serveChild, spawnChild, stopChild } from './child.mjs'

const BODY = JSON.stringify({ echo: 'hello' })
const DEMO = { appId: 'app_demo', customUid: 'cus_active' }

/** Child mode: a node:http endpoint answering BODY, behind the guard or bare. */
async function startTarget(kind) {
  const reply = (res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(BODY) })
    res.end(BODY)
  }
  if (kind === 'bare') return { server: createServer((req, res) => reply(res)), headers: {} }
  const { createApiKeyGuard, openSqliteBilling } = await import('../dist/server.js')
  const dir = mkdtempSync(join(tmpdir(), 'metering-bench-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  const billing = openSqliteBilling({ filename: join(dir, 'bench.sqlite'), seed: 'demo' })
  // cus_active is on Pro, whose overage is priced: every request is allowed, counted and flushed.
  const key = await billing.createApiKey(DEMO, 'bench')
  const guard = createApiKeyGuard({ billing, metric: 'api_calls' }).node()
  return { server: createServer((req, res) => guard(req, res, () => reply(res))), headers: { authorization: `Bearer ${key.secret}` } }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

async function round(target, seconds, connections) {
  const result = await autocannon({ url: `${target.origin}/v1/echo`, headers: target.headers, connections, duration: seconds })
  if (result['2xx'] === 0 || result.non2xx > 0 || result.errors > 0) throw new Error(`${target.origin}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
  return result
}

/** Guarded vs bare node:http, interleaved rounds (as bench/server.mjs does for the Portal API). */
export async function guardOverhead({ durationSeconds = 10, connections = 10, rounds = 5 } = {}) {
  const script = fileURLToPath(import.meta.url)
  const guarded = await spawnChild(script, ['guarded'])
  const bare = await spawnChild(script, ['bare'])
  try {
    const seconds = Math.max(1, Math.round(durationSeconds / rounds))
    await round(guarded, 2, connections)
    await round(bare, 2, connections)
    const results = { guarded: [], bare: [] }
    for (let i = 0; i < rounds; i++) {
      for (const name of i % 2 === 0 ? ['guarded', 'bare'] : ['bare', 'guarded']) results[name].push(await round(name === 'guarded' ? guarded : bare, seconds, connections))
    }
    const summary = (list) => ({
      requestsPerSecond: list.reduce((n, r) => n + r['2xx'], 0) / (list.length * seconds),
      p50: median(list.map((r) => r.latency.p50)),
      mean: median(list.map((r) => r.latency.mean)),
    })
    const g = summary(results.guarded)
    const b = summary(results.bare)
    return { guarded: g, bare: b, ratio: g.requestsPerSecond / b.requestsPerSecond, addedMeanMicros: (g.mean - b.mean) * 1000 }
  } finally {
    await stopChild(guarded)
    await stopChild(bare)
  }
}

/** The guard's own cost per allowed request, in process (no sockets): p50 of `samples` checks, µs. */
export async function guardHotPath({ openSqliteBilling, createApiKeyGuard }, samples = 100_000) {
  const dir = mkdtempSync(join(tmpdir(), 'metering-hot-'))
  const billing = openSqliteBilling({ filename: join(dir, 'hot.sqlite'), seed: 'demo' })
  const key = await billing.createApiKey(DEMO, 'hot')
  const guard = createApiKeyGuard({ billing, metric: 'api_calls' })
  const request = new Request('http://api.test/v1/echo', { headers: { authorization: `Bearer ${key.secret}` } })
  try {
    for (let i = 0; i < 5_000; i++) await guard.check(request)
    const times = new Float64Array(samples)
    for (let i = 0; i < samples; i++) {
      const start = process.hrtime.bigint()
      const verdict = await guard.check(request)
      times[i] = Number(process.hrtime.bigint() - start) / 1000
      if (!verdict.ok) throw new Error('the hot path refused a request')
    }
    times.sort()
    return { p50: times[Math.floor(samples / 2)], p99: times[Math.floor(samples * 0.99)] }
  } finally {
    await guard.close()
    await billing.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** An app with three customers (a hard 30,000-call plan, an overage plan, an unlimited one) and five keys. */
async function meteredApp(billing, { hardLimit }) {
  const appId = 'app_bench'
  await billing.createApp({ id: appId, name: 'Bench', metrics: [{ key: 'api_calls', name: 'API calls', unit: 'calls' }] })
  await billing.createPlan(appId, { id: 'hard', name: 'Hard', quotas: { api_calls: hardLimit }, prices: [{ id: 'p_hard', period: 'month', amount: 0, currency: 'usd' }] })
  await billing.createPlan(appId, { id: 'over', name: 'Overage', quotas: { api_calls: { limit: 10, overage: { amount: 1, per: 1 } } }, prices: [{ id: 'p_over', period: 'month', amount: 0, currency: 'usd' }] })
  await billing.createPlan(appId, { id: 'open', name: 'Unlimited', quotas: { api_calls: null }, prices: [{ id: 'p_open', period: 'month', amount: 0, currency: 'usd' }] })
  const keys = []
  for (const [uid, price, count] of [['hard', 'p_hard', 2], ['over', 'p_over', 2], ['open', 'p_open', 1]]) {
    await billing.createCustomer(appId, { customUid: uid })
    await billing.subscribe({ appId, customUid: uid }, price)
    for (let i = 0; i < count; i++) keys.push({ uid, secret: (await billing.createApiKey({ appId, customUid: uid }, `key ${i}`)).secret })
  }
  return { appId, keys }
}

/**
 * Exactness under load: `clients` concurrent clients each send `requests` guarded requests,
 * spread over 5 keys of 3 customers and over 2 guard instances, each on its own engine
 * over one SQLite file. After close(): per customer, usage == 2xx answers, and the hard
 * customer's usage is at most its limit plus the stated bound (instances × flushEvents).
 */
export async function exactness(pkg, { clients = 50, requests = 2_000, hardLimit = 30_000, flushEvents = 1_000 } = {}) {
  const { openSqliteBilling, createApiKeyGuard } = pkg
  const dir = mkdtempSync(join(tmpdir(), 'metering-exact-'))
  const filename = join(dir, 'exact.sqlite')
  const engines = [openSqliteBilling({ filename }), openSqliteBilling({ filename })]
  try {
    const { appId, keys } = await meteredApp(engines[0], { hardLimit })
    const guards = engines.map((billing) => createApiKeyGuard({ billing, metric: 'api_calls', flushEvents, onError: (e) => console.error(e) }))
    const ok = { hard: 0, over: 0, open: 0 }
    let refused = 0
    const started = performance.now()
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        for (let i = 0; i < requests; i++) {
          const key = keys[(client + i) % keys.length]
          const verdict = await guards[(client + i) % 2].check(new Request('http://api.test/v1/echo', { headers: { authorization: `Bearer ${key.secret}` } }))
          if (verdict.ok) ok[key.uid]++
          else if (verdict.response.status === 429) refused++
          else throw new Error(`unexpected ${verdict.response.status}`)
        }
      }),
    )
    const seconds = (performance.now() - started) / 1000
    await Promise.all(guards.map((g) => g.close()))
    const used = {}
    for (const uid of Object.keys(ok)) used[uid] = (await engines[0].getSession({ appId, customUid: uid })).usage[0].used
    const bound = guards.length * flushEvents
    return { ok, used, refused, hardLimit, bound, overshoot: Math.max(0, used.hard - hardLimit), total: clients * requests, seconds }
  } finally {
    for (const e of engines) await e.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** trackMany into one SQLite file, batches of `batch` events with ids: events per second. */
export async function ingestion({ openSqliteBilling }, { events = 200_000, batch = 1_000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'metering-ingest-'))
  const billing = openSqliteBilling({ filename: join(dir, 'ingest.sqlite') })
  try {
    const appId = 'app_ingest'
    await billing.createApp({ id: appId, name: 'Ingest', metrics: [{ key: 'api_calls', name: 'API calls', unit: 'calls' }] })
    await billing.createPlan(appId, { id: 'open', name: 'Unlimited', quotas: { api_calls: null }, prices: [{ id: 'p_open', period: 'month', amount: 0, currency: 'usd' }] })
    const uids = Array.from({ length: 100 }, (_, i) => `c${i}`)
    for (const uid of uids) {
      await billing.createCustomer(appId, { customUid: uid })
      await billing.subscribe({ appId, customUid: uid }, 'p_open')
    }
    const make = (n, offset) => Array.from({ length: n }, (_, i) => ({ customUid: uids[(offset + i) % uids.length], metric: 'api_calls', amount: 1, id: `e${offset + i}` }))
    await billing.trackMany(appId, make(batch, events)) // warm-up (ids past the measured ones): statements prepared, pages cached
    const started = performance.now()
    let accepted = 0
    for (let offset = 0; offset < events; offset += batch) accepted += (await billing.trackMany(appId, make(batch, offset))).accepted
    const seconds = (performance.now() - started) / 1000
    if (accepted !== events) throw new Error(`trackMany accepted ${accepted} of ${events}`)
    return { eventsPerSecond: events / seconds, events, batch }
  } finally {
    await billing.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The bench table's rows (bench/run.mjs). */
export async function meteringRows({ durationSeconds, connections, log }) {
  const pkg = await import('../dist/server.js')
  const rows = []
  log('metering: guard overhead (autocannon, guarded vs bare node:http)')
  const over = await guardOverhead({ durationSeconds, connections })
  const hot = await guardHotPath(pkg)
  const rps = (n) => `${Math.round(n).toLocaleString('en')} req/s`
  rows.push({
    measure: 'metering: guard on node:http, throughput',
    figure: `${rps(over.guarded.requestsPerSecond)} (${(over.ratio * 100).toFixed(1)} % of bare), p50 ${over.guarded.p50} ms`,
    baseline: `bare node:http: ${rps(over.bare.requestsPerSecond)}, p50 ${over.bare.p50} ms`,
    goal: '≥ 70 % of bare',
    status: over.ratio >= 0.7 ? 'pass' : 'over',
  })
  rows.push({
    measure: 'metering: guard, time added per request',
    figure: `p50 ${hot.p50.toFixed(1)} µs per check in process (p99 ${hot.p99.toFixed(1)} µs); mean over loopback +${over.addedMeanMicros.toFixed(0)} µs`,
    goal: 'p50 ≤ 25 µs',
    status: hot.p50 <= 25 ? 'pass' : 'over',
    note: 'autocannon reports whole-ms percentiles, so the p50 is timed in process; the loopback figure is the difference of mean latencies',
  })
  log('metering: trackMany ingestion')
  const ing = await ingestion(pkg)
  rows.push({
    measure: `metering: trackMany into one SQLite file, batches of ${ing.batch.toLocaleString('en')}`,
    figure: `${Math.round(ing.eventsPerSecond).toLocaleString('en')} events/s (${ing.events.toLocaleString('en')} events)`,
    goal: '≥ 100,000 events/s',
    status: ing.eventsPerSecond >= 100_000 ? 'pass' : 'over',
  })
  log('metering: exactness under load (50 clients × 2,000 requests, 2 guards, 1 file)')
  const ex = await exactness(pkg)
  const exact = Object.keys(ex.ok).every((uid) => ex.ok[uid] === ex.used[uid])
  rows.push({
    measure: 'metering: exactness, 50 clients × 2,000 requests, 5 keys / 3 customers, 2 guards on 1 file',
    figure: `usage == 2xx for every customer: ${exact ? 'yes' : 'NO'} (${JSON.stringify(ex.used)}); hard limit ${ex.hardLimit.toLocaleString('en')}, overshoot ${ex.overshoot} (bound ${ex.bound}); ${Math.round(ex.total / ex.seconds).toLocaleString('en')} checks/s`,
    goal: 'exact; overshoot ≤ bound',
    status: exact && ex.overshoot <= ex.bound ? 'pass' : 'FAIL',
    budget: true,
  })
  return rows
}

if (process.argv[1] === fileURLToPath(import.meta.url) && (process.argv[2] === 'guarded' || process.argv[2] === 'bare')) {
  const { server, headers } = await startTarget(process.argv[2])
  serveChild(server, { headers })
}
