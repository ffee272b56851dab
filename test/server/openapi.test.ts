/**
 * The Portal API's shapes from one source: the zod schemas validate requests (with the
 * error wording the API always had), and become the OpenAPI 3.1 document the handler
 * serves at `{basePath}/openapi.json` and the build writes to dist/openapi/portal.json.
 * (The contract suite checks both backends' answers against the same schemas.)
 */
import { build, type BuildOptions } from 'esbuild'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { portalOpenApiDocument, routes } from '../../src/server/routes.js'
import type { OpenApiDocument } from '../../src/server/schemas/openapi.js'
import { expectDocumentMirrorsRoutes, expectValidOpenApi } from '../helpers/openapi-check.js'
import { createTestPortal, type TestPortal } from '../helpers/portal.js'

let portal: TestPortal
let token: string
beforeAll(async () => {
  portal = createTestPortal()
  token = await portal.token('cus_active')
})
afterAll(() => portal.close())

async function call(method: string, path: string, options: { body?: unknown; token?: string | null; base?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (options.token !== null) headers.authorization = `Bearer ${options.token ?? token}`
  const body = options.body === undefined ? (method === 'GET' ? undefined : '{}') : JSON.stringify(options.body)
  const response = await portal.fetch(`${options.base ?? portal.apiUrl}${path}`, { method, headers, body })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : null }
}

describe('the Portal API’s OpenAPI document', () => {
  it('is served at {basePath}/openapi.json without a token, as the build writes it', async () => {
    const served = await call('GET', '/openapi.json', { token: null })
    expect(served.status).toBe(200)
    expect(served.headers.get('etag')).toMatch(/^"/)
    const document = served.body as OpenApiDocument
    expect(document).toEqual(JSON.parse(JSON.stringify(portalOpenApiDocument('/api/portal'))))
    expect(document.servers).toEqual([{ url: '/api/portal' }])

    const file = resolve(import.meta.dirname, '../../dist/openapi/portal.json')
    if (!existsSync(file)) throw new Error('dist/openapi/portal.json is missing: run `node build.mjs` first (npm test does)')
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(document)
  })

  it('names the server by the handler’s own basePath', async () => {
    const elsewhere = createTestPortal({ handler: { basePath: '/billing/v2/' } })
    try {
      const response = await elsewhere.fetch('http://portal.test/billing/v2/openapi.json')
      expect(((await response.json()) as OpenApiDocument).servers).toEqual([{ url: '/billing/v2' }])
    } finally {
      await elsewhere.close()
    }
  })

  it('is valid OpenAPI 3.1, by @readme/openapi-parser', async () => {
    await expectValidOpenApi(portalOpenApiDocument())
  })

  it('the validator is not a rubber stamp: a dangling $ref or a parameter in no place fails it', async () => {
    const dangling = structuredClone(portalOpenApiDocument())
    delete dangling.components.schemas.Plan
    await expect(expectValidOpenApi(dangling)).rejects.toThrow()
    const misplaced = structuredClone(portalOpenApiDocument())
    ;((misplaced.paths['/invoices'].get as { parameters: { in: string }[] }).parameters[0]).in = 'body'
    await expect(expectValidOpenApi(misplaced)).rejects.toThrow()
  })

  it('documents every served route, and every documented route is served', async () => {
    const count = await expectDocumentMirrorsRoutes(portalOpenApiDocument(), routes, (method, path) => call(method, path))
    expect(count).toBe(routes.length)
  })

  it('publishes each route’s body, query, path ids, Idempotency-Key and auth from its schemas', () => {
    const { paths, components } = portalOpenApiDocument()
    const change = paths['/subscription'].post as Record<string, any>
    expect(change.requestBody).toMatchObject({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ChangeSubscriptionBody' } } } })
    expect(components.schemas.ChangeSubscriptionBody).toMatchObject({
      type: 'object',
      required: ['price_id'],
      additionalProperties: false,
      properties: { price_id: { type: 'string', minLength: 1, maxLength: 255 }, proration_date: { type: 'integer', minimum: 0 } },
    })
    expect(change.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }))
    expect(change.security).toEqual([{ bearer: [] }])
    const invoices = paths['/invoices'].get as Record<string, any>
    expect(invoices.parameters).toEqual([
      { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 10 } },
      expect.objectContaining({ name: 'starting_after', in: 'query', required: false }),
    ])
    expect(paths['/invoices/{id}'].get).toMatchObject({ parameters: [{ name: 'id', in: 'path', required: true }] })
    expect(paths['/public/{publicKey}/plans'].get).toMatchObject({ security: [] })
    expect((paths['/subscription/resume'].post as Record<string, any>).requestBody.required).toBe(false)
    expect(components.schemas.Session).toMatchObject({ properties: { plan: { anyOf: [{ $ref: '#/components/schemas/Plan' }, { type: 'null' }] } } })
  })
})

