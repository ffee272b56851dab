import { SignJWT, base64url, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'
import { ArchetypeApi, PortalTokenError, createPortalToken, portalTokenVerifier, verifyPortalToken } from '../../src/server/token.js'

const secret = 'token-test-secret-0123456789abcdef0123456789'
const appId = 'app_demo'
const NOW = 1_700_000_000
const now = () => NOW
const key = new TextEncoder().encode(secret)

type Claims = Record<string, unknown>
const standard = (): Claims => ({ iss: 'archetype-portals', aud: appId, sub: 'cus_active', iat: NOW, exp: NOW + 3600, jti: 'jti-1' })

function signed(claims: Claims, options: { alg?: string; key?: Uint8Array } = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' }).sign(options.key ?? key)
}
const encode = (value: unknown) => base64url.encode(JSON.stringify(value))
const without = (name: string) => {
  const claims = standard()
  delete claims[name]
  return claims
}

async function refusal(token: string): Promise<PortalTokenError> {
  const error = await verifyPortalToken(token, { appId, secret, now }).then(
    () => null,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(PortalTokenError)
  return error as PortalTokenError
}

describe('createPortalToken', () => {
  it('signs exactly the DESIGN claims with HS256 and a 3600 s lifetime', async () => {
    const { token, expires_at } = await createPortalToken({ appId, secret, customUid: 'cus_active', now })
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' })
    const claims = decodeJwt(token)
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'sub'])
    expect(claims).toMatchObject({ iss: 'archetype-portals', aud: appId, sub: 'cus_active', iat: NOW, exp: NOW + 3600 })
    expect(expires_at).toBe(NOW + 3600)
  })

  it('honours ttlSeconds and gives every token its own jti', async () => {
    const first = await createPortalToken({ appId, secret, customUid: 'cus_active', ttlSeconds: 5, now })
    const second = await createPortalToken({ appId, secret, customUid: 'cus_active', ttlSeconds: 5, now })
    expect(first.expires_at).toBe(NOW + 5)
    expect(decodeJwt(first.token).jti).not.toBe(decodeJwt(second.token).jti)
  })

  it.each([0, -1, 1.5, 86_401, Number.NaN])('refuses ttlSeconds %s naming the option', async (ttlSeconds) => {
    await expect(createPortalToken({ appId, secret, customUid: 'cus_active', ttlSeconds })).rejects.toThrow(/ttlSeconds/)
  })

  it('refuses an empty customUid or appId by name', async () => {
    await expect(createPortalToken({ appId, secret, customUid: '' })).rejects.toThrow(/customUid/)
    await expect(createPortalToken({ appId: '', secret, customUid: 'x' })).rejects.toThrow(/appId/)
  })
})

describe('a secret shorter than 32 bytes', () => {
  const short = 'x'.repeat(31)
  it('throws a TypeError naming `secret` when ArchetypeApi is constructed', () => {
    expect(() => ArchetypeApi(appId, short)).toThrow(TypeError)
    expect(() => ArchetypeApi(appId, short)).toThrow(/`secret`.*32 bytes/)
  })
  it('is refused by createPortalToken and verifyPortalToken', async () => {
    await expect(createPortalToken({ appId, secret: short, customUid: 'a' })).rejects.toThrow(/secret/)
    await expect(verifyPortalToken('a.b.c', { appId, secret: short })).rejects.toThrow(TypeError)
  })
  it('counts bytes, not characters', () => {
    // 16 two-byte characters are 32 bytes.
    expect(() => ArchetypeApi(appId, 'é'.repeat(16))).not.toThrow()
    expect(() => ArchetypeApi(appId, 'é'.repeat(15))).toThrow(/secret/)
  })
})

describe('ArchetypeApi(appId, secret).Token.getCustomerPortalsToken', () => {
  it('mints a token for the custom uid that verifies for the app', async () => {
    const { token, expires_at } = await ArchetypeApi(appId, secret).Token.getCustomerPortalsToken('cus_active')
    const claims = await verifyPortalToken(token, { appId, secret })
    expect(claims.customUid).toBe('cus_active')
    expect(claims.appId).toBe(appId)
    expect(claims.exp).toBe(expires_at)
    expect(typeof claims.jti).toBe('string')
  })
  it('rejects a missing custom uid by name', async () => {
    await expect(ArchetypeApi(appId, secret).Token.getCustomerPortalsToken('')).rejects.toThrow(/customUid/)
  })
})

