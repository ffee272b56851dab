/**
 * What only the PostgreSQL engine has to prove (the contract and engine suites already run
 * on it, in sqlite.test.ts): opening (the `pg` peer dependency, options, instances starting
 * together), its types, and many instances on one database: row locks, renewal, and the
 * Idempotency-Key and rate-limit state their handlers share by default.
 */
import { build } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { openPostgresBilling, type PostgresBilling } from '../../src/server/billing/postgres.js'
import { migrations } from '../../src/server/billing/engine/migrations.js'
import type { CustomerScope } from '../../src/server/billing/types.js'
import { createPortalHandler } from '../../src/server/handler.js'
import { createPortalToken } from '../../src/server/token.js'
import { postgres, type OpenedEngine } from '../helpers/engines.js'
import { TEST_APP_ID, TEST_SECRET } from '../helpers/portal.js'

const T0 = Date.UTC(2025, 10, 20, 12) / 1000
const demo = (uid: string): CustomerScope => ({ appId: 'app_demo', customUid: uid })

let opened: OpenedEngine | undefined
afterEach(async () => {
  await opened?.close()
  opened = undefined
})
const root = mkdtempSync(join(tmpdir(), 'ap-pg-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('opening', () => {
  it('loads pg only when an engine is opened, and says how to install it when missing', async () => {
    const bundle = join(root, 'postgres.mjs')
    await build({ entryPoints: [join(import.meta.dirname, '../../src/server/billing/postgres.ts')], bundle: true, format: 'esm', platform: 'node', external: ['pg'], outfile: bundle, logLevel: 'silent' })
    const script = `
      const Module = require('node:module')
      const load = Module._load
      Module._load = function (request, ...rest) {
        if (request === 'pg') throw Object.assign(new Error('not installed'), { code: 'MODULE_NOT_FOUND' })
        return load.call(this, request, ...rest)
      }
      import(${JSON.stringify(pathToFileURL(bundle).href)}).then((m) =>
        m.openPostgresBilling({ connectionString: 'postgres://127.0.0.1:1/none' }).then(() => console.log('opened'), (e) => console.log('error: ' + e.message)))`
    const out = execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' })
    expect(out.trim()).toBe('error: openPostgresBilling() needs the optional peer dependency pg: npm install pg')
  })

  it('refuses bad options naming the option', async () => {
    await expect(openPostgresBilling({} as never)).rejects.toThrow(/connectionString.*pool/)
    await expect(openPostgresBilling({ connectionString: 'postgres://x/y', pool: new pg.Pool() } as never)).rejects.toThrow(/not both/)
    await expect(openPostgresBilling({ connectionString: 'postgres://x/y', max: 0 })).rejects.toThrow(/max/)
    await expect(openPostgresBilling({ connectionString: 'postgres://x/y', seed: 'prod' as 'demo' })).rejects.toThrow(/seed/)
  })

  it('migrates and seeds once when several instances start together', async () => {
    opened = await postgres.open({ migrateTo: 0 } as never)
    const { connectionString } = opened.location as { connectionString: string }
    const engines = await Promise.all(Array.from({ length: 5 }, () => openPostgresBilling({ connectionString, seed: 'demo', now: () => T0, max: 2 })))
    try {
      const versions = await opened.sql<{ version: number }>('select version from billing_migrations order by version')
      expect(versions.map((v) => v.version)).toEqual(migrations.map((m) => m.version))
      expect(await opened.sql('select name from billing_seeds')).toEqual([{ name: 'demo' }])
      expect(await opened.sql("select count(*) as n from customers where app_id = 'app_demo'")).toEqual([{ n: 7 }])
      for (const engine of engines) expect((await engine.getSession(demo('cus_active'))).plan?.name).toBe('Pro')
    } finally {
      await Promise.all(engines.map((e) => e.close()))
    }
  })

  it('runs on a pool of yours, reading bigint amounts as numbers without changing pg’s parsers for your queries, and leaves the pool open', async () => {
    opened = await postgres.open({ now: () => T0 })
    const { connectionString } = opened.location as { connectionString: string }
    const pool = new pg.Pool({ connectionString, max: 2 })
    const engine = await openPostgresBilling({ pool, now: () => T0 })
    // Past 2^32: a bigint column the driver would hand back as a string.
    await engine.createApp({ id: 'app_big', name: 'Big', publicKey: 'pk_big' })
    await engine.createPlan('app_big', { id: 'plan_big', name: 'Big', prices: [{ id: 'price_big', period: 'year', amount: 5_000_000_000_123, currency: 'JPY' }] })
    const [plan] = (await engine.listPublicPlans('pk_big')).data
    expect(plan.prices[0].amount).toBe(5_000_000_000_123)
    expect(plan.trial_days).toBe(0)
    expect(plan.featured).toBe(false)
    expect((await pool.query('select amount from prices where id = $1', ['price_big'])).rows[0].amount).toBe('5000000000123')
    await engine.close()
    expect((await pool.query('select 1 as one')).rows).toEqual([{ one: 1 }])
    await pool.end()
  })
})

