/**
 * Pricing as code on the SQLite engine (issue 13): applyCatalogue is idempotent, its dry
 * run writes nothing, a changed price never changes what a subscriber pays, archived
 * plans and prices are hidden from new customers only; upsertCustomer and getCustomer;
 * and the newcomer's server stumbles (a missing directory, a uid with no customer, a
 * handler mounted without basePath).
 */
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { openSqliteBilling, type CatalogueInput, type CataloguePlan, type SqliteBilling } from '../../src/server/billing/sqlite.js'
import type { CustomerScope } from '../../src/server/billing/types.js'
import { createTestPortal } from '../helpers/portal.js'
import { expectBillingError } from './backend-contract.js'

const DAY = 86_400
/** 2025-11-20T12:00:00Z. */
const T0 = Date.UTC(2025, 10, 20, 12) / 1000
const root = mkdtempSync(join(tmpdir(), 'ap-catalogue-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let files = 0
const tempFile = () => join(root, `billing-${files++}.sqlite`)

const open: SqliteBilling[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()))
})

/** An empty engine on a new file, with a clock the test moves. */
function engine(clock = { now: T0 }): SqliteBilling & { clock: typeof clock; filename: string } {
  const filename = tempFile()
  const e = openSqliteBilling({ filename, now: () => clock.now })
  open.push(e)
  return Object.assign(e, { clock, filename })
}

const APP = { id: 'app_acme', name: 'Acme API', publicKey: 'pk_acme', invoicePrefix: 'ACME' }
const METRICS = [{ key: 'api_calls', name: 'API calls', unit: 'calls' }]

function catalogue(overrides: { plans?: CataloguePlan[] } = {}): CatalogueInput {
  return {
    app: APP,
    metrics: METRICS,
    plans: overrides.plans ?? [
      { id: 'plan_free', name: 'Free', quotas: { api_calls: 1_000 }, prices: [{ id: 'price_free_month', period: 'month', amount: 0, currency: 'USD' }] },
      {
        id: 'plan_pro',
        name: 'Pro',
        features: ['Priority support'],
        quotas: { api_calls: { limit: 250_000, overage: { amount: 50, per: 1_000 } } },
        featured: true,
        prices: [
          { id: 'price_pro_month', period: 'month', amount: 4_900, currency: 'USD' },
          { id: 'price_pro_year', period: 'year', amount: 49_000, currency: 'USD' },
        ],
      },
    ],
  }
}

/** Every row of every table: what "writes nothing" is checked against. */
function snapshot(filename: string): Record<string, unknown[]> {
  const db = new Database(filename, { readonly: true })
  try {
    const tables = db.prepare("select name from sqlite_master where type = 'table' order by name").all() as { name: string }[]
    return Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`select * from "${name}"`).all()]))
  } finally {
    db.close()
  }
}

async function customerOn(e: SqliteBilling, uid: string, priceId: string, appId = APP.id): Promise<CustomerScope> {
  const scope = { appId, customUid: uid }
  await e.upsertCustomer(appId, { customUid: uid })
  await e.attachPaymentMethod(scope, 'pm_card_visa')
  await e.subscribe(scope, priceId)
  return scope
}

const pro = (amount: number): CataloguePlan => ({ ...catalogue().plans[1], prices: [{ id: 'price_pro_month', period: 'month', amount, currency: 'USD' }] })

