import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqliteBilling } from '../../src/server/billing/sqlite.js'
import type { MeteringBackend, TrackEvent } from '../../src/server/billing/types.js'
import { createApiKeyGuard, type ApiKeyGuard, type ApiKeyGuardOptions } from '../../src/server/index.js'
import { createTestPortal, type TestPortal } from '../helpers/portal.js'

const scope = (customUid: string) => ({ appId: 'app_demo', customUid })
const call = (key: string | null, headers: Record<string, string> = {}) =>
  new Request('http://api.test/v1/echo', { headers: key === null ? headers : { authorization: `Bearer ${key}`, ...headers } })

describe('createApiKeyGuard', () => {
  let portal: TestPortal
  const guards: ApiKeyGuard[] = []
  /** A guard whose timer never fires during a test unless asked: flushes are the test's to make. */
  const guardOf = (options: Partial<ApiKeyGuardOptions> = {}) => {
    const guard = createApiKeyGuard({ billing: portal.billing, metric: 'api_calls', flushIntervalMs: 3_600_000, ...options })
    guards.push(guard)
    return guard
  }
  const used = async (uid: string) => (await portal.billing.getSession(scope(uid))).usage[0].used

  beforeEach(() => {
    portal = createTestPortal()
  })
  afterEach(async () => {
    await Promise.all(guards.splice(0).map((g) => g.close()))
    await portal.close()
  })

  it('answers one 401 invalid_api_key body for a missing, malformed, unknown, rolled or revoked key', async () => {
    const guard = guardOf()
    const rolledAway = await portal.billing.createApiKey(scope('cus_free'), 'Rolled')
    await portal.billing.rollApiKey(scope('cus_free'), rolledAway.id)
    const revoked = await portal.billing.createApiKey(scope('cus_free'), 'Revoked')
    await portal.billing.revokeApiKey(scope('cus_free'), revoked.id)
    const bodies = new Set<string>()
    for (const request of [call(null), call('not a key'), new Request('http://x/', { headers: { authorization: 'Basic abc' } }), call('ak_live_0000000000000000'), call(rolledAway.secret), call(revoked.secret)]) {
      const verdict = await guard.check(request)
      expect(verdict.ok).toBe(false)
      if (verdict.ok) continue
      expect(verdict.response.status).toBe(401)
      expect(verdict.response.headers.get('www-authenticate')).toBe('Bearer')
      bodies.add(await verdict.response.text())
    }
    expect([...bodies]).toEqual([JSON.stringify({ error: { code: 'invalid_api_key', message: 'Missing or invalid API key.' } })])
  })

  it('takes the key from Authorization: Bearer or X-API-Key, and names its customer', async () => {
    const guard = guardOf()
    const key = await portal.billing.createApiKey(scope('cus_free'), 'Server')
    for (const request of [call(key.secret), call(null, { 'x-api-key': key.secret })]) {
      expect(await guard.check(request)).toMatchObject({ ok: true, customer: { appId: 'app_demo', customUid: 'cus_free', apiKeyId: key.id } })
    }
  })

  it('counts locally, refuses at a hard limit between flushes, and the portal shows exactly the 2xx count after close', async () => {
    const guard = guardOf()
    const key = await portal.billing.createApiKey(scope('cus_free'), 'Server')
    const before = await used('cus_free') // 420 of the Free plan's 1,000
    await portal.billing.track(scope('cus_free'), 'api_calls', 1_000 - before - 3)
    const verdicts = []
    for (let i = 0; i < 5; i++) verdicts.push(await guard.check(call(key.secret)))
    expect(verdicts.map((v) => v.ok)).toEqual([true, true, true, false, false])
    expect(await used('cus_free')).toBe(997) // nothing flushed yet: the local counter refused
    expect(verdicts[0].ok && verdicts[0].headers).toEqual({ 'RateLimit-Policy': '"api_calls";q=1000', RateLimit: expect.stringMatching(/^"api_calls";r=2;t=\d+$/) })
    const refused = verdicts[3]
    if (refused.ok) throw new Error('expected a refusal')
    expect(refused.response.status).toBe(429)
    expect(await refused.response.json()).toMatchObject({ error: { code: 'quota_exceeded' } })
    const session = await portal.billing.getSession(scope('cus_free'))
    const resetIn = session.subscription!.current_period_end - Math.floor(Date.now() / 1000)
    expect(Number(refused.response.headers.get('retry-after'))).toBeGreaterThanOrEqual(resetIn - 2)
    expect(Number(refused.response.headers.get('retry-after'))).toBeLessThanOrEqual(resetIn + 2)
    expect(refused.response.headers.get('ratelimit')).toMatch(/^"api_calls";r=0;t=\d+$/)
    await guard.close()
    expect(await used('cus_free')).toBe(1_000)
  })

  it('lets an overage-priced plan go past its quota', async () => {
    const guard = guardOf()
    const key = await portal.billing.createApiKey(scope('cus_active'), 'Bulk')
    const before = await used('cus_active')
    const quota = (await portal.billing.check(scope('cus_active'), 'api_calls')).limit!
    await portal.billing.track(scope('cus_active'), 'api_calls', quota - before)
    expect(await guard.check(call(key.secret))).toMatchObject({ ok: true })
  })

  it('answers 403 with the reason for a past-due or ended subscription, and counts nothing', async () => {
    const guard = guardOf()
    for (const [uid, code] of [['cus_past_due', 'subscription_inactive'], ['cus_canceled', 'no_subscription']]) {
      const key = await portal.billing.createApiKey(scope(uid), 'Server')
      const before = await used(uid).catch(() => 0)
      const verdict = await guard.check(call(key.secret))
      if (verdict.ok) throw new Error(`expected ${uid} refused`)
      expect(verdict.response.status).toBe(403)
      expect(await verdict.response.json()).toMatchObject({ error: { code } })
      await guard.flush()
      expect(await used(uid).catch(() => 0)).toBe(before)
    }
  })

  it('applies a roll or revoke made on the same engine at once, and one made elsewhere within keyCacheSeconds', async () => {
    let clock = Date.now()
    const guard = guardOf({ now: () => clock })
    const key = await portal.billing.createApiKey(scope('cus_free'), 'Server')
    expect((await guard.check(call(key.secret))).ok).toBe(true)
    const rolled = await portal.billing.rollApiKey(scope('cus_free'), key.id)
    expect((await guard.check(call(key.secret))).ok).toBe(false)
    expect((await guard.check(call(rolled.secret))).ok).toBe(true)
    await portal.billing.revokeApiKey(scope('cus_free'), key.id)
    expect((await guard.check(call(rolled.secret))).ok).toBe(false)

    // Another process (here another engine on the same file) revokes: the cache trusts the key up to 5 s.
    const other = await portal.billing.createApiKey(scope('cus_free'), 'Other')
    expect((await guard.check(call(other.secret))).ok).toBe(true)
    const elsewhere = openSqliteBilling({ filename: portal.filename })
    await elsewhere.revokeApiKey(scope('cus_free'), other.id)
    await elsewhere.close()
    clock += 4_000
    expect((await guard.check(call(other.secret))).ok).toBe(true)
    clock += 1_001
    expect((await guard.check(call(other.secret))).ok).toBe(false)
  })

  /** The engine, with every trackMany batch recorded; `failNext` loses the answer of a batch the engine did commit. */
  function spying() {
    const batches: TrackEvent[][] = []
    const spy = { failNext: false }
    const billing: MeteringBackend = {
      verifyApiKey: (s, o) => portal.billing.verifyApiKey(s, o),
      check: (s, m, o) => portal.billing.check(s, m, o),
      onApiKeyChange: (l) => portal.billing.onApiKeyChange(l),
      async trackMany(appId, events) {
        batches.push(events.map((e) => ({ ...e })))
        const result = await portal.billing.trackMany(appId, events)
        if (spy.failNext) {
          spy.failNext = false
          throw new Error('connection lost after commit')
        }
        return result
      },
    }
    return { billing, batches, spy }
  }

  it('flushes every interval, or at once after flushEvents requests', async () => {
    const { billing, batches } = spying()
    const guard = guardOf({ billing, flushEvents: 10 })
    const key = await portal.billing.createApiKey(scope('cus_free'), 'Server')
    for (let i = 0; i < 9; i++) await guard.check(call(key.secret))
    expect(batches).toHaveLength(0)
    await guard.check(call(key.secret))
    await guard.flush() // waits for the flush the tenth request started
    expect(batches[0].reduce((n, e) => n + e.amount, 0)).toBe(10)

    const timed = guardOf({ billing, flushIntervalMs: 30 })
    await timed.check(call(key.secret))
    await new Promise((r) => setTimeout(r, 150))
    expect(batches.flat().reduce((n, e) => n + e.amount, 0)).toBe(11)
  })

  it('retries a flush whose answer was lost with the same event ids, so nothing is counted twice', async () => {
    const { billing, batches, spy } = spying()
    const errors: unknown[] = []
    const guard = guardOf({ billing, onError: (e) => errors.push(e) })
    const key = await portal.billing.createApiKey(scope('cus_free'), 'Server')
    const before = await used('cus_free')
    for (let i = 0; i < 4; i++) await guard.check(call(key.secret))
    spy.failNext = true
    await guard.flush()
    expect(errors).toHaveLength(1)
    await guard.close()
    expect(batches[1].map((e) => e.id)).toEqual(batches[0].map((e) => e.id))
    expect(await used('cus_free')).toBe(before + 4)
  })

  it('moves a key’s last_used through the flush, at most once a minute', async () => {
    const { billing, batches } = spying()
    let clock = Date.now()
    const guard = guardOf({ billing, now: () => clock })
    const key = await portal.billing.createApiKey(scope('cus_free'), 'Server')
    await guard.check(call(key.secret))
    expect((await portal.billing.listApiKeys(scope('cus_free')))!.data.find((k) => k.id === key.id)!.last_used).toBeNull()
    await guard.flush()
    expect((await portal.billing.listApiKeys(scope('cus_free')))!.data.find((k) => k.id === key.id)!.last_used).toBe(Math.floor(clock / 1000))
    clock += 30_000
    await guard.check(call(key.secret))
    await guard.flush()
    clock += 30_000
    await guard.check(call(key.secret))
    await guard.flush()
    expect(batches.map((b) => b[0].apiKeyId)).toEqual([key.id, undefined, key.id])
  })

  it('charges what cost(request) says', async () => {
    const guard = guardOf({ cost: (r) => Number(new URL((r as Request).url).searchParams.get('n') ?? 1) })
    const key = await portal.billing.createApiKey(scope('cus_free'), 'Server')
    const before = await used('cus_free')
    await guard.check(new Request('http://api.test/v1/echo?n=7', { headers: { 'x-api-key': key.secret } }))
    await guard.flush()
    expect(await used('cus_free')).toBe(before + 7)
    const bad = guardOf({ cost: () => -1 })
    await expect(bad.check(call(key.secret))).rejects.toThrow(/cost\(request\) returned -1/)
  })

  it('serves node:http and Express through node(): req.archetype, the headers, the refusals', async () => {
    const guard = guardOf()
    const key = await portal.billing.createApiKey(scope('cus_free'), 'Server')
    const middleware = guard.node()
    const server = createServer((req, res) =>
      middleware(req, res, (error) => {
        if (error) {
          res.writeHead(500).end()
          return
        }
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify((req as IncomingMessage & { archetype: unknown }).archetype))
      }),
    )
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/echo`
    try {
      const ok = await fetch(url, { headers: { 'x-api-key': key.secret } })
      expect(ok.status).toBe(200)
      expect(await ok.json()).toEqual({ appId: 'app_demo', customUid: 'cus_free', apiKeyId: key.id })
      expect(ok.headers.get('ratelimit-policy')).toBe('"api_calls";q=1000')
      const refused = await fetch(url)
      expect(refused.status).toBe(401)
      expect(await refused.json()).toMatchObject({ error: { code: 'invalid_api_key' } })
    } finally {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }
  })

  it('node() calls next() in the same tick once the key and the customer are cached (no promise per request)', async () => {
    const guard = guardOf()
    const key = await portal.billing.createApiKey(scope('cus_free'), 'Server')
    const middleware = guard.node()
    const server = createServer((req, res) => {
      let sameTick = false
      let returned = false
      middleware(req, res, () => {
        sameTick = !returned
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sameTick }))
      })
      returned = true
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/echo`
    try {
      const first = await fetch(url, { headers: { 'x-api-key': key.secret } })
      expect(await first.json()).toEqual({ sameTick: false })
      const cached = await fetch(url, { headers: { 'x-api-key': key.secret } })
      expect(cached.status).toBe(200)
      expect(await cached.json()).toEqual({ sameTick: true })
    } finally {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }
  })

  it('refuses bad options with a TypeError naming the option, and checks after close', async () => {
    expect(() => createApiKeyGuard({ billing: {} as never, metric: 'api_calls' })).toThrow(/`billing`/)
    expect(() => createApiKeyGuard({ billing: portal.billing, metric: '' })).toThrow(/`metric`/)
    expect(() => createApiKeyGuard({ billing: portal.billing, metric: 'api_calls', cost: 1.5 })).toThrow(/`cost`/)
    expect(() => createApiKeyGuard({ billing: portal.billing, metric: 'api_calls', keyCacheSeconds: -1 })).toThrow(/`keyCacheSeconds`/)
    const guard = guardOf()
    await guard.close()
    await expect(guard.check(call('ak_live_x'))).rejects.toThrow(/closed/)
    await expect(guard.check('http://x' as never)).rejects.toThrow(TypeError)
  })
})
