/**
 * Hostile requests: fast-check over methods, paths, queries, headers and bodies (deep
 * nesting, huge numbers, `__proto__` / `constructor` / `prototype` keys, wrong types,
 * unicode, lone surrogates, invalid UTF-8, huge strings). The handler never throws,
 * never answers 5xx, always answers the JSON error envelope, and no prototype is
 * polluted. Then raw bytes on a loopback socket through `toNodeListener`.
 */
import { connect } from 'node:net'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_BODY_BYTES } from '../../src/server/validate.js'
import { TEST_PUBLIC_KEY, createTestPortal, listen, type TestPortal } from '../helpers/portal.js'

let portal: TestPortal
let token: string
let ids: string[]
beforeAll(async () => {
  portal = createTestPortal()
  token = await portal.token('cus_active')
  const s = { appId: 'app_demo', customUid: 'cus_active' }
  ids = [
    ...(await portal.billing.listInvoices(s, { limit: 3 })).data.map((i) => i.id),
    ...(await portal.billing.listPaymentMethods(s)).data.map((m) => m.id),
    ...((await portal.billing.listApiKeys(s))?.data ?? []).map((k) => k.id),
  ]
})
afterAll(() => portal.close())

// ------------------------------------------------------------------ pollution sentinel

const prototypes: [string, object][] = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['String.prototype', String.prototype],
]
const snapshot = () => prototypes.map(([name, proto]) => `${name}: ${Reflect.ownKeys(proto).map(String).sort().join(',')}`)
let clean: string[]
beforeAll(() => {
  clean = snapshot()
})

function assertUnpolluted(): void {
  const probe = {} as Record<string, unknown>
  for (const key of ['polluted', 'isAdmin', 'price_id', 'at_period_end', 'customUid', 'appId', 'status', 'toJSON']) {
    expect(probe[key], `Object.prototype.${key}`).toBeUndefined()
  }
  expect(snapshot()).toEqual(clean)
}

// ------------------------------------------------------------------ arbitraries

const SEGMENTS = ['session', 'invoices', 'payment-methods', 'setup', 'default', 'subscription', 'preview', 'cancel', 'resume', 'scheduled-change', 'api-keys', 'roll', 'plans', 'public', TEST_PUBLIC_KEY, 'pk_other', 'checkout']
const HOSTILE_SEGMENTS = ['..', '.', '%2e%2e', '%2F', '%2f..%2f', '%00', '%', '%E0%A4%A', '%C0%AE', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '😀', 'ünïcödé', "'; DROP TABLE invoices; --", '" OR 1=1 --', '<script>', '${7*7}', '{{7*7}}', 'a'.repeat(300), 'x'.repeat(5000), '%F0%9F%98%80', '%ud800', 'null', 'undefined', 'NaN', '-1', '1e309']

const segment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...SEGMENTS) },
  { weight: 2, arbitrary: fc.constant('$ID') },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => encodeURIComponent(s)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
)

const query = fc.option(
  fc.array(
    fc.tuple(
      fc.constantFrom('limit', 'starting_after', '__proto__', 'constructor[prototype][polluted]', 'token', 'a'),
      fc.oneof(fc.constantFrom('0', '-1', '101', '1.5', '1e3', '99999999999999999999', '', '10', '__proto__', '$ID', '%', 'in_x'), fc.string({ maxLength: 30 })),
    ),
    { maxLength: 4 },
  ),
  { nil: undefined },
)

const method = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('GET', 'POST', 'DELETE') },
  { weight: 4, arbitrary: fc.constantFrom('PUT', 'PATCH', 'OPTIONS', 'HEAD', 'post', 'delete') },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z!#$%&'*+.^_`|~-]{1,12}$/) },
)

