/**
 * An OpenAPI 3.1 document from a route table: every route's path parameters, query,
 * body and response come from the same zod schemas the handler validates with, through
 * zod's own `z.toJSONSchema` (JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
 */
import * as z from 'zod'
import type { RouteShape } from '../routing.js'
import { Id } from './fields.js'
import { ErrorBody } from './portal.js'
import { components, documentedAs } from './registry.js'

export interface OpenApiInfo {
  title: string
  version: string
  description: string
  /** Where the API is mounted, e.g. `/api/portal`. */
  basePath: string
  /** How `auth: true` routes authenticate: a Bearer credential, described for humans. */
  bearer: { format: string; description: string }
}

type JsonSchema = Record<string, unknown>
export type OpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, unknown>>
  components: { schemas: Record<string, JsonSchema>; securitySchemes?: Record<string, unknown> }
}
type Document = OpenApiDocument

const REF_BASE = '#/components/schemas/'
/** Swaps in what `documentAs` declared for a schema. */
function override(ctx: { zodSchema: unknown; jsonSchema: JsonSchema }): void {
  const declared = documentedAs.get(ctx.zodSchema as z.ZodType)
  if (!declared) return
  for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key]
  Object.assign(ctx.jsonSchema, declared())
}
const OPTIONS = { io: 'input', unrepresentable: 'any', override } as const
const convert = (schema: z.ZodType): JsonSchema => strip(z.toJSONSchema(schema, OPTIONS) as JsonSchema)

/** The schema's `$ref` when it is a named component, else the schema inline. */
function schemaOf(schema: z.ZodType): JsonSchema {
  const id = components.get(schema)?.id
  return id ? { $ref: `${REF_BASE}${id}` } : convert(schema)
}

function strip(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema
  return rest
}

/** `['invoices', ':id']` -> `/invoices/{id}`. */
export const openApiPath = (segments: string[]) => `/${segments.map((s) => (s.startsWith(':') ? `{${s.slice(1)}}` : s)).join('/')}`

const operationId = (route: RouteShape) =>
  route.method.toLowerCase() +
  route.path.map((s) => (s.startsWith(':') ? `By-${s.slice(1)}` : s).replace(/(^|[-_.])(\w)/g, (_m, _sep, c: string) => c.toUpperCase())).join('')

function parameters(route: RouteShape): unknown[] {
  const out: unknown[] = route.path
    .filter((s) => s.startsWith(':'))
    .map((s) => ({ name: s.slice(1), in: 'path', required: true, schema: convert(route.params?.[s.slice(1)] ?? Id) }))
  if (route.query) {
    const query = convert(route.query) as { properties?: Record<string, JsonSchema>; required?: string[] }
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      const { description, ...rest } = schema
      out.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema: rest, ...(description ? { description } : {}) })
    }
  }
  if (route.mutation) {
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Resending the same key with the same request replays the first answer (`Idempotent-Replayed: true`); with another request it is a 409.',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
    })
  }
  return out
}

function operation(route: RouteShape): Record<string, unknown> {
  const op: Record<string, unknown> = { operationId: operationId(route), summary: route.summary }
  const params = parameters(route)
  if (params.length > 0) op.parameters = params
  if (route.body) {
    op.requestBody = { required: !route.body.safeParse({}).success, content: { 'application/json': { schema: schemaOf(route.body) } } }
  }
  op.responses = {
    '200': { description: 'OK', content: { 'application/json': { schema: schemaOf(route.response) } } },
    default: { description: 'An error: the status code and `{ error: { code, message, field? } }`.', content: { 'application/json': { schema: schemaOf(ErrorBody) } } },
  }
  op.security = route.auth ? [{ bearer: [] }] : []
  return op
}

/** Keeps only the components the paths reach, so each document lists its own shapes. */
function reachable(document: Document, all: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const kept: Record<string, JsonSchema> = {}
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit)
    if (!value || typeof value !== 'object') return
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith(REF_BASE)) {
        const id = inner.slice(REF_BASE.length)
        if (!kept[id] && all[id]) {
          kept[id] = all[id]
          visit(all[id])
        }
      } else visit(inner)
    }
  }
  visit(document.paths)
  return Object.fromEntries(Object.keys(all).filter((id) => kept[id]).map((id) => [id, kept[id]]))
}

export function openApiDocument(info: OpenApiInfo, routes: readonly RouteShape[]): Document {
  const paths: Document['paths'] = {}
  for (const route of routes) {
    const path = openApiPath(route.path)
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route) }
  }
  const all = (z.toJSONSchema(components, { ...OPTIONS, uri: (id) => `${REF_BASE}${id}` }) as { schemas: Record<string, JsonSchema> }).schemas
  const document: Document = {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: info.description },
    servers: [{ url: info.basePath === '' ? '/' : info.basePath }],
    paths,
    components: { schemas: {} },
  }
  document.components = {
    schemas: Object.fromEntries(Object.entries(reachable(document, all)).map(([id, schema]) => [id, strip(schema)])),
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: info.bearer.format, description: info.bearer.description } },
  }
  return document
}
