/**
 * Response plumbing for the Portal API on web-standard `Response`s: JSON bodies, the
 * error envelope, CORS and ETags. No Node APIs, so the handler runs in workers too.
 */
import type { ErrorBody } from '../api/types.js'
import { BillingError } from './billing/types.js'
import type { StoredResponse } from './idempotency.js'
import { PortalTokenError } from './token.js'

export const CORS_ALLOW_HEADERS = 'Authorization, Content-Type, Idempotency-Key'
export const CORS_EXPOSE_HEADERS = 'Retry-After, Idempotent-Replayed, ETag'
const GENERIC_SERVER_MESSAGE = 'Something went wrong on our side. Please try again.'

export function response(status: number, body: string | null, headers: Record<string, string>): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-content-type-options': 'nosniff', ...headers },
  })
}

/** A finished answer (maybe an idempotent replay) with this request's own headers added. */
export function send(result: StoredResponse, headers: Record<string, string>): Response {
  return response(result.status, result.body, { ...result.headers, ...headers })
}

/** A success body, ready to send or to keep for an idempotent replay. */
export function ok(value: unknown): StoredResponse {
  return { status: 200, body: JSON.stringify(value) }
}

/**
 * Any thrown value as the `{ error: { code, message, field? } }` envelope. Only
 * `BillingError` and `PortalTokenError` speak to the client; anything else is a generic
 * 500 whose details go to `onError` alone.
 */
export function errorToResponse(error: unknown, onError: (error: unknown) => void): StoredResponse {
  if (error instanceof BillingError) {
    if (error.log) console.warn(`[archetype-portals] ${error.log}`)
    const body: ErrorBody = { error: { code: error.code, message: error.message } }
    if (error.field !== undefined) body.error.field = error.field
    const headers: Record<string, string> = {}
    if (error.retryAfter !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfter)))
    return { status: error.status, body: JSON.stringify(body), headers }
  }
  if (error instanceof PortalTokenError) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } }
    return { status: 401, body: JSON.stringify(body), headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }
  }
  try {
    onError(error)
  } catch {
    // A failing logger must not turn a 500 into a crash.
  }
  const body: ErrorBody = { error: { code: 'server', message: GENERIC_SERVER_MESSAGE } }
  return { status: 500, body: JSON.stringify(body) }
}

/** Headers that let an allowed origin read the response; `Vary: Origin` whenever CORS is configured. */
export function corsHeaders(request: Request, allowedOrigins: ReadonlySet<string>): Record<string, string> {
  if (allowedOrigins.size === 0) return {}
  const origin = request.headers.get('origin')
  if (origin === null || !allowedOrigins.has(origin)) return { vary: 'Origin' }
  return { vary: 'Origin', 'access-control-allow-origin': origin, 'access-control-expose-headers': CORS_EXPOSE_HEADERS }
}

export function preflightHeaders(request: Request, allowedOrigins: ReadonlySet<string>, methods: string[]): Record<string, string> {
  const headers: Record<string, string> = { allow: [...methods, 'OPTIONS'].join(', ') }
  const origin = request.headers.get('origin')
  if (allowedOrigins.size > 0) headers.vary = 'Origin'
  if (origin !== null && allowedOrigins.has(origin)) {
    headers['access-control-allow-origin'] = origin
    headers['access-control-allow-methods'] = headers.allow
    headers['access-control-allow-headers'] = CORS_ALLOW_HEADERS
    headers['access-control-max-age'] = '600'
  }
  return headers
}

const encoder = new TextEncoder()

export async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)))
  let binary = ''
  for (const byte of digest) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** If-None-Match uses the weak comparison (RFC 9110 13.1.2): `W/"x"` matches `"x"`. */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false
  if (ifNoneMatch.trim() === '*') return true
  return ifNoneMatch.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag)
}
