/**
 * Forged and malformed portal tokens, table-driven, against the real handler on a
 * loopback server: every one is a 401 and none reaches the billing backend (a Proxy
 * counts the calls). Tokens are built by hand with node:crypto, so algorithms and
 * headers a JWT library would refuse to produce are covered too.
 */
import { createHmac, generateKeyPairSync, sign as rsaSign } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPortalHandler } from '../../src/server/handler.js'
import { MAX_TOKEN_BYTES } from '../../src/server/token.js'
import { TEST_APP_ID, TEST_SECRET, createTestPortal, type TestPortal } from '../helpers/portal.js'
import { answer, countingBackend, errorCode, serve, type CountedBackend, type Served } from './support.js'

const NOW = Math.floor(Date.now() / 1000)
const OTHER_SECRET = 'another-apps-secret-0123456789abcdef-0123456789'

type Json = Record<string, unknown>
const b64 = (data: string | Buffer) => Buffer.from(data).toString('base64url')
const part = (value: unknown) => b64(JSON.stringify(value))
const hmac = (hash: 'sha256' | 'sha384' | 'sha512', key: string | Buffer, input: string) => createHmac(hash, key).update(input).digest('base64url')

const claims = (over: Json = {}): Json => ({ iss: 'archetype-portals', aud: TEST_APP_ID, sub: 'cus_active', iat: NOW, exp: NOW + 3600, jti: 'forged-1', ...over })
const header = (over: Json = {}): Json => ({ alg: 'HS256', typ: 'JWT', ...over })

/** header.payload signed with HMAC; the header's alg says whatever the case wants. */
function hmacToken(h: Json, p: Json, key: string | Buffer = TEST_SECRET, hash: 'sha256' | 'sha384' | 'sha512' = 'sha256'): string {
  const input = `${part(h)}.${part(p)}`
  return `${input}.${hmac(hash, key, input)}`
}

const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 })
function rsaToken(h: Json, p: Json): string {
  const input = `${part(h)}.${part(p)}`
  return `${input}.${rsaSign('sha256', Buffer.from(input), attacker.privateKey).toString('base64url')}`
}

const genuine = hmacToken(header(), claims())
const [gHeader, gPayload, gSignature] = genuine.split('.')

type Expected = 'unauthorized' | 'session_expired'
interface Forged {
  name: string
  /** The whole Authorization header (null: none), so schemes and spacing can be forged too. */
  authorization: string | null
  expect?: Expected
  /** Appended to the path (a token in the query string must not count). */
  query?: string
}
const bearer = (token: string, name: string, expected: Expected = 'unauthorized'): Forged => ({ name, authorization: `Bearer ${token}`, expect: expected })

