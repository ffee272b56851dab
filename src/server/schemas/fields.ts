/**
 * The building blocks of every request schema, and the one place a zod failure becomes
 * a `BillingError`. Each field's error message is a predicate ("must be a string"); the
 * caller's `describe` puts the field's path in front of it, so a message always names
 * the field the way its API spells it (`price_id`, `events[3].amount`, `?limit`).
 */
import * as z from 'zod'
import { BillingError } from '../billing/types.js'

/** An id in a path, a cursor or a body: what `starting_after` and `:id` accept. */
export const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,255}$/
export const Id = z.string().regex(ID_PATTERN)

/** A request string: 1 to `max` characters. */
export const text = (max = 255) =>
  z
    .string({ error: 'must be a string' })
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `is longer than ${max} characters` })

export const flag = () => z.boolean({ error: 'must be a boolean' })

/** A JSON number that is a whole, non-negative safe integer (Unix seconds, minor units). */
export const whole = () =>
  z.int({ error: 'must be a non-negative whole number' }).min(0, { error: 'must be a non-negative whole number' })

/** Builds the refusal's message from the field's path and the schema's predicate. */
export type Describe = (field: string, predicate: string) => string

/** How the Portal API words a body field's problem. */
export const bodyField: Describe = (field, predicate) => `Field \`${field}\` ${predicate}`

/** `['events', 3, 'amount']` -> `events[3].amount`, as the engine's messages name nested fields. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out === '' ? String(part) : `${out}.${String(part)}`), '')
}

/**
 * Refuses a zod failure as `invalid_request` naming the first field at fault. An unknown
 * field comes first (the body was not what the caller meant), then the order of the
 * schema's fields.
 */
export function toBillingError(error: { issues: z.core.$ZodIssue[] }, describe: Describe = bodyField): BillingError {
  const issues = error.issues
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]
  if (issue.code === 'unrecognized_keys') {
    const field = fieldPath([...issue.path, issue.keys[0]])
    return new BillingError('invalid_request', `Unknown field \`${field}\``, { field })
  }
  const field = fieldPath(issue.path)
  if (issue.code === 'invalid_type' && issue.input === undefined && field !== '') {
    return new BillingError('invalid_request', `Missing required field \`${field}\``, { field })
  }
  if (field === '') return new BillingError('invalid_request', `Request body ${issue.message}`)
  // A list past its limit is a payload too large to take, not a typo.
  const status = issue.code === 'too_big' && issue.origin === 'array' ? 413 : 400
  return new BillingError('invalid_request', describe(field, issue.message), { field, status })
}

/** Parses `value` with `schema`, or throws the `BillingError` naming the field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, describe?: Describe): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true })
  if (!result.success) throw toBillingError(result.error, describe)
  return result.data
}