describe('request validation from the schemas keeps the API’s wording', () => {
  it.each<[string, string, unknown, string, string]>([
    ['POST', '/subscription', {}, 'price_id', 'Missing required field `price_id`'],
    ['POST', '/subscription', { price_id: 5 }, 'price_id', 'Field `price_id` must be a string'],
    ['POST', '/subscription/preview', { price_id: '' }, 'price_id', 'Field `price_id` must not be empty'],
    ['POST', '/subscription', { price_id: 'p'.repeat(256) }, 'price_id', 'Field `price_id` is longer than 255 characters'],
    ['POST', '/subscription', { price_id: 'x', coupon: 'FREE' }, 'coupon', 'Unknown field `coupon`'],
    ['POST', '/subscription', { coupon: 'FREE' }, 'coupon', 'Unknown field `coupon`'],
    ['POST', '/subscription', { price_id: 'x', proration_date: -1 }, 'proration_date', 'Field `proration_date` must be a non-negative whole number'],
    ['POST', '/subscription', { price_id: 'x', proration_date: 1.5 }, 'proration_date', 'Field `proration_date` must be a non-negative whole number'],
    ['POST', '/subscription/cancel', { at_period_end: 'yes' }, 'at_period_end', 'Field `at_period_end` must be a boolean'],
    ['POST', '/payment-methods', { payment_method: 'pm_card_visa', make_default: null }, 'make_default', 'Field `make_default` must be a boolean'],
  ])('%s %s %j -> 400 naming %s', async (method, path, body, field, message) => {
    const answer = await call(method, path, { body })
    expect(answer.status).toBe(400)
    expect(answer.body).toEqual({ error: { code: 'invalid_request', message, field } })
  })

  it.each([
    ['limit=0', 'limit', '`limit` must be a whole number from 1 to 100'],
    ['limit=ten', 'limit', '`limit` must be a whole number from 1 to 100'],
    ['limit=1.5', 'limit', '`limit` must be a whole number from 1 to 100'],
    ['limit=', 'limit', '`limit` must be a whole number from 1 to 100'],
    ['starting_after=%3Cscript%3E', 'starting_after', '`starting_after` must be an id from a previous page'],
  ])('GET /invoices?%s -> 400 naming %s', async (query, field, message) => {
    const answer = await call('GET', `/invoices?${query}`)
    expect(answer.body).toEqual({ error: { code: 'invalid_request', message, field } })
  })

  it('passes the parsed values on: the default limit, the first of a repeated query field, and no extra body fields', async () => {
    const byDefault = await call('GET', '/invoices')
    expect((byDefault.body as { data: unknown[] }).data).toHaveLength(10)
    const first = await call('GET', '/invoices?limit=2&limit=50')
    expect((first.body as { data: unknown[] }).data).toHaveLength(2)
    const cancel = await call('POST', '/subscription/cancel', { body: {} })
    expect(cancel.body).toMatchObject({ cancel_at_period_end: true })
  })
})

describe('the browser takes no schema library', () => {
  it('no browser entry bundles or imports zod: src/api/types.ts stays plain types', async () => {
    const root = resolve(import.meta.dirname, '../..')
    const script = (await import(pathToFileURL(resolve(root, 'build.mjs')).href)) as { browserEntries: Record<string, string>; browserBuildOptions(name: string): BuildOptions }
    for (const name of Object.keys(script.browserEntries)) {
      const result = await build({ ...script.browserBuildOptions(name), outdir: 'out', write: false, metafile: true, logLevel: 'silent' })
      const inputs = Object.keys(result.metafile.inputs)
      const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((i) => i.path))
      expect([...inputs, ...imports].filter((path) => /zod|src\/server\//.test(path)), name).toEqual([])
    }
  })
})
