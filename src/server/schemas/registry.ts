/**
 * The named wire shapes: each becomes `#/components/schemas/{id}` in the OpenAPI
 * documents, referenced wherever a route or another shape uses it.
 */
import * as z from 'zod'

export const components = z.registry<{ id: string; description?: string }>()

/** Registers `schema` under `id` (unique across both APIs) and returns it unchanged. */
export function named<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  components.add(schema, description === undefined ? { id } : { id, description })
  return schema
}

/**
 * For a schema whose JSON Schema zod cannot infer (a `z.preprocess` accepts more than its
 * inner schema says): what the documents publish instead.
 */
export const documentedAs = new WeakMap<z.ZodType, () => Record<string, unknown>>()

export function documentAs<S extends z.ZodType>(schema: S, jsonSchema: () => Record<string, unknown>): S {
  documentedAs.set(schema, jsonSchema)
  return schema
}