const TOKEN = '$TOKEN'
const headerValue = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('', ' ', 'null', '0', '-1', '99999999999999999999', 'application/json', 'text/plain', 'application/json; charset=utf-16'))
const headers = fc.record(
  {
    authorization: fc.oneof({ weight: 6, arbitrary: fc.constant(`Bearer ${TOKEN}`) }, fc.constant(`bearer   ${TOKEN}`), fc.constant('Bearer'), headerValue),
    'content-type': headerValue,
    'content-length': fc.oneof(fc.nat({ max: 1_000_000 }).map(String), headerValue),
    'idempotency-key': fc.oneof(fc.uuid(), headerValue, fc.constant('k'.repeat(300))),
    origin: fc.oneof(fc.constant('https://evil.example'), headerValue),
    'if-none-match': fc.oneof(fc.constant('*'), headerValue),
    'x-forwarded-for': headerValue,
  },
  { requiredKeys: ['authorization'] },
)

const dangerousKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'price_id', 'at_period_end', 'payment_method', 'make_default', 'toString', 'valueOf', 'hasOwnProperty', '')
const jsonLeaf = fc.oneof(
  fc.constantFrom('1e400', '-1e400', '1e-400', '123456789012345678901234567890', '-0', '0.1', 'true', 'false', 'null', '""', '"\\ud800"', '"\\udfff\\ud800"', '"a\\u0000b"', '"price_pro_month"', '"pm_card_visa"', '"__proto__"', '{"polluted":true}', '{"__proto__":{"polluted":true}}', '[{"__proto__":{"polluted":true}}]', '{"constructor":{"prototype":{"polluted":true}}}'),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => JSON.stringify(s)),
)
/** Objects written as text, so `__proto__` is a real own key as JSON.parse makes it, not a setter call. */
const objectText = fc.array(fc.tuple(dangerousKey, jsonLeaf), { maxLength: 5 }).map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`)
const deep = fc.tuple(fc.integer({ min: 1, max: 12_000 }), fc.constantFrom('[', '{"price_id":', '{"__proto__":')).map(([n, open]) => open.repeat(n) + '1' + (open === '[' ? ']' : '}').repeat(n))

const body = fc.oneof(
  { weight: 6, arbitrary: objectText },
  { weight: 2, arbitrary: jsonLeaf },
  { weight: 2, arbitrary: deep },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '{', '{"price_id":', 'NaN', 'undefined', '{"a":1,}', '\ufeff{}', '{"price_id":"price_pro_month"}garbage') },
  { weight: 1, arbitrary: fc.integer({ min: MAX_BODY_BYTES - 100, max: MAX_BODY_BYTES + 100 }).map((n) => JSON.stringify({ price_id: 'x'.repeat(n) })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constant(Uint8Array.from([0x7b, 0x22, 0x70, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])) }, // {"p":"\xc3("} invalid UTF-8
  { weight: 1, arbitrary: fc.constant(Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])) }, // BOM then {}
)

/** The real routes (DESIGN.md), so that most requests get past routing into auth, validation and the engine. */
const ROUTES: [string, string][] = [
  ['GET', 'session'], ['GET', 'invoices'], ['GET', 'invoices/$ID'], ['GET', 'payment-methods'], ['POST', 'payment-methods'], ['POST', 'payment-methods/setup'],
  ['POST', 'payment-methods/$ID/default'], ['DELETE', 'payment-methods/$ID'], ['GET', 'plans'], ['POST', 'subscription/preview'], ['POST', 'subscription'],
  ['DELETE', 'subscription/scheduled-change'], ['POST', 'subscription/cancel'], ['POST', 'subscription/resume'], ['GET', 'api-keys'], ['POST', 'api-keys/$ID/roll'],
  ['GET', `public/${TEST_PUBLIC_KEY}/plans`], ['POST', `public/${TEST_PUBLIC_KEY}/checkout`],
]
const routed = fc
  .tuple(fc.constantFrom(...ROUTES), fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.tuple(fc.nat(), segment) }), fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: method }))
  .map(([[routeMethod, route], swap, otherMethod]) => {
    const segments = route.split('/')
    // Now and then a segment is swapped for a hostile one, or the method for another.
    if (swap) segments[swap[0] % segments.length] = swap[1]
    return { method: otherMethod ?? routeMethod, segments }
  })
const unrouted = fc.record({ method, segments: fc.array(segment, { minLength: 0, maxLength: 5 }) })

const hostileRequest = fc
  .record({
    target: fc.oneof({ weight: 3, arbitrary: routed }, { weight: 1, arbitrary: unrouted }),
    query,
    headers,
    body: fc.option(body, { nil: undefined }),
  })
  .map(({ target, ...rest }) => ({ ...target, ...rest }))

type Hostile = typeof hostileRequest extends fc.Arbitrary<infer T> ? T : never

function build(r: Hostile, pick: number): Request | null {
  const id = ids[pick % ids.length]
  const path = r.segments.map((s) => s.replace('$ID', id)).join('/')
  const search = r.query ? `?${r.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v.replace('$ID', id))}`).join('&')}` : ''
  const headers = new Headers()
  for (const [name, value] of Object.entries(r.headers)) {
    try {
      headers.set(name, value.replace(TOKEN, token))
    } catch {
      // A value fetch itself refuses (a control character) never reaches a server either.
    }
  }
  try {
    const hasBody = r.body !== undefined && !['GET', 'HEAD'].includes(r.method.toUpperCase())
    return new Request(`${portal.apiUrl}/${path}${search}`, { method: r.method, headers, body: hasBody ? (r.body as BodyInit) : undefined })
  } catch {
    return null // a method or URL the Fetch API refuses to construct
  }
}

