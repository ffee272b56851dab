import Database from 'better-sqlite3'
import { build } from 'esbuild'
import fc from 'fast-check'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Invoice } from '../../src/api/types.js'
import { openSqliteBilling, type SqliteBilling } from '../../src/server/billing/sqlite.js'
import { LATEST_VERSION, migrations } from '../../src/server/billing/engine/migrations.js'
import { addMonths, boundaryAfter, prorate } from '../../src/server/billing/engine/proration.js'
import type { CustomerScope } from '../../src/server/billing/types.js'
import { ENGINES, sqlite, type EngineKind, type OpenedEngine } from '../helpers/engines.js'
import { describeBackendContract, expectBillingError } from './backend-contract.js'

const DAY = 86_400
const require = createRequire(import.meta.url)
/** 2025-11-20T12:00:00Z: every test runs on an injected clock. */
const T0 = Date.UTC(2025, 10, 20, 12) / 1000

const root = mkdtempSync(join(tmpdir(), 'ap-sqlite-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let files = 0
const tempFile = () => join(root, `billing-${process.pid}-${files++}.sqlite`)

const demo = (uid: string): CustomerScope => ({ appId: 'app_demo', customUid: uid })
const UNBALANCED_INVOICES = 'select i.id from invoices i left join invoice_lines l on l.invoice_id = i.id group by i.id having i.total != coalesce(sum(l.amount), 0)'


// The contract and the engine suite run on every database the engine runs on.
for (const kind of ENGINES) {
  describeBackendContract(kind.name, async () => {
    const opened = await kind.open({ seed: 'demo', now: () => T0 })
    return { backend: opened.engine, scope: demo, cleanup: () => opened.close() }
  })
}

async function allInvoices(engine: SqliteBilling, scope: CustomerScope): Promise<Invoice[]> {
  const out: Invoice[] = []
  let cursor: string | undefined
  for (;;) {
    const page = await engine.listInvoices(scope, { limit: 100, starting_after: cursor })
    out.push(...page.data)
    if (!page.has_more) return out
    cursor = page.data[page.data.length - 1].id
  }
}

describe('opening a SQLite file', () => {
  const ctx = useEngine(sqlite)

  it('migrates an old-version file to the latest, keeping its rows, and applies nothing twice', async () => {
    const filename = tempFile()
    openSqliteBilling({ filename, migrateTo: 1 }).close()
    const raw = new Database(filename)
    expect(raw.prepare('select version from billing_migrations').all()).toEqual([{ version: 1 }])
    // Rows written by a version-1 engine: no `balance` column yet.
    raw.prepare("insert into apps (id, name, public_key, invoice_prefix, next_invoice_seq, created) values ('app_old', 'Old', 'pk_old', 'OLD', 1, 0)").run()
    raw.prepare("insert into metrics (app_id, key, name, unit) values ('app_old', 'api_calls', 'API calls', 'calls')").run()
    raw.prepare("insert into customers (id, app_id, custom_uid, email, name, subscription_id, created) values ('cu_old', 'app_old', 'cus_old', 'old@example.com', 'Old Customer', null, 0)").run()
    raw.close()

    const engine = openSqliteBilling({ filename, now: () => T0 })
    const session = await engine.getSession({ appId: 'app_old', customUid: 'cus_old' })
    expect(session.customer).toEqual({ id: 'cus_old', email: 'old@example.com', name: 'Old Customer' })
    await engine.close()

    const check = new Database(filename)
    const versions = check.prepare('select version, applied_at from billing_migrations order by version').all() as { version: number; applied_at: number }[]
    // Every migration, in order, once (branches add versions in parallel, so none is named here).
    expect(versions.map((v) => v.version)).toEqual(migrations.map((m) => m.version))
    expect(LATEST_VERSION).toBe(migrations[migrations.length - 1].version)
    expect(check.prepare("select balance from customers where id = 'cu_old'").get()).toEqual({ balance: 0 })
    check.close()

    openSqliteBilling({ filename }).close()
    const again = new Database(filename)
    expect(again.prepare('select version, applied_at from billing_migrations order by version').all()).toEqual(versions)
    again.close()
  })

  it('migration 3 dates the end of subscriptions a version-2 engine canceled: ended_at is their canceled_at', async () => {
    const filename = tempFile()
    openSqliteBilling({ filename, migrateTo: 2 }).close()
    const raw = new Database(filename)
    raw.exec(`
      insert into apps (id, name, public_key, invoice_prefix, next_invoice_seq, created) values ('app_old', 'Old', 'pk_old', 'OLD', 1, 0);
      insert into plans (id, app_id, name, description, features, trial_days, featured, public, sort_order, created) values ('plan_old', 'app_old', 'Old', '', '[]', 0, 0, 1, 0, 0);
      insert into prices (id, plan_id, app_id, period, amount, currency, created) values ('price_old', 'plan_old', 'app_old', 'month', 1000, 'USD', 0);
      insert into customers (id, app_id, custom_uid, email, name, subscription_id, created) values ('cu_a', 'app_old', 'cus_a', 'a@example.com', 'A', 'sub_a', 0), ('cu_b', 'app_old', 'cus_b', 'b@example.com', 'B', 'sub_b', 0);
      insert into subscriptions (id, app_id, customer_id, price_id, status, anchor, current_period_start, current_period_end, cancel_at_period_end, trial_end, scheduled_price_id, scheduled_at, canceled_at, created)
        values ('sub_a', 'app_old', 'cu_a', 'price_old', 'canceled', ${T0 - 40 * DAY}, ${T0 - 40 * DAY}, ${T0 - 10 * DAY}, 0, null, null, null, ${T0 - 10 * DAY}, 0),
               ('sub_b', 'app_old', 'cu_b', 'price_old', 'active', ${T0 - 5 * DAY}, ${T0 - 5 * DAY}, ${T0 + 25 * DAY}, 1, null, null, null, null, 0);
    `)
    raw.close()
    const engine = openSqliteBilling({ filename, now: () => T0 })
    expect((await engine.getSession({ appId: 'app_old', customUid: 'cus_a' })).subscription).toMatchObject({ status: 'canceled', canceled_at: T0 - 10 * DAY, ended_at: T0 - 10 * DAY })
    expect((await engine.getSession({ appId: 'app_old', customUid: 'cus_b' })).subscription).toMatchObject({ cancel_at_period_end: true, canceled_at: null, ended_at: null })
    await engine.close()
  })

  it('loads better-sqlite3 only when an engine is opened, and says how to install it when missing', async () => {
    const dir = mkdtempSync(join(root, 'lazy-'))
    const bundle = join(dir, 'sqlite.mjs')
    await build({ entryPoints: [join(import.meta.dirname, '../../src/server/billing/sqlite.ts')], bundle: true, format: 'esm', platform: 'node', external: ['better-sqlite3'], outfile: bundle, logLevel: 'silent' })
    // The child refuses to load the native module, as on a machine without it.
    const script = `
      const Module = require('node:module')
      const load = Module._load
      Module._load = function (request, ...rest) {
        if (request === 'better-sqlite3') throw Object.assign(new Error('not installed'), { code: 'MODULE_NOT_FOUND' })
        return load.call(this, request, ...rest)
      }
      import(${JSON.stringify(pathToFileURL(bundle).href)}).then((m) => {
        try { m.openSqliteBilling({ filename: ':memory:' }); console.log('opened') } catch (e) { console.log('error: ' + e.message) }
      })`
    const out = execFileSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' })
    expect(out.trim()).toBe('error: openSqliteBilling() needs the optional peer dependency better-sqlite3: npm install better-sqlite3')
  })

  it('refuses bad options naming the option', () => {
    expect(() => openSqliteBilling({ filename: '' })).toThrow(/filename/)
    expect(() => openSqliteBilling({ filename: ':memory:', seed: 'prod' as 'demo' })).toThrow(/seed/)
  })

  it('waits for another process’s write transaction instead of failing', async () => {
    // Another connection, on another thread, holds the write lock for 300 ms at a time.
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads')
       const Database = require(workerData.driver)
       const db = new Database(workerData.filename, { timeout: 5000 })
       const pause = new Int32Array(new SharedArrayBuffer(4))
       for (let i = 0; i < 3; i++) {
         db.exec('begin immediate')
         if (i === 0) parentPort.postMessage('locked')
         db.prepare("update apps set name = name where id = 'app_demo'").run()
         Atomics.wait(pause, 0, 0, 300)
         db.exec('commit')
       }
       db.close()`,
      { eval: true, workerData: { filename: (ctx.opened.location as { filename: string }).filename, driver: require.resolve('better-sqlite3') } },
    )
    await new Promise((resolve) => worker.once('message', resolve))
    await Promise.all(Array.from({ length: 10 }, () => ctx.engine.changeSubscription(demo('cus_active'), 'price_scale_month').catch(() => undefined)))
    await ctx.engine.recordUsage(demo('cus_active'), 'api_calls', 5)
    await new Promise((resolve) => worker.once('exit', resolve))
    const session = await ctx.engine.getSession(demo('cus_active'))
    expect(session.price?.id).toBe('price_scale_month')
    expect(session.usage[0].used).toBe(200_005)
  })
})

describe('proration arithmetic', () => {
  it('rounds amount × remaining / period half up, exactly', () => {
    expect(prorate(4_900, 15 * DAY, 30 * DAY)).toBe(2_450)
    expect(prorate(1, 1, 2)).toBe(1) // 0.5 -> 1
    expect(prorate(3, 1, 2)).toBe(2) // 1.5 -> 2
    expect(prorate(1_000, 1, 3)).toBe(333) // 333.33
    expect(prorate(2_000, 1, 3)).toBe(667) // 666.67
    expect(prorate(4_900, 0, 30 * DAY)).toBe(0)
    expect(prorate(4_900, 30 * DAY, 30 * DAY)).toBe(4_900)
    // Exact where floating point is not: 9e15 × 2/3 is past 2^53 before dividing.
    expect(prorate(4_500_000_000_000, 2, 3)).toBe(3_000_000_000_000)
    expect(prorate(999_999_999_999, 31_535_999, 31_536_000)).toBe(999_999_968_289) // …968,289.21
  })

  it('counts calendar months in UTC, clamping to the month’s last day without drifting', () => {
    const jan31 = Date.UTC(2025, 0, 31, 9) / 1000
    expect(addMonths(jan31, 1)).toBe(Date.UTC(2025, 1, 28, 9) / 1000)
    expect(addMonths(Date.UTC(2024, 0, 31) / 1000, 1)).toBe(Date.UTC(2024, 1, 29) / 1000)
    expect(addMonths(jan31, 12)).toBe(Date.UTC(2026, 0, 31, 9) / 1000)
    expect(addMonths(jan31, -2)).toBe(Date.UTC(2024, 10, 30, 9) / 1000)
    // The cycle is counted from the anchor: after Feb 28 comes Mar 31, not Mar 28.
    expect(boundaryAfter(jan31, 'month', Date.UTC(2025, 1, 28, 9) / 1000)).toBe(Date.UTC(2025, 2, 31, 9) / 1000)
    expect(boundaryAfter(jan31, 'month', jan31 + 40 * 30 * DAY)).toBe(addMonths(jan31, 40))
  })
})


/** A seeded engine whose clock the test moves, fresh for each test. */
function useEngine(kind: EngineKind, options: { seed?: boolean } = {}) {
  const ctx = { clock: T0 } as { engine: SqliteBilling; clock: number; opened: OpenedEngine }
  beforeEach(async () => {
    ctx.clock = T0
    ctx.opened = await kind.open({ seed: options.seed === false ? undefined : 'demo', now: () => ctx.clock })
    ctx.engine = ctx.opened.engine
  })
  afterEach(() => ctx.opened.close())
  return ctx
}

describe.each(ENGINES)('engine on $name', (kind) => {
  describe('opening', () => {
    it('links invoices to documents only when the seller says where they are served (baseUrl)', async () => {
      const bare = await kind.open({ seed: 'demo', now: () => T0 })
      const [invoice] = (await bare.engine.listInvoices(demo('cus_active'), { limit: 1 })).data
      expect(invoice).toMatchObject({ pdf_url: null, hosted_url: null })
      expect(await bare.engine.getInvoice(demo('cus_active'), invoice.id)).toMatchObject({ pdf_url: null, hosted_url: null })
      expect((await bare.engine.createCheckout('pk_demo', 'price_pro_month')).url).toBe('/checkout?key=pk_demo&price=price_pro_month')
      await bare.close()

      const served = await kind.open({ seed: 'demo', now: () => T0, baseUrl: 'https://billing.example.com/' })
      const [linked] = (await served.engine.listInvoices(demo('cus_active'), { limit: 1 })).data
      expect(linked).toMatchObject({ pdf_url: `https://billing.example.com/invoices/${linked.id}.pdf`, hosted_url: `https://billing.example.com/invoices/${linked.id}` })
      await served.close()
    })

    it('seeds a store once: opening it again with the seed changes nothing', async () => {
      const opened = await kind.open({ seed: 'demo', now: () => T0 })
      const count = async () => {
        const tables = ['apps', 'plans', 'prices', 'customers', 'subscriptions', 'invoices', 'invoice_lines', 'usage_records', 'payment_methods', 'api_keys']
        const counts: Record<string, number> = {}
        for (const t of tables) counts[t] = Number((await opened.sql<{ n: number }>(`select count(*) as n from ${t}`))[0].n)
        return counts
      }
      const session = await opened.engine.getSession(demo('cus_active'))
      const before = await count()
      expect(before.invoices).toBeGreaterThan(260)

      const second = await opened.another({ seed: 'demo', now: () => T0 + DAY })
      expect((await second.getSession(demo('cus_active'))).subscription?.id).toBe(session.subscription?.id)
      expect(await count()).toEqual(before)
      await opened.close()
    })

    it('seeds invoices whose totals are the sums of their lines, numbered without gaps, one with usage overage', async () => {
      const opened = await kind.open({ seed: 'demo', now: () => T0 })
      const { engine } = opened
      const active = await allInvoices(engine, demo('cus_active'))
      const lines = (await Promise.all(active.map((i) => engine.getInvoice(demo('cus_active'), i.id)))).flatMap((i) => i.lines!)
      expect(lines.filter((l) => l.description.startsWith('API calls beyond quota'))).toHaveLength(1)
      expect(await opened.sql(UNBALANCED_INVOICES)).toEqual([])
      const numbers = await opened.sql<{ number: string }>("select number from invoices where app_id = 'app_demo' order by created, seq")
      expect(numbers.map((n) => n.number)).toEqual(numbers.map((_, i) => `DEMO-${String(i + 1).padStart(4, '0')}`))
      await opened.close()
    })

    it('stores API keys as a hash and cards as brand and last four only', async () => {
      const opened = await kind.open({ seed: 'demo', now: () => T0 })
      const created = await opened.engine.createApiKey(demo('cus_free'), 'CI')
      await opened.engine.attachPaymentMethod(demo('cus_free'), 'pm_card_visa')
      const dump = JSON.stringify([await opened.sql('select * from api_keys'), await opened.sql('select * from payment_methods')])
      await opened.close()
      expect(dump).not.toContain(created.secret)
      expect(dump).not.toContain('4242424242424242')
    })
  })

  describe('proration', () => {

    /** An app with the given prices; a customer on the first, a card, the clock at `start`. */
    async function onPlans(ctx: { engine: SqliteBilling; clock: number }, currency: string, amounts: number[], start: number) {
      const { engine } = ctx
      ctx.clock = start
      await engine.createApp({ id: 'app_x', name: 'X', publicKey: 'pk_x', metrics: [{ key: 'api_calls', name: 'API calls', unit: 'calls' }] })
      for (const [i, amount] of amounts.entries()) {
        await engine.createPlan('app_x', { id: `plan_${i}`, name: `Plan ${i}`, sortOrder: i, prices: [{ id: `p${i}`, period: 'month', amount, currency }] })
      }
      await engine.createCustomer('app_x', { customUid: 'c', email: 'c@example.com', name: 'C' })
      const scope = { appId: 'app_x', customUid: 'c' }
      await engine.attachPaymentMethod(scope, 'pm_card_visa')
      await engine.changeSubscription(scope, 'p0')
      return scope
    }

    const ctx = useEngine(kind, { seed: false })

    it('charges USD cents: credit and charge each rounded, then added', async () => {
      // November has 30 days; 10 days in, 20 remain.
      const scope = await onPlans(ctx, 'USD', [4_900, 19_900], Date.UTC(2025, 10, 1) / 1000)
      ctx.clock = Date.UTC(2025, 10, 11) / 1000
      const preview = await ctx.engine.previewSubscriptionChange(scope, 'p1')
      // 4900 × 20/30 = 3266.67 -> 3267; 19900 × 20/30 = 13266.67 -> 13267.
      expect(preview.lines.map((l) => l.amount)).toEqual([-3_267, 13_267])
      expect(preview.amount_due_now).toBe(10_000)
    })

    it('charges JPY in whole yen (no minor unit)', async () => {
      // January has 31 days; 10 days in, 21 of 31 remain.
      const scope = await onPlans(ctx, 'JPY', [1_000, 3_000], Date.UTC(2025, 0, 1) / 1000)
      ctx.clock = Date.UTC(2025, 0, 11) / 1000
      const preview = await ctx.engine.previewSubscriptionChange(scope, 'p1')
      // 1000 × 21/31 = 677.42 -> 677; 3000 × 21/31 = 2032.26 -> 2032.
      expect(preview).toMatchObject({ currency: 'JPY', amount_due_now: 1_355 })
      expect(preview.lines.map((l) => l.amount)).toEqual([-677, 2_032])
      await ctx.engine.changeSubscription(scope, 'p1')
      const [invoice] = (await ctx.engine.listInvoices(scope, { limit: 1 })).data
      expect(invoice).toMatchObject({ currency: 'JPY', total: 1_355 })
    })

    it('rounds exact halves up, on the credit and the charge separately', async () => {
      // Half of January's 31 days remain: ¥999 -> 499.5 -> 500 credit; ¥1001 -> 500.5 -> 501 charge.
      const scope = await onPlans(ctx, 'JPY', [999, 1_001], Date.UTC(2025, 0, 1) / 1000)
      ctx.clock = Date.UTC(2025, 0, 1) / 1000 + (31 * DAY) / 2
      const preview = await ctx.engine.previewSubscriptionChange(scope, 'p1')
      expect(preview.lines.map((l) => l.amount)).toEqual([-500, 501])
      expect(preview.amount_due_now).toBe(1)
    })

    it('carries credit worth more than the new charge to the balance, and spends it on the next invoice', async () => {
      // Monthly ¥30,000 -> yearly ¥12,000 on the first day: the unused month is worth more than the year.
      const { engine } = ctx
      ctx.clock = Date.UTC(2025, 0, 1) / 1000
      await engine.createApp({ id: 'app_x', name: 'X', publicKey: 'pk_x' })
      await engine.createPlan('app_x', { id: 'big', name: 'Big', prices: [{ id: 'big_m', period: 'month', amount: 30_000, currency: 'JPY' }] })
      await engine.createPlan('app_x', { id: 'small', name: 'Small', prices: [{ id: 'small_y', period: 'year', amount: 12_000, currency: 'JPY' }] })
      await engine.createCustomer('app_x', { customUid: 'c' })
      const scope = { appId: 'app_x', customUid: 'c' }
      await engine.attachPaymentMethod(scope, 'pm_card_visa')
      await engine.changeSubscription(scope, 'big_m')
      ctx.clock += DAY
      const preview = await engine.previewSubscriptionChange(scope, 'small_y')
      // 30000 × 30/31 = 29032.26 -> 29032 credit, 12000 charge: 17032 carried.
      expect(preview.lines.map((l) => l.amount)).toEqual([-29_032, 12_000, 17_032])
      expect(preview.amount_due_now).toBe(0)
      expect(preview.next_renewal_amount).toBe(0)
      await engine.changeSubscription(scope, 'small_y')
      const session = await engine.getSession(scope)
      expect(session.upcoming_invoice).toEqual({ amount_due: 0, currency: 'JPY', date: session.subscription!.current_period_end })
      await engine.advanceTo(session.subscription!.current_period_end)
      const [renewal] = (await engine.listInvoices(scope, { limit: 1 })).data
      const lines = (await engine.getInvoice(scope, renewal.id)).lines!
      expect(lines.map((l) => l.amount)).toEqual([12_000, -12_000])
      expect(renewal).toMatchObject({ total: 0, status: 'paid' })
    })
  })

  describe('preview equals charge', () => {
    it('for many pairs of plans and moments in the period', async () => {
      const prices = ['price_free_month', 'price_free_year', 'price_starter_month', 'price_starter_year', 'price_pro_month', 'price_pro_year', 'price_scale_month', 'price_scale_year']
      let clock = T0
      const opened = await kind.open({ seed: 'demo', now: () => clock })
      const { engine } = opened
      let n = 0
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...prices),
          fc.constantFrom(...prices),
          fc.double({ min: 0, max: 0.999, noNaN: true }),
          fc.nat({ max: 400_000 }),
          fc.boolean(),
          async (from, to, fraction, used, inTrial) => {
            fc.pre(from !== to)
            const scope = { appId: 'app_demo', customUid: `prop_${n++}` }
            await engine.createCustomer('app_demo', { customUid: scope.customUid })
            await engine.attachPaymentMethod(scope, 'pm_card_visa')
            // A new customer on Starter or Pro starts a trial; past its end the first period is paid.
            let sub = (await engine.subscribe(scope, from))
            if (sub.status === 'trialing' && !inTrial) {
              clock = sub.current_period_end
              sub = (await engine.getSession(scope)).subscription!
              expect(sub.status).toBe('active')
            }
            clock = sub.current_period_start + Math.floor(fraction * (sub.current_period_end - sub.current_period_start))
            if (used > 0) await engine.recordUsage(scope, 'api_calls', used, sub.current_period_start)
            const before = await allInvoices(engine, scope)

            const preview = await engine.previewSubscriptionChange(scope, to)
            expect(preview.lines.reduce((a, l) => a + l.amount, 0)).toBe(preview.amount_due_now)
            const after = await engine.changeSubscription(scope, to)
            const invoices = await allInvoices(engine, scope)
            if (preview.effective === 'period_end') {
              expect(invoices).toHaveLength(before.length)
              expect(after.scheduled_change).toEqual({ price_id: to, at: preview.effective_at })
              return
            }
            expect(after.price_id).toBe(to)
            if (preview.lines.length === 0) {
              expect(invoices).toHaveLength(before.length)
              expect(preview.amount_due_now).toBe(0)
              return
            }
            expect(invoices).toHaveLength(before.length + 1)
            const invoice = await engine.getInvoice(scope, invoices[0].id)
            expect(invoice.total).toBe(preview.amount_due_now)
            expect(invoice.lines!.reduce((a, l) => a + l.amount, 0)).toBe(invoice.total)
            expect(invoice.lines!.map((l) => ({ description: l.description, amount: l.amount }))).toEqual(preview.lines)
            expect((await engine.getSession(scope)).upcoming_invoice?.amount_due ?? 0).toBe(preview.next_renewal_amount)
          },
        ),
        { numRuns: 150 },
      )
      await opened.close()
    }, 180_000)
  })

  describe('app isolation', () => {
    const ctx = useEngine(kind)
    const other: CustomerScope = { appId: 'app_other', customUid: 'cus_active' }

    it('gives app_other’s cus_active its own rows only', async () => {
      const session = await ctx.engine.getSession(other)
      expect(session.customer.name).toBe('Other Customer')
      expect(session.plan?.name).toBe('Basic')
      const invoices = await allInvoices(ctx.engine, other)
      expect(invoices.map((i) => i.number)).toEqual(['OTHER-0001'])
      expect((await ctx.engine.listPaymentMethods(other)).data.map((p) => p.brand)).toEqual(['amex'])
      expect((await ctx.engine.listApiKeys(other))?.data.map((k) => k.name)).toEqual(['Other key'])
      expect((await ctx.engine.listPlans(other)).data.map((p) => p.name)).toEqual(['Basic'])
    })

    it('answers app_demo’s ids with not_found or invalid_request from app_other', async () => {
      const [invoice] = (await ctx.engine.listInvoices(demo('cus_active'), { limit: 1 })).data
      const [card] = (await ctx.engine.listPaymentMethods(demo('cus_active'))).data
      const [key] = (await ctx.engine.listApiKeys(demo('cus_active')))!.data
      await expectBillingError(ctx.engine.getInvoice(other, invoice.id), 'not_found')
      await expectBillingError(ctx.engine.listInvoices(other, { limit: 5, starting_after: invoice.id }), 'invalid_request', 'starting_after')
      await expectBillingError(ctx.engine.setDefaultPaymentMethod(other, card.id), 'not_found')
      await expectBillingError(ctx.engine.removePaymentMethod(other, card.id), 'not_found')
      await expectBillingError(ctx.engine.rollApiKey(other, key.id), 'not_found')
      await expectBillingError(ctx.engine.changeSubscription(other, 'price_pro_month'), 'invalid_request', 'price_id')
      await expectBillingError(ctx.engine.createCheckout('pk_other', 'price_pro_month'), 'invalid_request', 'price_id')
      expect((await ctx.engine.listPublicPlans('pk_other')).data.map((p) => p.name)).toEqual(['Basic'])
    })

    it('hides hidden plans, except the customer’s own', async () => {
      await expectBillingError(ctx.engine.changeSubscription(demo('cus_active'), 'price_enterprise_month'), 'invalid_request', 'price_id')
      await expectBillingError(ctx.engine.createCheckout('pk_demo', 'price_enterprise_month'), 'invalid_request', 'price_id')
      await ctx.engine.subscribe(demo('cus_active'), 'price_enterprise_month')
      const plans = await ctx.engine.listPlans(demo('cus_active'))
      expect(plans.data.map((p) => p.name)).toContain('Enterprise (legacy)')
      expect(plans.current_price_id).toBe('price_enterprise_month')
      expect((await ctx.engine.listPlans(demo('cus_free'))).data.map((p) => p.name)).not.toContain('Enterprise (legacy)')
    })
  })

  describe('concurrency', () => {
    const ctx = useEngine(kind)

    it('keeps totals and numbering whole under many parallel plan changes', async () => {
      const targets = ['price_scale_month', 'price_starter_month', 'price_pro_year', 'price_scale_year', 'price_free_month']
      const uids = ['cus_active', 'cus_free', 'cus_many_invoices', 'cus_canceled']
      await ctx.engine.attachPaymentMethod(demo('cus_free'), 'pm_card_visa')
      const results = await Promise.allSettled(
        Array.from({ length: 60 }, (_, i) => ctx.engine.changeSubscription(demo(uids[i % uids.length]), targets[i % targets.length])),
      )
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      for (const f of failures) expect(['conflict']).toContain((f.reason as { code: string }).code)
      expect(failures.length).toBeLessThan(results.length)

      expect(await ctx.opened.sql(UNBALANCED_INVOICES)).toEqual([])
      const seqs = (await ctx.opened.sql<{ seq: number }>("select seq from invoices where app_id = 'app_demo' order by seq")).map((r) => r.seq)
      expect(seqs).toEqual(seqs.map((_, i) => i + 1))
      const [next] = await ctx.opened.sql<{ next_invoice_seq: number }>("select next_invoice_seq from apps where id = 'app_demo'")
      expect(next.next_invoice_seq).toBe(seqs.length + 1)
    })


    it('lets two engines on one store in one process take turns', async () => {
      const second = await ctx.opened.another({ now: () => ctx.clock })
      const engines = [ctx.engine, second]
      await Promise.all(Array.from({ length: 40 }, (_, i) => engines[i % 2].recordUsage(demo('cus_active'), 'api_calls', 1)))
      expect((await ctx.engine.getSession(demo('cus_active'))).usage[0].used).toBe(200_040)
    })
  })

  describe('payments', () => {
    const ctx = useEngine(kind)

    it('refuses pm_card_declined and an unknown token, naming payment_method', async () => {
      const declined = await expectBillingError(ctx.engine.attachPaymentMethod(demo('cus_free'), 'pm_card_declined'), 'payment_failed')
      expect(declined.message).toBe('Your card was declined.')
      await expectBillingError(ctx.engine.attachPaymentMethod(demo('cus_free'), '4242424242424242'), 'invalid_request', 'payment_method')
    })

    it('refuses an upgrade the card declines, leaving everything as it was', async () => {
      const scope = demo('cus_past_due')
      const before = await allInvoices(ctx.engine, scope)
      await expectBillingError(ctx.engine.changeSubscription(scope, 'price_pro_month'), 'payment_failed', 'payment_method')
      expect((await ctx.engine.getSession(scope)).subscription?.price_id).toBe('price_starter_month')
      expect(await allInvoices(ctx.engine, scope)).toEqual(before)
    })

    it('pays what is open and ends past_due when a working card becomes the default', async () => {
      const scope = demo('cus_past_due')
      const open = (await allInvoices(ctx.engine, scope)).filter((i) => i.status === 'open')
      expect(open).toHaveLength(1)
      await ctx.engine.attachPaymentMethod(scope, 'pm_card_visa', { makeDefault: true })
      expect((await allInvoices(ctx.engine, scope)).filter((i) => i.status === 'open')).toEqual([])
      expect((await ctx.engine.getSession(scope)).subscription?.status).toBe('active')
    })

    it('applies the test cards’ brands and last four digits', async () => {
      const scope = demo('cus_free')
      const cards = [
        await ctx.engine.attachPaymentMethod(scope, 'pm_card_visa'),
        await ctx.engine.attachPaymentMethod(scope, 'pm_card_mastercard'),
        await ctx.engine.attachPaymentMethod(scope, 'pm_card_amex'),
      ]
      expect(cards.map((c) => `${c.brand} ${c.last4}`)).toEqual(['visa 4242', 'mastercard 4444', 'amex 8431'])
    })
  })

  describe('time passing', () => {
    const ctx = useEngine(kind)

    it('renews at the period end: a new period, invoiced and paid with the default card', async () => {
      const before = (await ctx.engine.getSession(demo('cus_active'))).subscription!
      const count = (await allInvoices(ctx.engine, demo('cus_active'))).length
      await ctx.engine.advanceTo(before.current_period_end + 60)
      const after = (await ctx.engine.getSession(demo('cus_active'))).subscription!
      expect(after).toMatchObject({ status: 'active', current_period_start: before.current_period_end, current_period_end: addMonths(before.current_period_end, 1) })
      const invoices = await allInvoices(ctx.engine, demo('cus_active'))
      expect(invoices).toHaveLength(count + 1)
      expect(invoices[0]).toMatchObject({ status: 'paid', total: 4_900, created: before.current_period_end })
      expect((await ctx.engine.getSession(demo('cus_active'))).usage[0].used).toBe(0)
    })

    it('bills usage over quota at the period end', async () => {
      const scope = demo('cus_active')
      const sub = (await ctx.engine.getSession(scope)).subscription!
      await ctx.engine.recordUsage(scope, 'api_calls', 62_345) // 262,345 of 250,000: 12,345 over, 13 started blocks of 1,000 at 50¢
      const session = await ctx.engine.getSession(scope)
      expect(session.upcoming_invoice?.amount_due).toBe(4_900 + 650)
      await ctx.engine.advanceTo(sub.current_period_end)
      const [renewal] = (await ctx.engine.listInvoices(scope, { limit: 1 })).data
      const lines = (await ctx.engine.getInvoice(scope, renewal.id)).lines!
      expect(lines.map((l) => [l.description, l.quantity, l.amount])).toEqual([
        ['API calls beyond quota (12,345 calls)', 13, 650],
        ['1 × Pro (monthly)', 1, 4_900],
      ])
      expect(lines[0].period).toEqual({ start: sub.current_period_start, end: sub.current_period_end })
    })

    it('applies a scheduled downgrade and a cancellation at the period end', async () => {
      await ctx.engine.changeSubscription(demo('cus_active'), 'price_starter_month')
      const canceling = (await ctx.engine.getSession(demo('cus_canceling'))).subscription!
      await ctx.engine.advanceTo(canceling.current_period_end)
      expect((await ctx.engine.getSession(demo('cus_active'))).subscription).toMatchObject({ price_id: 'price_starter_month', scheduled_change: null, status: 'active' })
      expect((await ctx.engine.getSession(demo('cus_canceling'))).subscription).toMatchObject({ status: 'canceled', cancel_at_period_end: false })
    })

    it('ends a trial without a card in past_due with an open invoice, which a card then pays', async () => {
      const scope = demo('cus_trialing')
      const trial = (await ctx.engine.getSession(scope)).subscription!
      await ctx.engine.advanceTo(trial.trial_end! + 1)
      const session = await ctx.engine.getSession(scope)
      expect(session.subscription).toMatchObject({ status: 'past_due', current_period_start: trial.trial_end })
      const [invoice] = (await ctx.engine.listInvoices(scope, { limit: 1 })).data
      expect(invoice).toMatchObject({ status: 'open', total: 4_900 })
      await ctx.engine.attachPaymentMethod(scope, 'pm_card_visa')
      expect((await ctx.engine.getSession(scope)).subscription?.status).toBe('active')
    })

    it('renews lazily when a customer is read after the period ended', async () => {
      const sub = (await ctx.engine.getSession(demo('cus_active'))).subscription!
      ctx.clock = sub.current_period_end + 3 * 31 * DAY
      const session = await ctx.engine.getSession(demo('cus_active'))
      expect(session.subscription!.current_period_start).toBe(addMonths(sub.current_period_end, 3))
      expect(session.subscription!.current_period_end).toBeGreaterThan(ctx.clock)
    })

    it('withdraws a pending cancellation when the customer chooses a plan', async () => {
      await ctx.engine.cancelSubscription(demo('cus_active'), true)
      const upgraded = await ctx.engine.changeSubscription(demo('cus_active'), 'price_scale_month')
      expect(upgraded.cancel_at_period_end).toBe(false)
      const downgraded = await ctx.engine.changeSubscription(demo('cus_canceling'), 'price_free_year')
      expect(downgraded).toMatchObject({ cancel_at_period_end: false, scheduled_change: { price_id: 'price_free_year' } })
    })

    it('drops a scheduled change when the customer cancels at the period end', async () => {
      await ctx.engine.changeSubscription(demo('cus_active'), 'price_starter_month')
      const canceling = await ctx.engine.cancelSubscription(demo('cus_active'), true)
      expect(canceling).toMatchObject({ cancel_at_period_end: true, scheduled_change: null })
    })

    it('dates cancellations: asked for at canceled_at, ended at ended_at; cancelling now ends the period there too', async () => {
      const scope = demo('cus_active')
      const { subscription: before } = await ctx.engine.getSession(scope)
      expect(before).toMatchObject({ canceled_at: null, ended_at: null })

      ctx.clock = T0 + 60
      expect(await ctx.engine.cancelSubscription(scope, true)).toMatchObject({ cancel_at_period_end: true, canceled_at: T0 + 60, ended_at: null })
      expect(await ctx.engine.resumeSubscription(scope)).toMatchObject({ cancel_at_period_end: false, canceled_at: null })
      await ctx.engine.cancelSubscription(scope, true)
      // Choosing a plan withdraws the cancellation, and its date with it.
      expect(await ctx.engine.changeSubscription(scope, 'price_starter_month')).toMatchObject({ cancel_at_period_end: false, canceled_at: null })
      await ctx.engine.cancelSubscription(scope, true)
      await ctx.engine.advanceTo(before!.current_period_end + 5)
      expect((await ctx.engine.getSession(scope)).subscription).toMatchObject({ status: 'canceled', canceled_at: T0 + 60, ended_at: before!.current_period_end })

      const other = demo('cus_past_due')
      const live = (await ctx.engine.getSession(other)).subscription!
      const now = ctx.engine.now()
      const canceled = await ctx.engine.cancelSubscription(other, false)
      expect(canceled).toMatchObject({ status: 'canceled', canceled_at: now, ended_at: now, current_period_start: live.current_period_start, current_period_end: now })
      expect((await ctx.engine.getSession(other)).subscription).toEqual(canceled)
    })

    it('seeds cus_canceling with the day it asked to cancel, and cus_canceled ended at once 20 days ago', async () => {
      const canceling = (await ctx.engine.getSession(demo('cus_canceling'))).subscription!
      expect(canceling).toMatchObject({ status: 'active', cancel_at_period_end: true, canceled_at: T0 - 5 * DAY, ended_at: null })
      const canceled = (await ctx.engine.getSession(demo('cus_canceled'))).subscription!
      expect(canceled).toMatchObject({ status: 'canceled', canceled_at: T0 - 20 * DAY, ended_at: T0 - 20 * DAY, current_period_end: T0 - 20 * DAY })
    })

    it('will not move the clock back', async () => {
      await expect(ctx.engine.advanceTo(T0 - 1)).rejects.toThrow(RangeError)
    })
  })

  describe('seller calls', () => {
    const ctx = useEngine(kind, { seed: false })

    it('creates an app, plans, a customer, usage and an API key that verifies', async () => {
      const { engine } = ctx
      const app = await engine.createApp({ id: 'app_acme', name: 'Acme', metrics: [{ key: 'tokens', name: 'Tokens', unit: 'tokens' }] })
      expect(app).toMatchObject({ id: 'app_acme', invoice_prefix: 'ACME' })
      expect(app.public_key).toMatch(/^pk_/)
      const plan = await engine.createPlan('app_acme', {
        name: 'Team',
        quotas: { tokens: { limit: 1_000, overage: { amount: 10, per: 100 } } },
        trialDays: 7,
        prices: [{ period: 'month', amount: 2_000, currency: 'eur' }],
      })
      expect(plan).toMatchObject({ name: 'Team', quotas: { tokens: 1_000 }, trial_days: 7, featured: false })
      expect(plan.prices[0].currency).toBe('EUR')
      const scope = { appId: 'app_acme', customUid: 'user_42' }
      await engine.createCustomer('app_acme', { customUid: 'user_42', email: 'u@example.com', name: 'U' })
      await engine.changeSubscription(scope, plan.prices[0].id)
      await engine.recordUsage(scope, 'tokens', 1_250)
      const session = await engine.getSession(scope)
      expect(session.subscription?.status).toBe('trialing')
      // An overage plan: spend_limit null (no cap set yet, one may be).
      expect(session.usage).toEqual([{ metric: 'tokens', name: 'Tokens', used: 1_250, limit: 1_000, unit: 'tokens', spend_limit: null }])

      const key = await engine.createApiKey(scope, 'Server')
      expect(key.secret).toMatch(/^ak_live_[0-9a-f]{32}$/)
      expect(key.masked).toBe(`${key.secret.slice(0, 12)}…${key.secret.slice(-4)}`)
      expect(await engine.verifyApiKey(key.secret)).toEqual({ appId: 'app_acme', customUid: 'user_42', apiKeyId: key.id })
      expect((await engine.listApiKeys(scope))?.data[0].last_used).toBe(ctx.clock)
      const rolled = await engine.rollApiKey(scope, key.id)
      expect(await engine.verifyApiKey(key.secret)).toBeNull()
      expect((await engine.verifyApiKey(rolled.secret))?.apiKeyId).toBe(key.id)
    })

    it('lists API keys oldest first, and keys made in the same second in the order they were made', async () => {
      const { engine } = ctx
      await engine.createApp({ id: 'app_keys', name: 'Keys' })
      const scope = { appId: 'app_keys', customUid: 'u' }
      await engine.createCustomer('app_keys', { customUid: 'u' })
      // Nine keys in one second (one under the default maximum with 'Later'): their random ids would put them in any of 9! orders.
      const names = Array.from({ length: 9 }, (_, i) => `Key ${i}`)
      for (const name of names) await engine.createApiKey(scope, name)
      ctx.clock += 60
      await engine.createApiKey(scope, 'Later')
      expect((await engine.listApiKeys(scope))?.data.map((k) => k.name)).toEqual([...names, 'Later'])
    })

    it('seeds the demo customer’s keys in the same order on every run', async () => {
      for (let run = 0; run < 4; run++) {
        const opened = await kind.open({ seed: 'demo', now: () => T0 })
        expect((await opened.engine.listApiKeys(demo('cus_active')))?.data.map((k) => k.name)).toEqual(['Production', 'Staging'])
        await opened.close()
      }
    })

    it('names each plan’s quota metrics from the metrics table, in every route that returns plans', async () => {
      const { engine } = ctx
      const app = await engine.createApp({ id: 'app_gpu', name: 'GPU', metrics: [{ key: 'gpu_s', name: 'GPU time', unit: 'seconds' }, { key: 'req', name: 'Requests', unit: 'requests' }] })
      // Another app's metric of the same key must not name this one's.
      await engine.createApp({ id: 'app_x', name: 'X', metrics: [{ key: 'gpu_s', name: 'Wrong app', unit: 'x' }] })
      const metrics = { gpu_s: { name: 'GPU time', unit: 'seconds' }, req: { name: 'Requests', unit: 'requests' } }
      const plan = await engine.createPlan('app_gpu', { name: 'Team', quotas: { gpu_s: 3_600, req: null }, prices: [{ period: 'month', amount: 500, currency: 'USD' }] })
      expect(plan.metrics).toEqual(metrics)
      expect((await engine.listPublicPlans(app.public_key)).data[0].metrics).toEqual(metrics)
      const scope = { appId: 'app_gpu', customUid: 'u' }
      await engine.createCustomer('app_gpu', { customUid: 'u' })
      expect((await engine.listPlans(scope)).data[0].metrics).toEqual(metrics)
      await engine.attachPaymentMethod(scope, 'pm_card_visa')
      await engine.changeSubscription(scope, plan.prices[0].id)
      expect((await engine.getSession(scope)).plan?.metrics).toEqual(metrics)
      const bare = await engine.createPlan('app_gpu', { name: 'Bare', prices: [{ period: 'month', amount: 1, currency: 'USD' }] })
      expect(bare.metrics).toEqual({})
    })

    it('names the field at fault in bad seller input', async () => {
      const { engine } = ctx
      await engine.createApp({ id: 'app_a', name: 'A' })
      await expectBillingError(engine.createApp({ id: 'app_a', name: 'A again' }), 'conflict', 'id')
      await expectBillingError(engine.createPlan('app_a', { name: 'P', quotas: { nope: 5 }, prices: [{ period: 'month', amount: 1, currency: 'USD' }] }), 'invalid_request', 'quotas.nope')
      await expectBillingError(engine.createPlan('app_a', { name: 'P', prices: [{ period: 'month', amount: -1, currency: 'USD' }] }), 'invalid_request', 'prices[0].amount')
      await expectBillingError(engine.createPlan('app_a', { name: 'P', prices: [{ period: 'week' as 'month', amount: 1, currency: 'USD' }] }), 'invalid_request', 'prices[0].period')
      await expectBillingError(engine.createPlan('app_a', { name: 'P', prices: [] }), 'invalid_request', 'prices')
      await expectBillingError(engine.createPlan('app_nope', { name: 'P', prices: [{ period: 'month', amount: 1, currency: 'USD' }] }), 'not_found')
      await engine.createCustomer('app_a', { customUid: 'c' })
      await expectBillingError(engine.createCustomer('app_a', { customUid: 'c' }), 'conflict', 'customUid')
      await expectBillingError(engine.recordUsage({ appId: 'app_a', customUid: 'c' }, 'nope', 1), 'invalid_request', 'metric')
      await expectBillingError(engine.recordUsage({ appId: 'app_a', customUid: 'c' }, 'nope', 1.5), 'invalid_request', 'amount')
      await expectBillingError(engine.createApiKey({ appId: 'app_a', customUid: 'c' }, ' '), 'invalid_request', 'name')
    })
  })
})
