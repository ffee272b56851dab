// GET /usage over a period of 1,000,000 events (issue 18): the Portal API handler in
// process, on one SQLite file, for the day and the hour chart. The baseline is what the
// rollup saves: the same period summed from the events through their index.
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const DAY = 86_400
const SECRET = 'bench-usage-secret-0123456789abcdef0123456789'

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]

export async function usageLatency({ openSqliteBilling, createPortalHandler, createPortalToken }, { events = 1_000_000, batch = 10_000, samples = 200 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'usage-bench-'))
  const filename = join(dir, 'usage.sqlite')
  // 29 days into a 30-day period; the events spread over it.
  const start = Math.floor(Date.UTC(2025, 10, 1, 9, 30) / 1000)
  let clock = start
  const billing = openSqliteBilling({ filename, now: () => clock })
  try {
    const appId = 'app_usage'
    const scope = { appId, customUid: 'heavy' }
    await billing.createApp({ id: appId, name: 'Usage', metrics: [{ key: 'api_calls', name: 'API calls', unit: 'calls' }] })
    await billing.createPlan(appId, { id: 'pro', name: 'Pro', quotas: { api_calls: { limit: 800_000, overage: { amount: 50, per: 1_000 } } }, prices: [{ id: 'p_pro', period: 'month', amount: 0, currency: 'usd' }] })
    await billing.createCustomer(appId, { customUid: 'heavy' })
    await billing.subscribe(scope, 'p_pro')
    clock = start + 29 * DAY
    const span = clock - start
    for (let offset = 0; offset < events; offset += batch) {
      const n = Math.min(batch, events - offset)
      await billing.trackMany(appId, Array.from({ length: n }, (_, i) => ({ customUid: 'heavy', metric: 'api_calls', amount: 1, at: start + Math.floor(((offset + i) * span) / events) })))
    }
    const handler = createPortalHandler({ appId, secret: SECRET, billing, now: () => clock })
    const { token } = await createPortalToken({ appId, secret: SECRET, customUid: 'heavy', now: () => clock })
    const time = async (granularity) => {
      const url = `http://bench.test/api/portal/usage?metric=api_calls&granularity=${granularity}`
      const ms = []
      let body
      for (let i = 0; i < samples + 10; i++) {
        const t = performance.now()
        const res = await handler(new Request(url, { headers: { authorization: `Bearer ${token}` } }))
        body = await res.json()
        if (i >= 10) ms.push(performance.now() - t)
        if (res.status !== 200) throw new Error(`GET /usage answered ${res.status}: ${JSON.stringify(body)}`)
      }
      if (body.total !== events) throw new Error(`GET /usage counted ${body.total} of ${events} events`)
      ms.sort((a, b) => a - b)
      return { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99), buckets: body.buckets.length }
    }
    const day = await time('day')
    const hour = await time('hour')
    // Baseline: the period's sum from the events themselves, through usage_records_customer.
    const raw = new Database(filename, { readonly: true })
    const sum = raw.prepare('select sum(quantity) as n from usage_records where customer_id = (select id from customers where custom_uid = ?) and metric = ? and recorded_at >= ? and recorded_at < ?')
    const scans = []
    for (let i = 0; i < 5; i++) {
      const t = performance.now()
      sum.get('heavy', 'api_calls', start, start + 30 * DAY)
      scans.push(performance.now() - t)
    }
    raw.close()
    scans.sort((a, b) => a - b)
    return { events, day, hour, scanMs: scans[2] }
  } finally {
    await billing.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The bench table's row (bench/run.mjs). */
export async function usageRows({ log }) {
  const pkg = await import('../dist/server.js')
  log('usage: GET /usage over a period of 1,000,000 events (SQLite)')
  const r = await usageLatency(pkg)
  const ms = (n) => `${n.toFixed(2)} ms`
  return [
    {
      measure: `usage: GET /usage, a period of ${r.events.toLocaleString('en')} events, in process (SQLite)`,
      figure: `day (${r.day.buckets} buckets): p50 ${ms(r.day.p50)}, p99 ${ms(r.day.p99)}; hour (${r.hour.buckets}): p50 ${ms(r.hour.p50)}, p99 ${ms(r.hour.p99)}`,
      baseline: `summing the events through their index: ${ms(r.scanMs)} per query`,
      goal: 'p50 ≤ 20 ms',
      status: Math.max(r.day.p50, r.hour.p50) <= 20 ? 'pass' : 'over',
    },
  ]
}
