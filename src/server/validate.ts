/**
 * Request validation for the Portal and Seller APIs: bodies (size, JSON, then the route's
 * schema), queries, path ids and the Idempotency-Key header. Every refusal is a
 * `BillingError` that names the field at fault, so the handler maps it like any backend error.
 */
import type * as z from 'zod'
import { BillingError } from './billing/types.js'
import { Id, parseWith } from './schemas/fields.js'

export const MAX_BODY_BYTES = 64 * 1024
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255

const invalid = (message: string, field?: string) => new BillingError('invalid_request', message, { field })
export const tooLarge = (limit: number) =>
  new BillingError('invalid_request', `Request body is larger than ${limit} bytes`, { status: 413 })

/**
 * Reads the body as UTF-8 text, refusing more than `limit` bytes: first by Content-Length,
 * then by counting the stream, so a lying or absent Content-Length cannot get past it.
 */
export async function readBodyText(request: Request, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = request.headers.get('content-length')
  if (declared !== null) {
    if (!/^\d+$/.test(declared)) throw invalid('Content-Length must be a whole number', 'Content-Length')
    if (Number(declared) > limit) throw tooLarge(limit)
  }
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    let step: ReadableStreamReadResult<Uint8Array>
    try {
      step = await reader.read()
    } catch (error) {
      // A stream that enforces its own limit (toNodeListener) errors with the 413; anything else is a broken upload.
      if (error instanceof BillingError) throw error
      throw invalid('The request body could not be read')
    }
    const { done, value } = step
    if (done) break
    total += value.byteLength
    if (total > limit) {
      await reader.cancel().catch(() => undefined)
      throw tooLarge(limit)
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw invalid('Request body is not valid UTF-8')
  }
}

/** Parses JSON text into a plain object; an empty body is `{}`. */
export function parseJsonObject(text: string): Record<string, unknown> {
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw invalid('Request body is not valid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('Request body must be a JSON object')
  }
  return value as Record<string, unknown>
}

/** Checks a parsed body against the route's schema: unknown fields, missing required ones and wrong types are 400s naming the field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  return parseWith(schema, body)
}

/** Checks the query string's fields (the first of each name) against the route's schema; `?limit=0` is refused naming `limit`. */
export function parseQuery<S extends z.ZodType>(schema: S, query: URLSearchParams): z.output<S> {
  const fields = new Map<string, string>()
  for (const [name, value] of query) if (!fields.has(name)) fields.set(name, value)
  return parseWith(schema, Object.fromEntries(fields), (field, predicate) => `\`${field}\` ${predicate}`)
}

/**
 * A path segment as an id (or, given `schema`, another kind of path value such as a
 * customer uid), or null when it cannot be one: the handler answers 404, as for any unknown id.
 */
export function parsePathId(segment: string, schema: z.ZodType<string> = Id): string | null {
  let value: string
  try {
    value = decodeURIComponent(segment)
  } catch {
    return null
  }
  return schema.safeParse(value).success ? value : null
}

/** The Idempotency-Key header, if any: 1..255 visible ASCII characters. */
export function parseIdempotencyKey(headers: Headers): string | undefined {
  const key = headers.get('idempotency-key')
  if (key === null) return undefined
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
    throw invalid(
      `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters`,
      'Idempotency-Key',
    )
  }
  return key
}

/** JSON with sorted keys, so that `{a,b}` and `{b,a}` are the same request for idempotency. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
    return `{${entries.join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}
