/**
 * Issue 12, finding 7 and the id extra, on `stripeBilling` over the Stripe double (the
 * SQLite engine's side is test/hardening/isolation.test.ts):
 *
 * - another customer's invoice or card answers exactly as an unknown id does (status and body);
 * - an id outside Stripe's own alphabet (`.`, `..`, `:`, `-`, `/`) never reaches a Stripe URL,
 *   and answers as an unknown id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStripePortal, type StripePortal } from './stripe-portal.js'
import { answer, caseCounter, type Answer } from './support.js'

let s: StripePortal
let token: string
beforeAll(async () => {
  s = await createStripePortal()
  token = await s.token('cus_active')
})
const counter = caseCounter()
afterAll(async () => {
  console.log(`security (ids): ${counter.tried()} requests with foreign, unknown or malformed ids on stripeBilling, each answered as an unknown id`)
  await s.close()
})

async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'idempotency-key': crypto.randomUUID() }
  if (body !== undefined) headers['content-type'] = 'application/json'
  counter.count()
  return answer(await s.fetch(`${s.apiUrl}${path}`, { method, headers, body: body === undefined ? (method === 'GET' ? undefined : '{}') : JSON.stringify(body) }))
}

const routes: [string, (id: string) => string, 'invoice' | 'method'][] = [
  ['GET', (id) => `/invoices/${id}`, 'invoice'],
  ['POST', (id) => `/payment-methods/${id}/default`, 'method'],
  ['DELETE', (id) => `/payment-methods/${id}`, 'method'],
]

describe('finding 7: another customer’s ids answer as unknown ids on stripeBilling', () => {
  it('for invoices and payment methods of two other customers', async () => {
    const world = s.double.world
    const victims = ['cus_many_invoices', 'cus_canceled'].map((uid) => s.double.demo.customers[uid])
    for (const victim of victims) {
      const ids = {
        invoice: [...world.invoices.values()].filter((i) => i.customer === victim).slice(0, 3).map((i) => i.id),
        method: [...world.paymentMethods.values()].filter((m) => m.customer === victim).map((m) => m.id),
      }
      for (const [method, path, kind] of routes) {
        expect(ids[kind].length).toBeGreaterThan(0)
        const unknown = await call(method, path(`${kind === 'invoice' ? 'in' : 'pm'}_doesnotexist0000`))
        expect(unknown.status).toBe(404)
        for (const id of ids[kind]) {
          const theirs = await call(method, path(id))
          expect(theirs.status, `${method} ${path(id)}`).toBe(404)
          expect(theirs.json).toEqual(unknown.json)
        }
      }
    }
  })
})

describe('ids outside Stripe’s alphabet never reach Stripe', () => {
  const malformed = ['in_1.json', 'in_1:2', 'in-1', '.hidden', 'a..b', 'in_1%2F..', '%2E%2E%2Fcustomers']
  it.each(malformed)('%s in a path, a cursor and a body', async (id) => {
    const before = s.double.requests.length
    for (const [method, path, kind] of routes) {
      const bad = await call(method, path(id))
      const unknown = await call(method, path(`${kind === 'invoice' ? 'in' : 'pm'}_doesnotexist0000`))
      // Either the router refuses the segment outright (no route fits it) or the backend answers as for an unknown id.
      const noRoute = /^No route /.test((bad.json as { error: { message: string } }).error.message)
      expect(bad.status).toBe(404)
      if (!noRoute) expect(bad.json).toEqual(unknown.json)
    }
    const cursor = await call('GET', `/invoices?starting_after=${id}`)
    expect(cursor.status).toBe(400)
    const attach = await call('POST', '/payment-methods', { payment_method: decodeURIComponent(id) })
    expect(attach.status).toBe(400)
    const reached = s.double.requests.slice(before).map((r) => r.path).filter((p) => !/^\/v1(\/[A-Za-z0-9_]+)+$/.test(p))
    expect(reached).toEqual([])
  })
})