describe('applyCatalogue', () => {
  it('creates the app, metrics, plans and prices, then changes nothing on the second run', async () => {
    const e = engine()
    const first = await e.applyCatalogue(catalogue())
    expect(first).toEqual({
      changed: true,
      dryRun: false,
      app: { created: ['app_acme'], updated: [], archived: [] },
      metrics: { created: ['api_calls'], updated: [], archived: [] },
      plans: { created: ['plan_free', 'plan_pro'], updated: [], archived: [] },
      prices: { created: ['price_free_month', 'price_pro_month', 'price_pro_year'], updated: [], archived: [] },
    })
    const second = await e.applyCatalogue(catalogue())
    expect(second.changed).toBe(false)
    const plans = await e.listAppPlans(APP.id)
    expect(plans.map((p) => [p.id, p.prices.map((x) => x.id)])).toEqual([
      ['plan_free', ['price_free_month']],
      ['plan_pro', ['price_pro_month', 'price_pro_year']],
    ])
    expect(plans[1]).toMatchObject({ featured: true, quotas: { api_calls: 250_000 }, public: true, archived: false })
    expect((await e.listPublicPlans('pk_acme')).data.map((p) => p.id)).toEqual(['plan_free', 'plan_pro'])
  })

  it('reports each changed field, and updates plans in place', async () => {
    const e = engine()
    await e.applyCatalogue(catalogue())
    const next = catalogue()
    next.plans[1] = { ...next.plans[1], name: 'Pro+', quotas: { api_calls: 300_000 } }
    const diff = await e.applyCatalogue(next)
    expect(diff.plans.updated).toEqual([
      {
        id: 'plan_pro',
        changes: {
          name: { from: 'Pro', to: 'Pro+' },
          quotas: {
            from: [{ metric: 'api_calls', quota: 250_000, overage_amount: 50, overage_block: 1_000 }],
            to: [{ metric: 'api_calls', quota: 300_000, overage_amount: null, overage_block: null }],
          },
        },
      },
    ])
    expect(diff.prices).toEqual({ created: [], updated: [], archived: [] })
    expect((await e.listAppPlans(APP.id))[1]).toMatchObject({ name: 'Pro+', quotas: { api_calls: 300_000 } })
    expect((await e.applyCatalogue(next)).changed).toBe(false)
  })

  it('a dry run returns the same diff and writes nothing', async () => {
    const e = engine()
    await e.applyCatalogue(catalogue())
    const next = catalogue({ plans: [pro(5_900)] })
    const before = snapshot(e.filename)
    const dry = await e.applyCatalogue(next, { dryRun: true })
    expect(snapshot(e.filename)).toEqual(before)
    expect(dry).toMatchObject({ changed: true, dryRun: true })
    const real = await e.applyCatalogue(next)
    expect({ ...real, dryRun: true }).toEqual(dry)
    // On an engine with no app yet, too.
    const empty = engine()
    const fresh = snapshot(empty.filename)
    expect((await empty.applyCatalogue(catalogue(), { dryRun: true })).app.created).toEqual(['app_acme'])
    expect(snapshot(empty.filename)).toEqual(fresh)
  })

  it('a changed amount is a new price: the subscriber keeps its price id and amount on renewal, new customers get the new one', async () => {
    const e = engine()
    await e.applyCatalogue(catalogue())
    const ada = await customerOn(e, 'ada', 'price_pro_month')
    const diff = await e.applyCatalogue(catalogue({ plans: [catalogue().plans[0], pro(5_900)] }))
    expect(diff.prices).toEqual({ created: [], updated: [{ id: 'price_pro_month', changes: { amount: { from: 4_900, to: 5_900 } } }], archived: ['price_pro_year'] })

    // A new customer choosing `price_pro_month` (the declared id) gets the new amount.
    const bob = await customerOn(e, 'bob', 'price_pro_month')
    const bobPrice = (await e.getSession(bob)).subscription!.price_id
    expect(bobPrice).not.toBe('price_pro_month')
    const offered = (await e.listPlans(bob)).data.find((p) => p.id === 'plan_pro')!.prices
    expect(offered).toEqual([{ id: bobPrice, period: 'month', amount: 5_900, currency: 'USD' }])
    expect((await e.getSession(bob)).plan!.prices.map((p) => p.amount)).toEqual([5_900])
    expect((await e.getSession(ada)).plan!.prices.map((p) => p.amount)).toEqual([4_900, 5_900])

    // Ada still sees and pays her own price.
    const adaPlans = await e.listPlans(ada)
    expect(adaPlans.current_price_id).toBe('price_pro_month')
    expect(adaPlans.data.find((p) => p.id === 'plan_pro')!.prices.map((p) => p.amount)).toEqual([4_900, 5_900])
    const session = await e.getSession(ada)
    e.clock.now = session.subscription!.current_period_end + 60
    await e.renew()
    const renewed = await e.getSession(ada)
    expect(renewed.subscription).toMatchObject({ price_id: 'price_pro_month', status: 'active' })
    const invoices = (await e.listInvoices(ada, { limit: 10 })).data
    expect(invoices[0]).toMatchObject({ status: 'paid', total: 4_900 })
    expect((await e.listInvoices(bob, { limit: 10 })).data[0]).toMatchObject({ status: 'paid', total: 5_900 })
    expect((await e.applyCatalogue(catalogue({ plans: [catalogue().plans[0], pro(5_900)] }))).changed).toBe(false)
  })

  it('an archived plan is hidden from new customers only, and comes back when declared again', async () => {
    const e = engine()
    await e.applyCatalogue(catalogue())
    const ada = await customerOn(e, 'ada', 'price_pro_month')
    const diff = await e.applyCatalogue(catalogue({ plans: [catalogue().plans[0]] }))
    expect(diff.plans.archived).toEqual(['plan_pro'])

    expect((await e.listPublicPlans('pk_acme')).data.map((p) => p.id)).toEqual(['plan_free'])
    expect((await e.listAppPlans(APP.id)).map((p) => p.id)).toEqual(['plan_free'])
    expect((await e.listAppPlans(APP.id, { includeArchived: true })).map((p) => [p.id, p.archived])).toEqual([
      ['plan_free', false],
      ['plan_pro', true],
    ])
    await expectBillingError(e.createCheckout('pk_acme', 'price_pro_month'), 'invalid_request', 'price_id')
    await e.upsertCustomer(APP.id, { customUid: 'bob' })
    const bob = { appId: APP.id, customUid: 'bob' }
    await e.attachPaymentMethod(bob, 'pm_card_visa')
    expect((await e.listPlans(bob)).data.map((p) => p.id)).toEqual(['plan_free'])
    await expectBillingError(e.changeSubscription(bob, 'price_pro_month'), 'invalid_request', 'price_id')
    await expectBillingError(e.subscribe(bob, 'price_pro_month'), 'invalid_request', 'price_id')

    // Ada keeps it, sees it, may move between its prices, and renews on it.
    expect((await e.listPlans(ada)).data.map((p) => p.id)).toEqual(['plan_free', 'plan_pro'])
    expect((await e.previewSubscriptionChange(ada, 'price_pro_year')).price_id).toBe('price_pro_year')
    e.clock.now += 40 * DAY
    await e.renew()
    expect((await e.getSession(ada)).subscription).toMatchObject({ price_id: 'price_pro_month', status: 'active' })

    const back = await e.applyCatalogue(catalogue())
    expect(back.plans.updated).toEqual([{ id: 'plan_pro', changes: { archived: { from: true, to: false } } }])
    expect(back.prices.created).toEqual([])
    expect((await e.listPublicPlans('pk_acme')).data.map((p) => p.id)).toEqual(['plan_free', 'plan_pro'])
  })

  it('two instances starting at once on one file: one applies the catalogue, the other finds nothing to do', async () => {
    const a = engine()
    const b = openSqliteBilling({ filename: a.filename, now: () => T0 })
    open.push(b)
    const diffs = await Promise.all([a.applyCatalogue(catalogue()), b.applyCatalogue(catalogue())])
    expect(diffs.map((d) => d.changed).sort()).toEqual([false, true])
    expect((await b.listAppPlans(APP.id)).map((p) => p.id)).toEqual(['plan_free', 'plan_pro'])
  })

  it('matches plans a version-3 file made with createPlan (migration 5 gives their prices a lookup key)', async () => {
    const filename = tempFile()
    openSqliteBilling({ filename, migrateTo: 3 }).close()
    const raw = new Database(filename)
    raw.exec(`
      insert into apps (id, name, public_key, invoice_prefix, next_invoice_seq, created) values ('app_acme', 'Acme API', 'pk_acme', 'ACME', 1, 0);
      insert into metrics (app_id, key, name, unit) values ('app_acme', 'api_calls', 'API calls', 'calls');
      insert into plans (id, app_id, name, description, features, trial_days, featured, public, sort_order, created) values ('plan_free', 'app_acme', 'Free', '', '[]', 0, 0, 1, 0, 0);
      insert into plan_quotas (plan_id, metric, quota, overage_amount, overage_block) values ('plan_free', 'api_calls', 1000, null, null);
      insert into prices (id, plan_id, app_id, period, amount, currency, created) values ('price_free_month', 'plan_free', 'app_acme', 'month', 0, 'USD', 0);
    `)
    raw.close()
    const e = openSqliteBilling({ filename, now: () => T0 })
    open.push(e)
    const diff = await e.applyCatalogue(catalogue({ plans: [catalogue().plans[0]] }))
    expect(diff.changed).toBe(false)
  })

  it('names the field at fault: a missing id, an id twice, an unknown metric', async () => {
    const e = engine()
    const noPriceId = catalogue({ plans: [{ id: 'plan_x', name: 'X', prices: [{ period: 'month', amount: 1, currency: 'USD' } as never] }] })
    await expectBillingError(e.applyCatalogue(noPriceId), 'invalid_request', 'plans[0].prices[0].id')
    await expectBillingError(e.applyCatalogue(catalogue({ plans: [{ ...pro(1), id: undefined as never }] })), 'invalid_request', 'plans[0].id')
    await expectBillingError(e.applyCatalogue(catalogue({ plans: [pro(1), pro(2)] })), 'invalid_request', 'plans[1].id')
    const badAmount = catalogue({ plans: [pro(-1)] })
    await expectBillingError(e.applyCatalogue(badAmount), 'invalid_request', 'plans[0].prices[0].amount')
    await expectBillingError(e.applyCatalogue({ ...catalogue(), metrics: [] }), 'invalid_request', 'plans.plan_free.quotas.api_calls')
    expect(await e.getCustomer(APP.id, 'nobody')).toBeNull()
    await expectBillingError(e.listAppPlans(APP.id), 'not_found')
  })
})

