import { createHash, randomBytes } from 'node:crypto'

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'

/** `prefix_` + 16 random base-62 characters (~95 bits). */
export function newId(prefix: string): string {
  const bytes = randomBytes(16)
  let out = ''
  // 256 % 62 skews a little toward the first 8 characters; irrelevant for ids.
  for (const b of bytes) out += ALPHABET[b % 62]
  return `${prefix}_${out}`
}

export const API_KEY_PREFIX = 'ak_live_'

export interface ApiKeySecret {
  secret: string
  prefix: string
  last4: string
  hash: string
}

/** A new API key: 32 random hex characters after `ak_live_`; only its hash and ends are stored. */
export function newApiKeySecret(): ApiKeySecret {
  const secret = API_KEY_PREFIX + randomBytes(16).toString('hex')
  return { secret, prefix: secret.slice(0, API_KEY_PREFIX.length + 4), last4: secret.slice(-4), hash: hashApiKey(secret) }
}

export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

export function maskApiKey(prefix: string, last4: string): string {
  return `${prefix}…${last4}`
}
