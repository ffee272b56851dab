// @vitest-environment happy-dom
// The browser-core suites import the test portal from happy-dom, where Request, Response,
// Headers and fetch are happy-dom's own: check the in-process fetch works there.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TestPortal } from '../helpers/portal.js'
import { createTestPortal } from '../helpers/portal.js'

describe('createTestPortal under happy-dom', () => {
  let portal: TestPortal
  let token: string
  beforeEach(async () => {
    portal = createTestPortal()
    token = await portal.token('cus_active')
  })
  afterEach(() => portal.close())

  it('serves GET on a relative and an absolute URL', async () => {
    expect(typeof window.document).toBe('object')
    const relative = await portal.fetch('/api/portal/session', { headers: { authorization: `Bearer ${token}` } })
    expect(relative.status).toBe(200)
    expect(((await relative.json()) as { plan: { name: string } }).plan.name).toBe('Pro')
    const absolute = await portal.fetch(`${portal.apiUrl}/invoices?limit=2`, { headers: new Headers({ authorization: `Bearer ${token}` }) })
    expect(((await absolute.json()) as { data: unknown[] }).data).toHaveLength(2)
  })

  it('sends a JSON body and reads the error envelope', async () => {
    const response = await portal.fetch(`${portal.apiUrl}/subscription`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ price_id: 5 }),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_request', field: 'price_id' } })
  })

  it('rejects with an AbortError when the signal is already aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(portal.fetch(`${portal.apiUrl}/session`, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('mints tokens that expire on the portal clock', async () => {
    let clock = 1_800_000_000
    const timed = createTestPortal({ now: () => clock })
    try {
      const short = await timed.token('cus_active', 60)
      clock += 120
      const response = await timed.fetch('/api/portal/session', { headers: { authorization: `Bearer ${short}` } })
      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({ error: { code: 'session_expired' } })
    } finally {
      await timed.close()
    }
  })
})