// ---------------------------------------------------------------- properties

const METRIC_KEYS = ['api_calls', 'tokens'] as const
const priceArb = (id: string) =>
  fc.record({ id: fc.constant(id), period: fc.constantFrom('month' as const, 'year' as const), amount: fc.integer({ min: 0, max: 9_999 }), currency: fc.constantFrom('USD', 'EUR') })
const planArb = (id: string) =>
  fc.record(
    {
      id: fc.constant(id),
      name: fc.constantFrom('Free', 'Pro', 'Scale'),
      description: fc.string({ maxLength: 6 }),
      features: fc.array(fc.constantFrom('SLA', 'Support', 'SSO'), { maxLength: 3 }),
      quotas: fc.dictionary(fc.constantFrom(...METRIC_KEYS), fc.option(fc.integer({ min: 0, max: 1_000 }), { nil: null }), { maxKeys: 2 }),
      trialDays: fc.integer({ min: 0, max: 14 }),
      featured: fc.boolean(),
      public: fc.boolean(),
      sortOrder: fc.integer({ min: 0, max: 3 }),
      prices: fc.subarray(['a', 'b', 'c'], { minLength: 1 }).chain((slots) => fc.tuple(...slots.map((s) => priceArb(`${id}_${s}`)))),
    },
    { requiredKeys: ['id', 'name', 'prices'] },
  )