const forged: Forged[] = [
  // alg: none in every spelling, with and without a signature
  bearer(`${part(header({ alg: 'none' }))}.${gPayload}.`, 'alg none, empty signature'),
  bearer(`${part(header({ alg: 'none' }))}.${gPayload}`, 'alg none, no signature part'),
  bearer(`${part(header({ alg: 'none' }))}.${gPayload}.${gSignature}`, 'alg none with a real signature attached'),
  bearer(`${part(header({ alg: 'None' }))}.${gPayload}.`, 'alg None'),
  bearer(`${part(header({ alg: 'NONE' }))}.${gPayload}.`, 'alg NONE'),
  bearer(`${part(header({ alg: 'nOnE' }))}.${gPayload}.`, 'alg nOnE'),
  bearer(hmacToken({ typ: 'JWT' }, claims()), 'no alg at all, HMAC-signed with the secret'),
  bearer(`${b64('{"alg":"HS256","alg":"none","typ":"JWT"}')}.${gPayload}.`, 'duplicate alg keys, the last one none'),
  bearer(`${gHeader}.${gPayload}.`, 'alg HS256 with an empty signature'),
  // other algorithms with the secret as the key (key confusion)
  bearer(hmacToken(header({ alg: 'HS512' }), claims(), TEST_SECRET, 'sha512'), 'alg HS512 signed with the secret'),
  bearer(hmacToken(header({ alg: 'HS384' }), claims(), TEST_SECRET, 'sha384'), 'alg HS384 signed with the secret'),
  bearer(hmacToken(header({ alg: 'RS256' }), claims()), 'alg RS256, HMAC-SHA256 with the secret as the key'),
  bearer(hmacToken(header({ alg: 'ES256' }), claims()), 'alg ES256, HMAC with the secret'),
  bearer(hmacToken(header({ alg: 'PS256' }), claims()), 'alg PS256, HMAC with the secret'),
  bearer(hmacToken(header({ alg: 'hs256' }), claims()), 'alg hs256 in lower case'),
  bearer(rsaToken(header({ alg: 'RS256' }), claims()), 'alg RS256 with an attacker’s RSA key'),
  // the right algorithm, the wrong claims
  bearer(hmacToken(header(), claims(), OTHER_SECRET), 'sub of our customer, validly signed with another app’s secret'),
  bearer(hmacToken(header(), claims({ aud: 'app_other' }), OTHER_SECRET), 'another app’s own valid token'),
  bearer(hmacToken(header(), claims({ aud: 'app_other' })), 'wrong audience'),
  bearer(hmacToken(header(), claims({ aud: ['app_other', 'app_third'] })), 'an audience list without this app'),
  bearer(hmacToken(header(), claims({ aud: undefined })), 'no audience'),
  bearer(hmacToken(header(), claims({ iss: 'someone-else' })), 'wrong issuer'),
  bearer(hmacToken(header(), claims({ iss: undefined })), 'no issuer'),
  bearer(hmacToken(header(), claims({ iat: NOW - 7200, exp: NOW - 3600 })), 'expired an hour ago', 'session_expired'),
  bearer(hmacToken(header(), claims({ exp: NOW - 31 })), 'expired 31 s ago (past the leeway)', 'session_expired'),
  bearer(hmacToken(header(), claims({ exp: undefined })), 'no exp'),
  bearer(hmacToken(header(), claims({ exp: String(NOW + 3600) })), 'exp as a string'),
  bearer(hmacToken(header(), claims({ nbf: NOW + 600 })), 'nbf ten minutes in the future'),
  bearer(hmacToken(header(), claims({ iat: NOW + 30 * 86400, exp: NOW + 31 * 86400 })), 'iat a month in the future'),
  bearer(hmacToken(header(), claims({ iat: 'yesterday' })), 'iat as a string'),
  bearer(hmacToken(header(), claims({ sub: undefined })), 'no sub'),
  bearer(hmacToken(header(), claims({ sub: '' })), 'an empty sub'),
  bearer(hmacToken(header(), claims({ sub: 42 })), 'sub as a number'),
  bearer(hmacToken(header(), claims({ sub: ['cus_active'] })), 'sub as an array'),
  bearer(hmacToken(header(), claims({ jti: 7 })), 'jti as a number'),
  // tampering
  bearer(`${gHeader}.${part(claims({ sub: 'cus_free' }))}.${gSignature}`, 'payload changed to another customer, old signature'),
  bearer(`${gHeader}.${part(claims({ exp: NOW + 86400 * 365 }))}.${gSignature}`, 'exp extended, old signature'),
  bearer(`${part(header({ kid: 'x' }))}.${gPayload}.${gSignature}`, 'header changed, old signature'),
  bearer(`${gHeader}.${gPayload}.${gSignature.slice(0, -4)}`, 'truncated signature'),
  bearer(`${gHeader}.${gPayload}.${hmacToken(header(), claims({ sub: 'cus_free' })).split('.')[2]}`, 'signature of another token'),
  // shape
  bearer(`${gHeader}.${part({ ...claims(), pad: 'x'.repeat(1024 * 1024) })}.${gSignature}`, 'a 1 MB token'),
  bearer(`${gHeader}.${part({ ...claims(), pad: 'x'.repeat(MAX_TOKEN_BYTES) })}.${gSignature}`, 'just over the 4 KB limit'),
  { name: 'a space inside the token', authorization: `Bearer ${gHeader}.${gPayload} .${gSignature}`, expect: 'unauthorized' },
  { name: 'two tokens after Bearer', authorization: `Bearer ${genuine} ${genuine}`, expect: 'unauthorized' },
  bearer(`${genuine}.${gSignature}.${gSignature}`, 'two dots too many (five parts, JWE-shaped)'),
  bearer(`${gHeader}.${gPayload}.${gSignature}.`, 'one dot too many'),
  bearer(`${gHeader}..${gSignature}`, 'an empty payload'),
  bearer(`${gHeader}.${b64('not json')}.${hmac('sha256', TEST_SECRET, `${gHeader}.${b64('not json')}`)}`, 'a payload that is not JSON, validly signed'),
  bearer(`${gHeader}.${b64('[1,2]')}.${hmac('sha256', TEST_SECRET, `${gHeader}.${b64('[1,2]')}`)}`, 'a JSON array payload, validly signed'),
  bearer(`${b64('{alg:HS256')}.${gPayload}.${gSignature}`, 'a header that is not JSON'),
  bearer(`${gHeader}.${gPayload}.${gSignature}==`, 'base64 padding on the signature'),
  bearer(`${gHeader}.${gPayload}.${gSignature.replace(/[-_]/g, (c) => (c === '-' ? '+' : '/'))}x`, 'standard base64 alphabet in the signature'),
  // key-locating headers, signed with keys the attacker controls
  bearer(hmacToken(header({ kid: '../../../../../../dev/null' }), claims(), ''), 'kid path traversal, signed with an empty key'),
  bearer(hmacToken(header({ kid: "' UNION SELECT 'k' --" }), claims(), 'k'), 'kid SQL injection, signed with its key'),
  bearer(rsaToken(header({ alg: 'RS256', jku: 'https://attacker.example/jwks.json', kid: 'a' }), claims()), 'jku to an attacker’s key set'),
  bearer(rsaToken(header({ alg: 'RS256', jwk: attacker.publicKey.export({ format: 'jwk' }) }), claims()), 'an embedded jwk of the attacker'),
  bearer(rsaToken(header({ alg: 'RS256', x5u: 'https://attacker.example/cert.pem' }), claims()), 'x5u to an attacker’s certificate'),
  bearer(hmacToken(header({ kid: 'https://attacker.example/key' }), claims(), 'https://attacker.example/key'), 'kid naming its own key, signed with it'),
  bearer(hmacToken(header({ crit: ['exp-extension'], 'exp-extension': true }), claims()), 'an unknown critical header, even signed with the secret'),
  bearer(hmacToken(header({ b64: false, crit: ['b64'] }), claims()), 'b64: false (unencoded payload)'),
  // the header itself
  { name: 'no Authorization header', authorization: null, expect: 'unauthorized' },
  { name: 'Bearer with nothing after it', authorization: 'Bearer', expect: 'unauthorized' },
  { name: 'Basic credentials', authorization: `Basic ${b64('cus_active:password')}`, expect: 'unauthorized' },
  { name: 'the token without a scheme', authorization: genuine, expect: 'unauthorized' },
  { name: 'a token only in the query string', authorization: null, query: `?token=${genuine}&access_token=${genuine}`, expect: 'unauthorized' },
]

