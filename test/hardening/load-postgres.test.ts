/**
 * Load across processes on one PostgreSQL database: four Portal API server processes
 * (fixtures/server-process.ts), 4,000 requests from 50 clients spread over all four, half
 * of them mutations with Idempotency-Keys and their retries landing on any process. Only
 * the database is shared: customers' row locks, the app's invoice counter and the
 * Idempotency-Key table keep the processes apart. No 5xx, and the audit finds no lost
 * or doubled write. Then one process is killed with SIGKILL mid-run: the others go on,
 * clients resend to them with the same keys, nothing answered is lost and nothing is
 * charged twice.
 *
 * Beside them, through both runs, two processes serve the seller's own API behind
 * `createApiKeyGuard` on the same database, called with real API keys of three customers
 * (one on a hard quota it reaches). The guards keep going while a handler dies; after they
 * close, the usage the portal shows is exactly the calls they answered 2xx.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { CustomerScope } from '../../src/server/billing/types.js'
import { postgres, type OpenedEngine } from '../helpers/engines.js'
import { TEST_APP_ID } from '../helpers/portal.js'
import { GUARD_FLUSH_EVENTS, auditUsage, meteredCustomers, startGuardLoad, type GuardLoad } from './guard-load.js'
import { CLIENTS, audit, countInvoices, report, runLoad, startProcess, type AuditSql, type LoadTarget, type ServerProcess } from './load-support.js'

const PROCESSES = 4
const GUARDS = 2
const CUSTOMERS = 10

let opened: OpenedEngine | undefined
let servers: ServerProcess[] = []
let guardLoad: GuardLoad | undefined
afterEach(async () => {
  await guardLoad?.stop()
  guardLoad = undefined
  await Promise.all(servers.map((s) => s.close()))
  servers = []
  await opened?.close()
  opened = undefined
})

describe('load on one PostgreSQL database, across processes', () => {
  it(`${PROCESSES} server processes and ${GUARDS} guards: 4,000 requests from ${CLIENTS} clients, half mutations, metered calls beside; then kill -9 one mid-run`, async () => {
    opened = await postgres.open({ seed: 'demo' })
    const { engine } = opened
    const sql: AuditSql = (text, params) => opened!.sql(text.split('?').reduce((a, part, i) => `${a}$${i}${part}`), params)
    const customers: CustomerScope[] = []
      const keyIds = new Map<string, string[]>()
    for (let i = 0; i < CUSTOMERS; i++) {
      const customUid = `cus_load_${i}`
      const scope = { appId: TEST_APP_ID, customUid }
      await engine.createCustomer(TEST_APP_ID, { customUid, email: `load${i}@example.com`, name: `Load ${i}` })
      await engine.attachPaymentMethod(scope, 'pm_card_visa')
      await engine.subscribe(scope, 'price_pro_month')
      keyIds.set(customUid, [(await engine.createApiKey(scope, 'one')).id, (await engine.createApiKey(scope, 'two')).id])
        customers.push(scope)
    }
    const metered = await meteredCustomers(engine)
    const errors: string[] = []
    const { connectionString } = opened.location as { connectionString: string }
    const guardArgs = ['guard', String(GUARD_FLUSH_EVENTS)]
    servers = await Promise.all([...Array.from({ length: PROCESSES }, () => startProcess(connectionString, errors)), ...Array.from({ length: GUARDS }, () => startProcess(connectionString, errors, guardArgs))])
    const guards = servers.slice(PROCESSES)
    let alive = servers.slice(0, PROCESSES)
    guardLoad = startGuardLoad(guards, metered)
    // No affinity: any request, and any retry of it, may reach any process.
    const target: LoadTarget = { billing: engine, serverFor: (client, n) => alive[(client + n) % alive.length], customers, keyIds }

    let invoicesBefore = await countInvoices(sql)
    let started = performance.now()
    const ledger = await runLoad(target, 11, { requestsPerClient: 80 })
    report(`${PROCESSES} processes on PostgreSQL`, ledger, performance.now() - started)
    expect(ledger.failures).toEqual([])
    expect(errors).toEqual([])
    expect(ledger.requests).toBeGreaterThanOrEqual(4_000)
    expect(ledger.unknown).toEqual({ adds: new Map(), removes: new Map(), rolls: new Set(), changes: 0 })
    await audit(sql, target, ledger, invoicesBefore)

    // kill -9 one process a third of the way into another run.
    const victim = servers[1]
    let killedAt = 0
    let guardCallsAtKill = 0
    invoicesBefore = await countInvoices(sql)
    started = performance.now()
    const survived = await runLoad(target, 12, {
      requestsPerClient: 15,
      during(requests) {
        if (killedAt === 0 && requests >= 300) {
          killedAt = requests
          guardCallsAtKill = guardLoad!.answered()
          victim.kill()
          alive = alive.filter((s) => s !== victim)
        }
      },
    })
    report(`${PROCESSES} processes, one killed after ${killedAt} requests`, survived, performance.now() - started)
    expect(killedAt).toBeGreaterThan(0)
    expect(victim.child.signalCode).toBe('SIGKILL')
    expect(survived.failures).toEqual([])
    expect(errors).toEqual([])
    expect(survived.requests).toBeGreaterThanOrEqual(750)
    await audit(sql, target, survived, invoicesBefore)

    // The guards went on through the kill; closing them flushes the last of their counts.
    const metering = guardLoad
    expect(metering.answered(), 'guarded calls answered while a handler died').toBeGreaterThan(guardCallsAtKill)
    await metering.stop()
    await Promise.all(guards.map((g) => g.close()))
    expect(guards.map((g) => g.child.exitCode)).toEqual([0, 0])
    expect(metering.failures).toEqual([])
    expect(errors).toEqual([])
    const shown = await auditUsage(alive[0], metering, metered, GUARDS * GUARD_FLUSH_EVENTS)
    console.log(`metering (${GUARDS} guard processes): ${metering.answered()} calls; 2xx ${JSON.stringify(Object.fromEntries(metering.ok))}, 429 ${JSON.stringify(Object.fromEntries(metering.refused))}; usage shown ${JSON.stringify(Object.fromEntries(shown))}`)
  }, 120_000)
})
