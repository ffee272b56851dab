// @vitest-environment node
/**
 * The typed Portal API covers the server's routes one to one, declares what may be retried,
 * and is the only browser module that knows a path.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { ApiClient, RequestPolicy } from '../../../src/api/client.js'
import { createPortalApi, type PortalApi } from '../../../src/api/portal-api.js'
import { routes } from '../../../src/server/routes.js'
import { setup } from './support.js'

interface Sent {
  method: string
  path: string
  body: unknown
  policy: RequestPolicy
}

function recorder(): { api: PortalApi; sent: Sent[] } {
  const sent: Sent[] = []
  const transport = {
    request: async (method: string, path: string, body?: unknown, policy: RequestPolicy = {}) => (sent.push({ method, path, body, policy }), {}),
  } as unknown as ApiClient
  return { api: createPortalApi(transport), sent }
}

/** One call of every function, with ids that need encoding. */
async function callAll(api: PortalApi): Promise<Record<keyof PortalApi, true>> {
  const id = 'a/b c'
  await api.session()
  await api.plans()
  await api.invoices({ limit: 5, starting_after: 'in_1' })
  await api.invoice(id)
  await api.payInvoice(id)
  await api.billingDetails()
  await api.updateBillingDetails({ name: 'Ada' })
  await api.paymentMethods()
  await api.setupPaymentMethod()
  await api.attachPaymentMethod({ payment_method: 'pm_card_visa', make_default: true })
  await api.setDefaultPaymentMethod(id)
  await api.removePaymentMethod(id)
  await api.previewSubscription({ price_id: 'p' })
  await api.changeSubscription({ price_id: 'p', proration_date: 1 }, { idempotencyKey: 'mine' })
  await api.undoScheduledChange()
  await api.cancelSubscription({ at_period_end: false })
  await api.resumeSubscription()
  await api.apiKeys()
  await api.createApiKey({ name: 'CI' })
  await api.rollApiKey(id)
  await api.revokeApiKey(id)
  await api.usage({ metric: 'api_calls', granularity: 'hour' })
  await api.setUsageLimit({ metric: 'api_calls', max_overage_amount: null })
  await api.usageAlerts()
  await api.createUsageAlert({ metric: 'api_calls', threshold_percent: 80, of: 'quota' })
  await api.deleteUsageAlert(id)
  await api.publicPlans(id)
  await api.checkout(id, { price_id: 'p' })
  // `satisfies` fails to compile when PortalApi gains a function this list does not call.
  const called = { session: true, plans: true, invoices: true, invoice: true, payInvoice: true, billingDetails: true, updateBillingDetails: true, paymentMethods: true, setupPaymentMethod: true, attachPaymentMethod: true, setDefaultPaymentMethod: true, removePaymentMethod: true, previewSubscription: true, changeSubscription: true, undoScheduledChange: true, cancelSubscription: true, resumeSubscription: true, apiKeys: true, createApiKey: true, rollApiKey: true, revokeApiKey: true, usage: true, setUsageLimit: true, usageAlerts: true, createUsageAlert: true, deleteUsageAlert: true, publicPlans: true, checkout: true } as const
  return called satisfies Record<keyof PortalApi, true>
}

describe('the typed Portal API', () => {
  test('one function per route of the server, and no other', async () => {
    const { api, sent } = recorder()
    const called = await callAll(api)
    expect(sent).toHaveLength(Object.keys(called).length)
    const pattern = (path: string[]) => new RegExp(`^/${path.map((p) => (p.startsWith(':') ? '[^/?]+' : p)).join('/')}(\\?.*)?$`)
    const served = routes.filter((r) => r.path.join('/') !== 'openapi.json')
    for (const route of served) {
      const hits = sent.filter((s) => s.method === route.method && pattern(route.path).test(s.path))
      expect(hits, `${route.method} /${route.path.join('/')}`).toHaveLength(1)
    }
    expect(served).toHaveLength(sent.length)
  })

  test('ids are one encoded path segment; the page is a query', async () => {
    const { api, sent } = recorder()
    await api.invoice('a/b c')
    await api.rollApiKey('../session')
    await api.invoices({ limit: 5, starting_after: 'in_1' })
    await api.invoices()
    expect(sent.map((s) => s.path)).toEqual(['/invoices/a%2Fb%20c', '/api-keys/..%2Fsession/roll', '/invoices?limit=5&starting_after=in_1', '/invoices'])
  })

  test('reads and the preview may retry; every mutation carries an Idempotency-Key (the caller’s, else a fresh one)', async () => {
    const { api, sent } = recorder()
    await callAll(api)
    for (const s of sent) {
      const mutation = s.method !== 'GET' && s.path !== '/subscription/preview'
      if (mutation) expect(s.policy.idempotencyKey, `${s.method} ${s.path}`).toMatch(/\S/)
      else expect(s.policy.idempotencyKey, `${s.method} ${s.path}`).toBeUndefined()
    }
    expect(sent.find((s) => s.path === '/subscription/preview')!.policy.safe).toBe(true)
    expect(sent.find((s) => s.path === '/subscription')!.policy.idempotencyKey).toBe('mine')
    const keys = sent.map((s) => s.policy.idempotencyKey).filter(Boolean)
    expect(new Set(keys).size).toBe(keys.length)
  })

  test('against the real handler: every read answers, a preview is retried after a 503', async () => {
    const t = setup()
    try {
      const client = await t.client('cus_active')
      await expect(client.api.session()).resolves.toMatchObject({ customer: { id: 'cus_active' } })
      await expect(client.api.invoices({ limit: 2 })).resolves.toMatchObject({ data: { length: 2 }, has_more: true })
      let failures = 1
      const flaky = (async (input: RequestInfo | URL, init?: RequestInit) =>
        failures-- > 0 ? Response.json({ error: { code: 'server', message: 'busy' } }, { status: 503 }) : t.fetch(input, init)) as typeof fetch
      client.update({ fetch: flaky })
      await expect(client.api.previewSubscription({ price_id: 'price_scale_month' })).resolves.toMatchObject({ price_id: 'price_scale_month' })
    } finally {
      await t.close()
    }
  })
})

describe('paths live in src/api/portal-api.ts alone', () => {
  const root = join(__dirname, '../../../src')
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name)
      return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : []
    })
  // The browser side: everything but the server.
  const browser = files(root).filter((f) => !relative(root, f).startsWith('server'))
  test.each(['/session', '/plans', '/invoices', '/customer', '/payment-methods', '/subscription', '/api-keys', '/public/'])('%s', (path) => {
    // In code, not comments: a path in a string, alone or after its method (`'GET /session'`).
    const code = (f: string) => readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
    const inString = new RegExp(`['"\`](?:(?:GET|POST|DELETE) )?${path}`)
    const holders = browser.filter((f) => inString.test(code(f)))
    expect(holders.map((f) => relative(root, f))).toEqual(['api/portal-api.ts'])
  })
})
