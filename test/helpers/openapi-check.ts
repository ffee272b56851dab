/**
 * What every OpenAPI document of ours must be: valid OpenAPI 3.1 by a maintained
 * validator, and the exact mirror of the handler's route table (each route documented,
 * each documented operation answered by a route rather than the router's 404 / 405).
 */
import { validate } from '@readme/openapi-parser'
import { expect } from 'vitest'
import type { RouteShape } from '../../src/server/routing.js'
import type { OpenApiDocument } from '../../src/server/schemas/openapi.js'
import { openApiPath } from '../../src/server/schemas/openapi.js'

export async function expectValidOpenApi(document: OpenApiDocument): Promise<void> {
  // The validator dereferences in place: hand it a copy.
  const result = await validate(structuredClone(document) as never)
  expect(result.valid ? [] : result.errors, 'OpenAPI 3.1 validation errors').toEqual([])
  expect(document.openapi).toBe('3.1.0')
}

const operationsOf = (document: OpenApiDocument) =>
  Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))

/**
 * Both directions. `call(method, path)` sends a request with placeholder ids and
 * credentials; a route answers anything but the router's own refusals.
 */
export async function expectDocumentMirrorsRoutes(
  document: OpenApiDocument,
  routes: readonly RouteShape[],
  call: (method: string, path: string) => Promise<{ status: number; body: unknown }>,
): Promise<number> {
  const served = routes.map((r) => `${r.method} ${openApiPath(r.path)}`)
  const documented = operationsOf(document)
  expect(documented.sort()).toEqual([...served].sort())
  for (const operation of documented) {
    const [method, template] = operation.split(' ')
    const path = template.replace(/\{[^}]+\}/g, 'id_placeholder_1')
    const answer = await call(method, path)
    const message = (answer.body as { error?: { message?: string } } | null)?.error?.message ?? ''
    expect(answer.status, `${operation} reaches no route (${message})`).not.toBe(405)
    expect(message, `${operation} reaches no route`).not.toMatch(/^No route /)
  }
  return documented.length
}
