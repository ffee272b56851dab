/**
 * Portal tokens: short-lived HS256 JWTs that your backend mints for one customer and the
 * Portal API verifies on every request. Claims (DESIGN.md "Token"):
 * `{ iss: "archetype-portals", aud: appId, sub: custom_uid, iat, exp, jti }`.
 */
import { SignJWT, decodeProtectedHeader, errors, jwtVerify } from 'jose'

export const TOKEN_ISSUER = 'archetype-portals'
/** Clock skew tolerated between the minting and the verifying server. */
export const CLOCK_LEEWAY_SECONDS = 30
export const MAX_TOKEN_BYTES = 4096
export const MIN_SECRET_BYTES = 32
const MAX_TTL_SECONDS = 24 * 60 * 60

export interface PortalTokenResult {
  token: string
  /** Unix seconds. */
  expires_at: number
}

export interface CreatePortalTokenOptions {
  appId: string
  secret: string
  customUid: string
  /** Default 3600 (the original docs' 60 minutes); at most 86400. */
  ttlSeconds?: number
  /** The clock in Unix seconds (the billing engine's unit); default the system clock. */
  now?: () => number
}

export interface VerifyPortalTokenOptions {
  appId: string
  secret: string
  /** The clock in Unix seconds; default the system clock. */
  now?: () => number
}

export interface PortalTokenClaims {
  appId: string
  customUid: string
  /** Unix seconds. */
  exp: number
  jti?: string
}

export type PortalTokenErrorCode = 'session_expired' | 'unauthorized'

/** Why a token was refused. `session_expired` only for expiry; everything else is `unauthorized`. */
export class PortalTokenError extends Error {
  readonly code: PortalTokenErrorCode
  readonly status = 401

  constructor(code: PortalTokenErrorCode, message: string) {
    super(message)
    this.name = 'PortalTokenError'
    this.code = code
  }
}

const encoder = new TextEncoder()

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`\`${name}\` must be a non-empty string`)
  return value
}

/** Checks the secret once and returns its bytes (the Seller API checks its option with it too). */
export function secretKey(secret: unknown): Uint8Array<ArrayBuffer> {
  if (typeof secret !== 'string') throw new TypeError('`secret` must be a string of at least 32 bytes')
  const bytes = encoder.encode(secret)
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new TypeError(`\`secret\` must be at least ${MIN_SECRET_BYTES} bytes long (got ${bytes.length})`)
  }
  return bytes
}

/** Refuses a `now` option that is not a clock in Unix seconds: Date.now (milliseconds) would make every token look issued in the far future. */
export function checkClockOption(now: unknown): void {
  if (now === undefined) return
  const sample = typeof now === 'function' ? (now as () => unknown)() : NaN
  if (!(typeof sample === 'number' && sample > 0 && sample < 1e11)) {
    throw new TypeError('`now` must be a function returning Unix seconds (Date.now() / 1000), not milliseconds')
  }
}

function nowSeconds(now: (() => number) | undefined): number {
  return Math.floor(now ? now() : Date.now() / 1000)
}

async function sign(key: Uint8Array<ArrayBuffer>, appId: string, customUid: string, ttlSeconds: number, now?: () => number): Promise<PortalTokenResult> {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TTL_SECONDS) {
    throw new TypeError(`\`ttlSeconds\` must be an integer from 1 to ${MAX_TTL_SECONDS}`)
  }
  const iat = nowSeconds(now)
  const exp = iat + ttlSeconds
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(appId)
    .setSubject(customUid)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(crypto.randomUUID())
    .sign(key)
  // Refused here rather than on every request the token would make.
  if (token.length > MAX_TOKEN_BYTES) {
    throw new TypeError(`\`customUid\` is too long: its token would be ${token.length} bytes, over the ${MAX_TOKEN_BYTES}-byte limit the Portal API accepts`)
  }
  return { token, expires_at: exp }
}

export async function createPortalToken(options: CreatePortalTokenOptions): Promise<PortalTokenResult> {
  const key = secretKey(options.secret)
  return sign(key, requireString(options.appId, 'appId'), requireString(options.customUid, 'customUid'), options.ttlSeconds ?? 3600, options.now)
}