// ------------------------------------------------------------------ properties

describe('the handler under hostile requests', () => {
  it('never throws, never answers 5xx, always the JSON envelope, and pollutes no prototype', async () => {
    let tried = 0
    const statuses = new Map<number, number>()
    await fc.assert(
      fc.asyncProperty(hostileRequest, fc.nat(), async (r, pick) => {
        const request = build(r, pick)
        fc.pre(request !== null)
        let response: Response
        try {
          response = await portal.handler(request!)
        } catch (error) {
          throw new Error(`the handler threw: ${String(error)}`)
        }
        tried++
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
        expect(response.status).toBeLessThan(500)
        const text = await response.text()
        if (response.status >= 400 && request!.method !== 'HEAD') {
          const parsed = JSON.parse(text) as { error: { code: string; message: string } }
          expect(typeof parsed.error.code).toBe('string')
          expect(typeof parsed.error.message).toBe('string')
        }
        if (text !== '') expect(response.headers.get('x-content-type-options')).toBe('nosniff')
        assertUnpolluted()
      }),
      { numRuns: 3000 },
    )
    expect(portal.errors).toEqual([])
    // The generator reaches the routes, not only the 404 path.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(10)
    expect(statuses.get(400) ?? 0).toBeGreaterThan(10)
    console.log(`hostile input: ${tried} random requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}, no 5xx, no throw, prototypes clean`)
  })

  it('every route, given a JSON body full of prototype keys, refuses it naming the field', async () => {
    const bodies = ['{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '{"price_id":"price_pro_month","__proto__":{"isAdmin":true}}', '{"prototype":1}']
    const routes: [string, string][] = [
      ['POST', '/subscription'],
      ['POST', '/subscription/preview'],
      ['POST', '/subscription/cancel'],
      ['POST', '/subscription/resume'],
      ['POST', '/payment-methods'],
      ['POST', '/payment-methods/setup'],
      ['POST', `/api-keys/${ids.at(-1)}/roll`],
      ['POST', `/public/${TEST_PUBLIC_KEY}/checkout`],
    ]
    let tried = 0
    for (const [method, path] of routes) {
      for (const raw of bodies) {
        const response = await portal.fetch(`${portal.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: raw })
        const parsed = (await response.json()) as { error: { code: string; field?: string } }
        expect(response.status, `${path} ${raw}`).toBe(400)
        expect(parsed.error.code).toBe('invalid_request')
        expect(['__proto__', 'constructor', 'prototype', 'price_id', 'payment_method']).toContain(parsed.error.field)
        tried++
      }
    }
    assertUnpolluted()
    console.log(`hostile input: ${tried} prototype-key bodies refused by name`)
  })
})

// ------------------------------------------------------------------ raw sockets

/** Writes bytes to the server and reads what comes back until it closes (or 2 s pass). */
function raw(url: string, bytes: Buffer): Promise<string> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname)
    const chunks: Buffer[] = []
    const done = () => resolve(Buffer.concat(chunks).toString('latin1'))
    socket.setTimeout(2000, () => socket.destroy())
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('close', done)
    socket.on('error', () => undefined)
    socket.end(bytes)
  })
}

describe('toNodeListener under raw hostile bytes', () => {
  let server: { url: string; close(): Promise<void> }
  beforeAll(async () => {
    server = await listen(portal.handler)
  })
  afterAll(() => server.close())

  it('answers every status below 500 and keeps serving', async () => {
    const lines = fc.record({
      method: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'OPTIONS', 'HEAD') }, fc.constantFrom('G\x00T', 'POST POST', 'get')),
      target: fc.oneof(
        fc.constantFrom('/api/portal/session', '/api/portal/subscription', '/api/portal/invoices?limit=%', '*', 'http://evil.example/api/portal/session', '/api/portal/../../etc/passwd', '/api/portal/%ZZ', '//api//portal//session', '/api/portal/session#frag'),
        fc.string({ maxLength: 30 }).map((s) => `/api/portal/${s}`),
      ),
      version: fc.oneof({ weight: 6, arbitrary: fc.constant('HTTP/1.1') }, fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/9', '')),
      host: fc.oneof({ weight: 4, arbitrary: fc.constant('127.0.0.1') }, fc.constantFrom('', 'a b', '[::1', 'evil.example:99999', 'user@evil', '\u00ff', 'evil.example/../x')),
      extra: fc.array(fc.constantFrom('Content-Length: 5', 'Content-Length: 0', 'Content-Length: -1', 'Content-Length: 1, 2', 'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip, chunked', `Authorization: Bearer ${'$TOKEN'}`, 'Content-Type: application/json', 'X-Bad\x01: v', 'Expect: 100-continue', 'Connection: keep-alive, Upgrade', 'Upgrade: websocket'), { maxLength: 4 }),
      body: fc.oneof(fc.constantFrom('', '{"price_id":"price_pro_month"}', '5\r\n{"a":\r\n0\r\n\r\n', 'zz\r\nxx\r\n0\r\n\r\n', '{"__proto__":{"polluted":1}}'), fc.string({ maxLength: 100 })),
      // Mostly an honest Content-Length, so the request reaches the handler rather than Node's parser alone.
      honest: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    })
    let tried = 0
    const seen = new Map<string, number>()
    await fc.assert(
      fc.asyncProperty(lines, async (l) => {
        const head = [`${l.method} ${l.target} ${l.version}`.trimEnd(), `Host: ${l.host}`, ...l.extra.map((h) => h.replace('$TOKEN', token)), 'Connection: close']
        if (l.honest) {
          head.splice(2, head.length - 3, ...l.extra.filter((h) => !/^(content-length|transfer-encoding)/i.test(h)).map((h) => h.replace('$TOKEN', token)))
          head.push(`Content-Length: ${Buffer.byteLength(l.body, 'latin1')}`)
        }
        const reply = await raw(server.url, Buffer.from(`${head.join('\r\n')}\r\n\r\n${l.body}`, 'latin1'))
        tried++
        // The final status: past any interim 100 Continue.
        // The answer to this request, past any interim 100 Continue (bytes after it may be parsed as another request).
        const status = [...reply.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)].map((m) => m[1]).find((s) => s !== '100') ?? 'none'
        seen.set(status, (seen.get(status) ?? 0) + 1)
        if (status !== 'none') expect(Number(status), reply.slice(0, 200)).toBeLessThan(500)
        assertUnpolluted()
      }),
      { numRuns: 300 },
    )
    const healthy = await fetch(`${server.url}/api/portal/session`, { headers: { authorization: `Bearer ${token}` } })
    expect(healthy.status).toBe(200)
    expect(portal.errors).toEqual([])
    console.log(`hostile input: ${tried} raw requests on a socket, statuses ${JSON.stringify(Object.fromEntries(seen))}, none 5xx, still serving`)
  })
})
