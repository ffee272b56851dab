/**
 * The seller's own API under load beside the portal's: clients calling guard processes
 * (fixtures/server-process.ts in guard mode) with the real API keys of three customers, a
 * hard-quota one among them, until the portal load is done; then the audit that the usage
 * the portal shows is exactly the requests the guards answered 2xx (docs/metering.md,
 * "Exact after close"), and a hard limit is held within instances × events per flush.
 */
import { expect } from 'vitest'
import type { CustomerScope, Session, SqliteBilling } from '../../src/server/index.js'
import { createPortalToken } from '../../src/server/index.js'
import { TEST_APP_ID, TEST_SECRET } from '../helpers/portal.js'
import type { Served } from './support.js'

/** Small, so the hard limit's bound (guards × this) is tight enough to mean something. */
export const GUARD_FLUSH_EVENTS = 100

export interface MeteredCustomer {
  scope: CustomerScope
  /** A quota the guard refuses past; null when overage is priced or there is no quota. */
  hardLimit: number | null
  secrets: string[]
}

/** The demo's Free (1,000 calls, hard: 2 keys), Pro (overage priced: 2 keys), Scale (unlimited: 1 key), made through the engine; no usage yet. */
export async function meteredCustomers(engine: SqliteBilling): Promise<MeteredCustomer[]> {
  const plans: [string, number][] = [
    ['price_free_month', 2],
    ['price_pro_month', 2],
    ['price_scale_month', 1],
  ]
  const customers = await Promise.all(
    plans.map(async ([price, keys], i) => {
      const scope = { appId: TEST_APP_ID, customUid: `cus_metered_${i}` }
      await engine.createCustomer(TEST_APP_ID, { customUid: scope.customUid, email: `metered${i}@example.com` })
      await engine.attachPaymentMethod(scope, 'pm_card_visa')
      await engine.subscribe(scope, price)
      const { limit, overage_priced } = await engine.check(scope, 'api_calls', { amount: 0 })
      const hardLimit = overage_priced ? null : limit
      const secrets: string[] = []
      for (let k = 0; k < keys; k++) secrets.push((await engine.createApiKey(scope, `metered ${k}`)).secret)
      return { scope, hardLimit, secrets }
    }),
  )
  expect(customers.map((c) => c.hardLimit !== null), 'which plans refuse past their quota').toEqual([true, false, false])
  return customers
}

export interface GuardLoad {
  /** Answers 2xx per customer: what the portal must show as usage after the guards close. */
  ok: Map<string, number>
  /** `429 quota_exceeded` per customer. */
  refused: Map<string, number>
  answered(): number
  failures: string[]
  /** Lets each client finish its request in flight (and reach its minimum), then resolves. */
  stop(): Promise<void>
}

/**
 * `clients` clients, each on one key, alternating between the guards, pausing `pauseMs`
 * between requests (the portal load shares the machine), until stopped and each has sent
 * at least `minimum`: on a quiet machine the portal load ends early, and the hard-quota
 * customer (2 keys of 5: 4 clients × 400) must still reach its limit.
 */
export function startGuardLoad(guards: Served[], customers: MeteredCustomer[], { clients = 10, pauseMs = 20, minimum = 400 } = {}): GuardLoad {
  const keys = customers.flatMap((c) => c.secrets.map((secret) => ({ uid: c.scope.customUid, secret })))
  const load = { ok: new Map<string, number>(), refused: new Map<string, number>(), failures: [] as string[] }
  for (const c of customers) {
    load.ok.set(c.scope.customUid, 0)
    load.refused.set(c.scope.customUid, 0)
  }
  let stopped = false
  let answered = 0
  const client = async (index: number) => {
    const { uid, secret } = keys[index % keys.length]
    for (let n = 0; !stopped || n < minimum; n++) {
      const guard = guards[(index + n) % guards.length]
      try {
        const response = await fetch(`${guard.url}/v1/echo`, { headers: { authorization: `Bearer ${secret}` } })
        await response.arrayBuffer()
        answered++
        if (response.ok) load.ok.set(uid, load.ok.get(uid)! + 1)
        else if (response.status === 429) load.refused.set(uid, load.refused.get(uid)! + 1)
        else load.failures.push(`${uid}: ${response.status}`)
      } catch (error) {
        load.failures.push(`${uid}: ${String(error)}`)
      }
      await new Promise((resume) => setTimeout(resume, pauseMs))
    }
  }
  const running = Promise.all(Array.from({ length: clients }, (_, i) => client(i)))
  return {
    ...load,
    answered: () => answered,
    async stop() {
      stopped = true
      await running
    },
  }
}

/** Per customer, the usage `GET /session` shows (asked of `portal`) equals the guards' 2xx answers; a hard limit held within `bound`. */
export async function auditUsage(portal: Served, load: GuardLoad, customers: MeteredCustomer[], bound: number): Promise<Map<string, number>> {
  const shown = new Map<string, number>()
  for (const { scope, hardLimit } of customers) {
    const uid = scope.customUid
    const { token } = await createPortalToken({ appId: TEST_APP_ID, secret: TEST_SECRET, customUid: uid })
    const response = await fetch(`${portal.url}/api/portal/session`, { headers: { authorization: `Bearer ${token}` } })
    expect(response.status).toBe(200)
    const used = ((await response.json()) as Session).usage.find((m) => m.metric === 'api_calls')!.used
    shown.set(uid, used)
    expect(used, `usage of ${uid} the portal shows vs the guards' 2xx answers`).toBe(load.ok.get(uid))
    if (hardLimit === null) {
      expect(load.refused.get(uid), `refusals of ${uid}, whose plan has no hard limit`).toBe(0)
    } else {
      // The customer reached its limit (refusals happened), and went past it by no more than the bound.
      expect(load.refused.get(uid), `refusals of ${uid} at its limit of ${hardLimit}`).toBeGreaterThan(0)
      expect(used).toBeGreaterThanOrEqual(hardLimit)
      expect(used - hardLimit, `overshoot of ${uid}`).toBeLessThanOrEqual(bound)
    }
  }
  return shown
}