describe('many instances on one database', () => {
  /** A seeded database and `n` engines on it, each with its own pool, as separate processes would have. */
  async function instances(n: number): Promise<PostgresBilling[]> {
    opened = await postgres.open({ seed: 'demo', now: () => T0 })
    const engines: PostgresBilling[] = [opened.engine as PostgresBilling]
    for (let i = 1; i < n; i++) engines.push((await opened.another({ now: () => T0 })) as PostgresBilling)
    return engines
  }

  it('changes a customer one instance at a time: a first subscription chosen on four instances at once starts once', async () => {
    const engines = await instances(4)
    const uids = Array.from({ length: 6 }, (_, i) => `cus_race_${i}`)
    for (const uid of uids) {
      await engines[0].createCustomer('app_demo', { customUid: uid })
      await engines[0].attachPaymentMethod(demo(uid), 'pm_card_visa')
    }
    const targets = ['price_scale_month', 'price_scale_year', 'price_free_month', 'price_scale_month']
    const results = await Promise.allSettled(uids.flatMap((uid) => engines.map((e, i) => e.changeSubscription(demo(uid), targets[i]))))
    for (const r of results) if (r.status === 'rejected') expect((r.reason as { code?: string }).code).toBe('conflict')
    const live = await opened!.sql<{ custom_uid: string; n: number }>(
      "select c.custom_uid, count(s.id) as n from customers c join subscriptions s on s.customer_id = c.id where c.custom_uid like 'cus_race_%' and s.status != 'canceled' group by c.custom_uid order by c.custom_uid",
    )
    expect(live).toEqual(uids.map((uid) => ({ custom_uid: uid, n: 1 })))
    const seqs = (await opened!.sql<{ seq: number }>("select seq from invoices where app_id = 'app_demo' order by seq")).map((r) => r.seq)
    expect(seqs).toEqual(seqs.map((_, i) => i + 1))
  })

  it('renews each period once when two instances renew at the same moment', async () => {
    const engines = await instances(2)
    const before = (await engines[0].getSession(demo('cus_active'))).subscription!
    const count = async () => (await opened!.sql<{ n: number }>("select count(*) as n from invoices i join customers c on c.id = i.customer_id where c.custom_uid = 'cus_active' and c.app_id = 'app_demo'"))[0].n
    const invoices = await count()
    const results = await Promise.all(engines.map((e) => e.advanceTo(before.current_period_end + 60)))
    expect(results.reduce((n, r) => n + r.renewed, 0)).toBeGreaterThan(0)
    expect(await count()).toBe(invoices + 1)
    expect((await engines[1].getSession(demo('cus_active'))).subscription?.current_period_start).toBe(before.current_period_end)
  })

  it('numbers API keys made on two instances at once without a tie', async () => {
    const engines = await instances(2)
    await Promise.all(Array.from({ length: 10 }, (_, i) => engines[i % 2].createApiKey(demo('cus_free'), `k${i}`)))
    const seqs = (await opened!.sql<{ seq: number }>("select k.seq from api_keys k join customers c on c.id = k.customer_id where c.custom_uid = 'cus_free' and c.app_id = 'app_demo' order by k.seq")).map((r) => r.seq)
    expect(seqs).toEqual(Array.from({ length: 10 }, (_, i) => i + 1))
  })

  it('shares Idempotency-Keys between the handlers of two instances by default: one key sent to both rolls once', async () => {
    const engines = await instances(2)
    const handlers = engines.map((billing) => createPortalHandler({ appId: TEST_APP_ID, secret: TEST_SECRET, billing, onError: () => undefined }))
    const { token } = await createPortalToken({ appId: TEST_APP_ID, secret: TEST_SECRET, customUid: 'cus_active' })
    const [key] = (await engines[0].listApiKeys(demo('cus_active')))!.data
    const roll = (i: number) =>
      handlers[i % 2](new Request(`http://x/api/portal/api-keys/${key.id}/roll`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'one-roll' } }))
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => roll(i)))
    const bodies = await Promise.all(answers.map(async (a) => ({ status: a.status, replayed: a.headers.get('idempotent-replayed'), body: (await a.json()) as { secret?: string; secret_already_shown?: boolean } })))
    expect(bodies.map((b) => b.status)).toEqual(Array(8).fill(200))
    // One answer shows the new secret; the seven replays, wherever they ran, show the key masked.
    const shown = bodies.filter((b) => b.body.secret !== undefined)
    expect(shown).toHaveLength(1)
    expect(bodies.filter((b) => b.replayed === 'true' && b.body.secret_already_shown === true)).toHaveLength(7)
    expect(await engines[1].verifyApiKey(shown[0].body.secret!)).toMatchObject({ customUid: 'cus_active' })
  })

  it('counts a token’s requests across instances: exactly `max` pass, the rest are 429', async () => {
    const engines = await instances(2)
    const handlers = engines.map((billing) => createPortalHandler({ appId: TEST_APP_ID, secret: TEST_SECRET, billing, rateLimit: { windowMs: 60_000, max: 10 } }))
    const { token } = await createPortalToken({ appId: TEST_APP_ID, secret: TEST_SECRET, customUid: 'cus_active' })
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => handlers[i % 2](new Request('http://x/api/portal/session', { headers: { authorization: `Bearer ${token}` } }))))
    expect(answers.filter((a) => a.status === 200)).toHaveLength(10)
    expect(answers.filter((a) => a.status === 429)).toHaveLength(30)
    for (const a of answers.filter((x) => x.status === 429)) expect(Number(a.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
  })

  it('applies one catalogue from four instances starting at once: one writes it, the others find it done', async () => {
    const engines = await instances(4)
    const catalogue = {
      app: { id: 'app_cat', name: 'Cat API', publicKey: 'pk_cat' },
      metrics: [{ key: 'api_calls', name: 'API calls', unit: 'calls' }],
      plans: [{ id: 'plan_cat', name: 'Cat', quotas: { api_calls: 1_000 }, prices: [{ id: 'price_cat_month', period: 'month' as const, amount: 900, currency: 'USD' }] }],
    }
    const diffs = await Promise.all(engines.map((e) => e.applyCatalogue(catalogue)))
    expect(diffs.filter((d) => d.changed)).toHaveLength(1)
    expect((await engines[3].listPublicPlans('pk_cat')).data.map((p) => p.prices[0].amount)).toEqual([900])
    await Promise.all(engines.map((e) => e.upsertCustomer('app_cat', { customUid: 'u1', email: 'u1@example.com' })))
    expect(await opened!.sql("select count(*) as n from customers where app_id = 'app_cat'")).toEqual([{ n: 1 }])
  })

  it('counts usage tracked from four instances exactly: each event id once, every accepted event in the total', async () => {
    const engines = await instances(4)
    const before = (await engines[0].getSession(demo('cus_active'))).usage[0].used
    // 200 events, each sent by two instances (a guard's flush retried elsewhere), in batches of 25.
    const events = Array.from({ length: 200 }, (_, i) => ({ customUid: 'cus_active', metric: 'api_calls', amount: 1 + (i % 3), id: `ev_${i}` }))
    const batches = Array.from({ length: 8 }, (_, b) => events.slice(b * 25, b * 25 + 25))
    const results = await Promise.all([...batches, ...batches].map((batch, i) => engines[i % 4].trackMany('app_demo', batch)))
    expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(200)
    expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(200)
    expect(results.flatMap((r) => r.rejected)).toEqual([])
    const total = events.reduce((n, e) => n + e.amount, 0)
    expect((await engines[3].getSession(demo('cus_active'))).usage[0].used).toBe(before + total)
  })

  it('sweeps expired shared rows on write, without a cron', async () => {
    const [engine] = await instances(1)
    let clock = 1_800_000_000
    const { idempotency, rateLimit } = engine.sharedStores({ now: () => clock })
    for (let i = 0; i < 30; i++) await idempotency.set(`old-${i}`, { fingerprint: 'f', response: { status: 200, body: '{}' } })
    for (let i = 0; i < 30; i++) await rateLimit.hit(`old-${i}`, clock * 1000, 1_000)
    clock += 2 * 24 * 3600
    for (let i = 0; i < 50; i++) await rateLimit.hit(`new-${i}`, clock * 1000, 1_000)
    const rows = await opened!.sql<{ n: number }>("select (select count(*) from billing_idempotency where key like 'old-%') + (select count(*) from billing_rate_limits where key like 'old-%') as n")
    expect(rows[0].n).toBe(0)
    expect(await idempotency.get('old-1')).toBeUndefined()
  })
})
