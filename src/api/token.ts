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
export function readTokenSubject(token: string): unknown {
  return readClaims(token, 'token')?.sub
}

function readClaims(token: string, option: string): { exp?: unknown; sub?: unknown } | null {
  if (typeof token !== 'string' || token === '') throw new TypeError(`${option} must be a non-empty string (the portal token minted by your backend)`)
  const parts = token.split('.')
  try {
    // Three parts, the payload in base64url's own alphabet only (atob would also take +, / and spaces); atob needs no padding.
    if (parts.length !== 3 || !/^[\w-]*$/.test(parts[1])) throw new Error('not a JWT')
    // The payload's bytes as Latin-1 characters: the same JSON for the ASCII claims read here
    // (a UTF-8 name elsewhere in it stays a valid string), and equal subjects stay equal.
    return JSON.parse(atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown; sub?: unknown } | null
  } catch {
    throw new TypeError(`${option} is not a JWT (three dot-separated base64url parts, the middle one JSON)`)
  }
}