/** Verified tokens remembered per verifier; the portal reuses one token for up to an hour. */
const VERIFIED_CACHE_SIZE = 1000

/**
 * A verifier bound to one app: the secret is checked and imported once, and a token whose
 * signature and claims passed is remembered (by its exact text) so that later requests
 * only re-check its expiry. Nothing time-independent can change for the same string.
 */
export function portalTokenVerifier(options: VerifyPortalTokenOptions): (token: string) => Promise<PortalTokenClaims> {
  const appId = requireString(options.appId, 'appId')
  const bytes = secretKey(options.secret)
  const now = options.now
  let key: Promise<CryptoKey> | undefined
  const verified = new Map<string, PortalTokenClaims>()
  return async (token) => {
    const known = verified.get(token)
    if (known) {
      if (isExpired(known.exp, nowSeconds(now))) {
        verified.delete(token)
        throw expired()
      }
      return known
    }
    key ??= crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
    const claims = Object.freeze(await verify(token, appId, key, now))
    verified.set(token, claims)
    if (verified.size > VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value as string)
    return claims
  }
}

export async function verifyPortalToken(token: string, options: VerifyPortalTokenOptions): Promise<PortalTokenClaims> {
  return portalTokenVerifier(options)(token)
}

/** jose's rule, used for cached tokens too: expired once `now >= exp + leeway`. */
const isExpired = (exp: number, current: number): boolean => current >= exp + CLOCK_LEEWAY_SECONDS

const unauthorized = (reason: string) => new PortalTokenError('unauthorized', `Invalid portal token: ${reason}`)
const expired = () => new PortalTokenError('session_expired', 'The portal session has expired')

async function verify(token: string, appId: string, keyPromise: Promise<CryptoKey>, now?: () => number): Promise<PortalTokenClaims> {
  if (typeof token !== 'string' || token.length === 0) throw unauthorized('missing')
  if (token.length > MAX_TOKEN_BYTES) throw unauthorized(`longer than ${MAX_TOKEN_BYTES} bytes`)
  // Checked before jose so that `none` and asymmetric algorithms never reach a key.
  let alg: unknown
  try {
    alg = decodeProtectedHeader(token).alg
  } catch {
    throw unauthorized('malformed')
  }
  if (alg !== 'HS256') throw unauthorized('algorithm must be HS256')

  const current = nowSeconds(now)
  let payload
  try {
    ;({ payload } = await jwtVerify(token, await keyPromise, {
      algorithms: ['HS256'],
      issuer: TOKEN_ISSUER,
      audience: appId,
      clockTolerance: CLOCK_LEEWAY_SECONDS,
      currentDate: new Date(current * 1000),
      requiredClaims: ['exp', 'sub'],
    }))
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw expired()
    if (error instanceof errors.JWTClaimValidationFailed) throw unauthorized(`claim "${error.claim}" rejected`)
    if (error instanceof errors.JWSSignatureVerificationFailed) throw unauthorized('signature mismatch')
    throw unauthorized('malformed')
  }
  if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw unauthorized('claim "sub" rejected')
  if (typeof payload.iat === 'number' && payload.iat > current + CLOCK_LEEWAY_SECONDS) throw unauthorized('claim "iat" is in the future')
  if (payload.jti !== undefined && typeof payload.jti !== 'string') throw unauthorized('claim "jti" rejected')
  return { appId, customUid: payload.sub, exp: payload.exp as number, jti: payload.jti }
}

export interface ArchetypeApiClient {
  Token: {
    /** Mints a portal token for your customer `customUid`: `{ token, expires_at }`. */
    getCustomerPortalsToken(customUid: string, options?: { ttlSeconds?: number }): Promise<PortalTokenResult>
  }
}

/**
 * The original Node SDK's shape: `ArchetypeApi(appId, secret).Token.getCustomerPortalsToken(uid)`.
 * Throws at construction when the secret is too short, not at the first request.
 */
export function ArchetypeApi(appId: string, secret: string): ArchetypeApiClient {
  const app = requireString(appId, 'appId')
  const key = secretKey(secret)
  return {
    Token: {
      async getCustomerPortalsToken(customUid, options = {}) {
        return sign(key, app, requireString(customUid, 'customUid'), options.ttlSeconds ?? 3600)
      },
    },
  }
}
