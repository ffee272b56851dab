/**
 * Load across processes on one PostgreSQL database: four Portal API server processes
 * (fixtures/server-process.ts), 4,000 requests from 50 clients spread over all four, half
 * of them mutations with Idempotency-Keys and their retries landing on any process. Only
 * the database is shared: customers' row locks, the app's invoice counter and the
 * Idempotency-Key table keep the processes apart. No 5xx, and the audit finds no lost
 * or doubled write. Then one process is killed with SIGKILL mid-run: the others go on,
 * clients resend to them with the same keys, nothing answered is lost and nothing is
 * charged twice.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { CustomerScope } from '../../src/server/billing/types.js'
import { postgres, type OpenedEngine } from '../helpers/engines.js'
import { TEST_APP_ID } from '../helpers/portal.js'
import { CLIENTS, audit, countInvoices, report, runLoad, startProcess, type AuditSql, type LoadTarget, type ServerProcess } from './load-support.js'

const PROCESSES = 4
const CUSTOMERS = 10

let opened: OpenedEngine | undefined
let servers: ServerProcess[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()))
  servers = []
  await opened?.close()
  opened = undefined
})

describe('load on one PostgreSQL database, across processes', () => {
  it(`${PROCESSES} server processes: 4,000 requests from ${CLIENTS} clients, half mutations; then kill -9 one mid-run`, async () => {
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
    const errors: string[] = []
    const { connectionString } = opened.location as { connectionString: string }
    servers = await Promise.all(Array.from({ length: PROCESSES }, () => startProcess(connectionString, errors)))
    let alive = [...servers]
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
    invoicesBefore = await countInvoices(sql)
    started = performance.now()
    const survived = await runLoad(target, 12, {
      requestsPerClient: 15,
      during(requests) {
        if (killedAt === 0 && requests >= 300) {
          killedAt = requests
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
  }, 120_000)
})
