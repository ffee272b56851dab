// `npm run bench`: builds (via the npm script), then measures size, time to data, steady
// state and server throughput, and prints ONE table: each figure with its baseline, its
// goal and whether it is met. Exits 1 when a budget is missed (see bench/README.md).
//
//   BENCH_ONLY=size,browser,server,metering,usage,postgres   sections to run (default all)
//   DATABASE_URL=postgres://…        postgres: measure on that server (default: an embedded one)
//   BENCH_RUNS=30                    time-to-data runs per measure
//   BENCH_CYCLES=1000                steady-state mount/destroy cycles
//   BENCH_SECONDS=10                 server: seconds per target per route (in 5 rounds)
//   BENCH_CONNECTIONS=10             server: autocannon connections
//   node bench/run.mjs --markdown docs/benchmarks.md   also writes the table and the machine there
import { writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { resolve } from 'node:path'
import { browserRows } from './browser.mjs'
import { root } from './bundle.mjs'
import { meteringRows } from './metering.mjs'
import { benchPostgres, benchServer } from './server.mjs'
import { sizeRows } from './size.mjs'
import { usageRows } from './usage.mjs'
import { failed, renderTable } from './table.mjs'

const only = new Set((process.env.BENCH_ONLY ?? 'size,browser,server,metering,usage,postgres').split(',').map((s) => s.trim()))
const runs = Number(process.env.BENCH_RUNS ?? 30)
const cycles = Number(process.env.BENCH_CYCLES ?? 1000)
const durationSeconds = Number(process.env.BENCH_SECONDS ?? 10)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10)
const markdownAt = process.argv.indexOf('--markdown')
const markdownFile = markdownAt > 0 ? process.argv[markdownAt + 1] : undefined
for (const [name, value] of Object.entries({ BENCH_RUNS: runs, BENCH_CYCLES: cycles, BENCH_SECONDS: durationSeconds, BENCH_CONNECTIONS: connections })) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number from 1, got ${JSON.stringify(process.env[name])}`)
}
if (markdownAt > 0 && !markdownFile) throw new Error('--markdown needs a file name')

/** A portal answers a few requests per page view: 1,000 a second on one core is a lot of customers. */
const SERVER_GOAL = { rps: 1000, p99: 50 }

const started = Date.now()
const loadBefore = loadavg()[0]
const log = (line) => console.error(line)
const rows = []
let chromium = 'not run'

/** A section that throws still leaves a row (a budget, so the run fails) and lets the others run. */
async function section(name, measure) {
  if (!only.has(name)) return
  try {
    await measure()
  } catch (error) {
    console.error(error)
    rows.push({ measure: `${name}: could not be measured`, figure: '—', goal: 'budget', status: 'skip', budget: true, note: String(error.message ?? error).split('\n')[0] })
  }
}

await section('size', async () => {
  log('size: bundling entries and pages (esbuild, gzip 9, brotli 11)')
  rows.push(...(await sizeRows()))
})
await section('browser', async () => {
  log(`browser: time to data (${runs} runs) and steady state (${cycles} cycles) in Chromium`)
  const result = await browserRows({ runs, cycles, log })
  rows.push(...result.rows)
  chromium = result.chromium
})
await section('server', async () => {
  log(`server: autocannon, ${durationSeconds} s per target per route in 5 interleaved rounds, ${connections} connections`)
  const { routes } = await benchServer({ durationSeconds, connections })
  for (const { route, portal, bare, ratio } of routes) {
    const perf = (r) => `${Math.round(r.requestsPerSecond).toLocaleString('en')} req/s · p50 ${r.p50} ms · p99 ${r.p99} ms`
    rows.push({
      measure: `server: ${route.name} (${route.customer}), ${portal.bytes} B`,
      figure: `${perf(portal)} (${(ratio * 100).toFixed(1)} % of bare)`,
      baseline: `bare node:http, same size: ${perf(bare)}`,
      goal: `≥ ${SERVER_GOAL.rps.toLocaleString('en')} req/s, p99 ≤ ${SERVER_GOAL.p99} ms`,
      status: portal.requestsPerSecond >= SERVER_GOAL.rps && portal.p99 <= SERVER_GOAL.p99 ? 'pass' : 'over',
    })
  }
})

await section('metering', async () => {
  rows.push(...(await meteringRows({ durationSeconds, connections, log })))
})
await section('usage', async () => {
  rows.push(...(await usageRows({ log })))
})

await section('postgres', async () => {
  log(`postgres: GET /session on PostgreSQL (1 and 2 processes) beside SQLite and bare node:http, ${durationSeconds} s each in 5 interleaved rounds`)
  const r = await benchPostgres({ durationSeconds, connections })
  const perf = (x) => `${Math.round(x.requestsPerSecond).toLocaleString('en')} req/s · p50 ${x.p50} ms · p99 ${x.p99} ms`
  const same = `same run: SQLite ${perf(r.sqlite)}; bare node:http ${perf(r.bare)}`
  const goal = `≥ ${SERVER_GOAL.rps.toLocaleString('en')} req/s, p99 ≤ ${SERVER_GOAL.p99} ms`
  const status = (x) => (x.requestsPerSecond >= SERVER_GOAL.rps && x.p99 <= SERVER_GOAL.p99 ? 'pass' : 'over')
  rows.push({ measure: `server on PostgreSQL: ${r.route.name}, 1 process`, figure: `${perf(r.postgres1)} (${((r.postgres1.requestsPerSecond / r.sqlite.requestsPerSecond) * 100).toFixed(0)} % of SQLite)`, baseline: same, goal, status: status(r.postgres1) })
  rows.push({ measure: `server on PostgreSQL: ${r.route.name}, 2 processes`, figure: `${perf(r.postgres2)} (× ${(r.postgres2.requestsPerSecond / r.postgres1.requestsPerSecond).toFixed(2)} of 1 process)`, baseline: 'the 1-process row above', goal, status: status(r.postgres2) })
})

const seconds = (Date.now() - started) / 1000
const machine = [
  `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GB`,
  `Node ${process.version}`,
  `Chromium ${chromium}`,
  `load average ${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`,
  `bench took ${seconds.toFixed(0)} s`,
].join(' · ')
const table = renderTable(rows)
const failures = rows.filter(failed)
const summary = failures.length
  ? `${failures.length} budget(s) missed: ${failures.map((r) => r.measure).join('; ')}`
  : `every budget met; ${rows.filter((r) => r.status === 'over').length} goal(s) missed, ${rows.filter((r) => r.status === 'pass').length} met`

console.log(`\n${table}\n\n${machine}\n${summary}`)

if (markdownFile) {
  const date = new Date().toISOString().slice(0, 10)
  const text = `## Benchmarks

\`npm run bench\` on ${date}: ${machine}.
Sizes: the core and adapters built as their budget tests build them, the pages bundled from
the built dist/. Times are medians on loopback, so they are floors for a real network. See [bench/README.md](https://github.com/archetypeapi/portals/blob/main/bench/README.md) for what each figure means and how it is taken.

${table}

${summary}.
`
  writeFileSync(resolve(root, markdownFile), text)
  log(`wrote ${markdownFile}`)
}
process.exitCode = failures.length ? 1 : 0