const catalogueArb: fc.Arbitrary<CatalogueInput> = fc
  .subarray(['p1', 'p2', 'p3'], { minLength: 1 })
  .chain((ids) => fc.tuple(...ids.map(planArb)))
  .map((plans) => ({
    app: { id: 'app_prop', name: 'Prop API', publicKey: 'pk_prop' },
    metrics: METRIC_KEYS.map((key) => ({ key, name: key, unit: 'units' })),
    plans: plans as CataloguePlan[],
  }))

describe('applyCatalogue properties', () => {
  it('applying any catalogue twice changes nothing the second time', async () => {
    await fc.assert(
      fc.asyncProperty(catalogueArb, catalogueArb, async (a, b) => {
        const e = engine()
        try {
          expect((await e.applyCatalogue(a)).changed).toBe(true)
          expect((await e.applyCatalogue(a)).changed).toBe(false)
          await e.applyCatalogue(b)
          const again = await e.applyCatalogue(b)
          expect(again).toEqual({ ...again, changed: false })
          // What is offered is what b declares: every declared price, at its declared amount.
          const offered = (await e.listAppPlans('app_prop')).flatMap((p) => p.prices.map((x) => [p.id, x.period, x.amount, x.currency]))
          const declared = b.plans.flatMap((p) => p.prices.map((x) => [p.id, x.period, x.amount, x.currency]))
          expect(offered.sort()).toEqual(declared.sort())
        } finally {
          await e.close()
        }
      }),
      { numRuns: 30 },
    )
  }, 120_000)

  it('applying another catalogue never changes what an existing subscriber pays', async () => {
    await fc.assert(
      fc.asyncProperty(catalogueArb, catalogueArb, fc.nat(), async (a, b, pick) => {
        const clock = { now: T0 }
        const e = engine(clock)
        try {
          await e.applyCatalogue(a)
          const prices = a.plans.flatMap((p) => p.prices)
          const chosen = prices[pick % prices.length]
          const scope = await customerOn(e, 'ada', chosen.id, 'app_prop')
          await e.applyCatalogue(b)
          const sub = (await e.getSession(scope)).subscription!
          expect(sub.price_id).toBe(chosen.id)
          clock.now = Math.max(sub.current_period_end, sub.trial_end ?? 0) + 60
          await e.renew()
          const renewed = (await e.getSession(scope)).subscription!
          expect(renewed.price_id).toBe(chosen.id)
          const last = (await e.listInvoices(scope, { limit: 1 })).data[0]
          if (chosen.amount > 0) expect(last).toMatchObject({ total: chosen.amount, currency: chosen.currency, created: sub.trial_end ?? sub.current_period_end })
        } finally {
          await e.close()
        }
      }),
      { numRuns: 25 },
    )
  }, 120_000)
})