let portal: TestPortal
let counted: CountedBackend<TestPortal['billing']>
let server: Served

beforeAll(async () => {
  portal = createTestPortal({ now: () => NOW })
  counted = countingBackend(portal.billing)
  const handler = createPortalHandler({ appId: TEST_APP_ID, secret: TEST_SECRET, billing: counted.billing, now: () => NOW, onError: (error) => portal.errors.push(error) })
  // Room for the 1 MB token, so that the handler, not Node's header limit, refuses it.
  server = await serve(handler, { maxHeaderSize: 2 * 1024 * 1024 })
})
afterAll(async () => {
  await server.close()
  await portal.close()
})

const requests: [string, string, string | undefined][] = [
  ['GET', '/session', undefined],
  ['POST', '/subscription', JSON.stringify({ price_id: 'price_scale_month' })],
  ['DELETE', '/payment-methods/pm_anything', undefined],
]

describe('forged tokens', () => {
  it.each(forged.map((f) => [f.name, f] as const))('%s: 401 on every route, nothing reaches the backend', async (_name, f) => {
    const before = counted.total()
    for (const [method, path, body] of requests) {
      const headers: Record<string, string> = {}
      if (f.authorization !== null) headers.authorization = f.authorization
      if (body) headers['content-type'] = 'application/json'
      const a = await answer(await fetch(`${server.url}/api/portal${path}${f.query ?? ''}`, { method, headers, body }))
      expect(a.status, `${method} ${path}`).toBe(401)
      expect(errorCode(a)).toBe(f.expect)
      expect(a.headers.get('www-authenticate')).toMatch(/^Bearer/)
    }
    expect(counted.total()).toBe(before)
  })

  it('the same server serves the genuine token, so the counter and the routes are live', async () => {
    const a = await answer(await fetch(`${server.url}/api/portal/session`, { headers: { authorization: `Bearer ${genuine}` } }))
    expect(a.status).toBe(200)
    expect(counted.calls.get('getSession')).toBe(1)
    expect(portal.errors).toEqual([])
    console.log(`tokens: ${forged.length} forged tokens rejected on ${requests.length} routes each (${forged.length * requests.length} requests), 0 backend calls`)
  })

  it('a 1 MB token on a default Node server stops at Node’s header limit (431), before the handler', async () => {
    const plain = await serve(createPortalHandler({ appId: TEST_APP_ID, secret: TEST_SECRET, billing: counted.billing, now: () => NOW }))
    try {
      const before = counted.total()
      const big = forged.find((f) => f.name === 'a 1 MB token')!.authorization!
      const response = await fetch(`${plain.url}/api/portal/session`, { headers: { authorization: big } })
      expect(response.status).toBe(431)
      expect(counted.total()).toBe(before)
    } finally {
      await plain.close()
    }
  })
})
