// `npm run bench`: builds (via the npm script), then measures the Portal API against a
// bare node:http server and prints a table. Not a test: figures vary by machine.
//   BENCH_SECONDS=10 BENCH_CONNECTIONS=10
import { cpus, loadavg } from 'node:os'
import { benchServer } from './server.mjs'

const durationSeconds = Number(process.env.BENCH_SECONDS ?? 10)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10)

console.log(
  `GET /api/portal/session (cus_active) vs bare node:http: ${durationSeconds} s each in 5 interleaved rounds, ${connections} connections, Node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}`,
)
const { portal, bare, ratio } = await benchServer({ durationSeconds, connections })

const rows = [
  ['target', 'req/s', 'p50 ms', 'p99 ms', 'body bytes', 'requests'],
  ['Portal API GET /session', portal.requestsPerSecond.toFixed(0), String(portal.p50), String(portal.p99), String(portal.bytes), String(portal.total)],
  ['bare node:http, same size', bare.requestsPerSecond.toFixed(0), String(bare.p50), String(bare.p99), String(bare.bytes), String(bare.total)],
]
const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)))
const line = (row) => `| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`
console.log(line(rows[0]))
console.log(`|${widths.map((w, column) => (column === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`)
for (const row of rows.slice(1)) console.log(line(row))
console.log(`Portal API throughput is ${(ratio * 100).toFixed(1)} % of the bare server's (req/s over all rounds; p50 and p99 of the median round).`)