// ---------------------------------------------------------------- customers

describe('upsertCustomer and getCustomer', () => {
  it('creates once, updates only what is given, and two at once make one customer', async () => {
    const e = engine()
    await e.applyCatalogue(catalogue())
    await Promise.all([e.upsertCustomer(APP.id, { customUid: 'ada', email: 'ada@example.com' }), e.upsertCustomer(APP.id, { customUid: 'ada', email: 'ada@example.com' })])
    expect(await e.upsertCustomer(APP.id, { customUid: 'ada', name: 'Ada' })).toEqual({ id: 'ada', email: 'ada@example.com', name: 'Ada' })
    expect(await e.upsertCustomer(APP.id, { customUid: 'ada' })).toEqual({ id: 'ada', email: 'ada@example.com', name: 'Ada' })
    expect(await e.getCustomer(APP.id, 'ada')).toEqual({ id: 'ada', email: 'ada@example.com', name: 'Ada' })
    expect(await e.getCustomer(APP.id, 'bob')).toBeNull()
    await expectBillingError(e.upsertCustomer('app_missing', { customUid: 'ada' }), 'not_found')
    await expectBillingError(e.upsertCustomer(APP.id, { customUid: '' }), 'invalid_request', 'customUid')
    const db = new Database(e.filename, { readonly: true })
    expect(db.prepare("select count(*) as n from customers where custom_uid = 'ada'").get()).toEqual({ n: 1 })
    db.close()
  })
})

// ---------------------------------------------------------------- newcomer stumbles

describe('the newcomer server stumbles', () => {
  it('opens a file whose directory does not exist yet (.data/billing.sqlite on a fresh checkout)', async () => {
    const filename = join(root, 'fresh-checkout', '.data', 'billing.sqlite')
    const e = openSqliteBilling({ filename })
    open.push(e)
    expect((await e.applyCatalogue(catalogue())).changed).toBe(true)
  })

  it('a token for a uid with no customer: the browser gets "No such customer", the log names the uid and upsertCustomer', async () => {
    const portal = createTestPortal()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const res = await portal.fetch('/api/portal/session', { headers: { authorization: `Bearer ${await portal.token('user_never_created')}` } })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'No such customer' } })
      const logged = warn.mock.calls.map((c) => String(c[0]))
      expect(logged).toEqual([expect.stringMatching(/"user_never_created".*upsertCustomer/)])
    } finally {
      warn.mockRestore()
      await portal.close()
    }
  })

  it('a request outside basePath says so and suggests the basePath it was mounted at', async () => {
    const portal = createTestPortal()
    try {
      const res = await portal.fetch('/billing-api/session')
      expect(res.status).toBe(404)
      const { error } = (await res.json()) as { error: { message: string } }
      expect(error.message).toBe('No route GET /billing-api/session: this handler\'s basePath is "/api/portal"; mounted at /billing-api? pass createPortalHandler({ basePath: "/billing-api" })')
      const unknown = await (await portal.fetch('/elsewhere')).json()
      expect(unknown.error.message).toBe('No route GET /elsewhere: this handler\'s basePath is "/api/portal"')
    } finally {
      await portal.close()
    }
  })
})
