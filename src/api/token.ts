/**
 * Reads a portal token's `exp` (Unix seconds) without verifying it: the browser only
 * needs it to schedule renewal and expiry; the server verifies every request.
 * A token that is not a JWT with a numeric `exp` is a programmer error.
 */
export function readTokenExpiry(token: string, option = 'token'): number {
  const exp = readClaims(token, option)?.exp
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new TypeError(`${option} has no numeric "exp" claim`)
  return exp
}

/** The token's `sub` (the customer it reaches), unverified: a new one means other data. */
export function readTokenSubject(token: string, option = 'token'): string | undefined {
  const sub = readClaims(token, option)?.sub
  return typeof sub === 'string' ? sub : undefined
}

function readClaims(token: string, option: string): { exp?: unknown; sub?: unknown } | null {
  if (typeof token !== 'string' || token === '') throw new TypeError(`${option} must be a non-empty string (the portal token minted by your backend)`)
  const parts = token.split('.')
  if (parts.length !== 3) throw new TypeError(`${option} is not a JWT (expected three dot-separated parts)`)
  try {
    return JSON.parse(decodeBase64Url(parts[1])) as { exp?: unknown; sub?: unknown } | null
  } catch {
    throw new TypeError(`${option} is not a JWT (its payload is not base64url JSON)`)
  }
}

function decodeBase64Url(segment: string): string {
  // base64url's own alphabet only (atob would also take +, / and spaces); atob needs no padding.
  if (!/^[\w-]*$/.test(segment)) throw new Error('not base64url')
  const binary = atob(segment.replace(/-/g, '+').replace(/_/g, '/'))
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))
}