describe('verifyPortalToken accepts', () => {
  it.each<[string, () => Claims]>([
    ['a standard token', standard],
    ['a token expired 29 s ago (inside the 30 s leeway)', () => ({ ...standard(), exp: NOW - 29 })],
    ['a token whose nbf is 20 s ahead (clock skew)', () => ({ ...standard(), nbf: NOW + 20 })],
    ['a token without jti (minted elsewhere)', () => without('jti')],
  ])('%s', async (_name, claims) => {
    const verified = await verifyPortalToken(await signed(claims()), { appId, secret, now })
    expect(verified.customUid).toBe('cus_active')
  })
})

describe('verifyPortalToken refuses', () => {
  const cases: [string, () => Promise<string>, 'unauthorized' | 'session_expired'][] = [
    ['a token signed with another secret', () => signed(standard(), { key: new TextEncoder().encode('another-secret-0123456789abcdef0123') }), 'unauthorized'],
    ['alg none', async () => `${encode({ alg: 'none', typ: 'JWT' })}.${encode(standard())}.`, 'unauthorized'],
    ['alg HS512 with the right secret', () => signed(standard(), { alg: 'HS512' }), 'unauthorized'],
    ['alg HS384 with the right secret', () => signed(standard(), { alg: 'HS384' }), 'unauthorized'],
    [
      'alg RS256',
      async () => {
        const { privateKey } = await generateKeyPair('RS256')
        return new SignJWT(standard()).setProtectedHeader({ alg: 'RS256' }).sign(privateKey)
      },
      'unauthorized',
    ],
    ['another audience', () => signed({ ...standard(), aud: 'app_other' }), 'unauthorized'],
    ['another issuer', () => signed({ ...standard(), iss: 'someone-else' }), 'unauthorized'],
    ['no issuer', () => signed(without('iss')), 'unauthorized'],
    ['a token expired 31 s ago', () => signed({ ...standard(), exp: NOW - 31 }), 'session_expired'],
    ['no exp', () => signed(without('exp')), 'unauthorized'],
    ['no sub', () => signed(without('sub')), 'unauthorized'],
    ['an empty sub', () => signed({ ...standard(), sub: '' }), 'unauthorized'],
    ['a token over 4 KB', () => signed({ ...standard(), pad: 'x'.repeat(4096) }), 'unauthorized'],
    ['nbf a minute in the future', () => signed({ ...standard(), nbf: NOW + 60 }), 'unauthorized'],
    ['iat an hour in the future', () => signed({ ...standard(), iat: NOW + 3600, exp: NOW + 7200 }), 'unauthorized'],
    [
      'a payload changed after signing',
      async () => {
        const [header, , signature] = (await signed(standard())).split('.')
        return `${header}.${encode({ ...standard(), sub: 'cus_other' })}.${signature}`
      },
      'unauthorized',
    ],
    ['an empty string', async () => '', 'unauthorized'],
    ['garbage', async () => 'not-a-jwt', 'unauthorized'],
    ['three garbage parts', async () => 'a.b.c', 'unauthorized'],
  ]

  it.each(cases)('%s', async (_name, make, code) => {
    const error = await refusal(await make())
    expect(error.code).toBe(code)
    expect(error.status).toBe(401)
  })
})

describe('portalTokenVerifier (the handler`s, which remembers verified tokens)', () => {
  it('still expires a remembered token on its own clock', async () => {
    let clock = NOW
    const verifier = portalTokenVerifier({ appId, secret, now: () => clock })
    const token = await signed({ ...standard(), exp: NOW + 60 })
    expect((await verifier(token)).customUid).toBe('cus_active')
    clock = NOW + 89
    expect((await verifier(token)).customUid).toBe('cus_active')
    clock = NOW + 91
    await expect(verifier(token)).rejects.toMatchObject({ code: 'session_expired' })
  })

  it('checks every other string in full, even one differing only in its signature', async () => {
    const verifier = portalTokenVerifier({ appId, secret, now })
    const token = await signed(standard())
    await verifier(token)
    const last = token.at(-1) === 'A' ? 'B' : 'A'
    await expect(verifier(token.slice(0, -1) + last)).rejects.toMatchObject({ code: 'unauthorized' })
  })
})
