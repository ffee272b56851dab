/**
 * A real Seller API for tests: `createSellerHandler` over a test portal's SQLite engine
 * (the demo app `app_demo`, its secret), served on loopback HTTP through `toNodeListener`.
 * Every 200 it answers is parsed by its route's response schema, so each test also proves
 * the OpenAPI document true.
 *
 *   const seller = await createTestSeller()
 *   await seller.call('POST', '/v1/portal-tokens', { body: { customer: 'cus_active' } })
 */
import { expect } from 'vitest'
import { matchRoute } from '../../src/server/routing.js'
import { createSellerHandler, type SellerHandler, type SellerHandlerOptions } from '../../src/server/seller.js'
import { sellerRoutes } from '../../src/server/seller-routes.js'
import { fieldPath } from '../../src/server/schemas/fields.js'
import { TEST_APP_ID, TEST_SECRET, callJson, createTestPortal, listen, type Served, type TestPortal, type TestPortalOptions } from './portal.js'

export interface Answer<T = unknown> {
  status: number
  headers: Headers
  body: T
  text: string
}

export interface CallOptions {
  body?: unknown
  /** Raw body text instead of JSON. */
  raw?: string
  /** Default the app secret; null sends no Authorization header. */
  secret?: string | null
  headers?: Record<string, string>
}

export interface TestSeller {
  portal: TestPortal
  handler: SellerHandler
  server: Served
  /** `http://127.0.0.1:port/api/seller` */
  url: string
  call<T = unknown>(method: string, path: string, options?: CallOptions): Promise<Answer<T>>
  close(): Promise<void>
}

export async function createTestSeller(options: TestPortalOptions & { seller?: Partial<SellerHandlerOptions> } = {}): Promise<TestSeller> {
  const portal = createTestPortal(options)
  const handler = createSellerHandler({
    appId: TEST_APP_ID,
    secret: TEST_SECRET,
    billing: portal.billing,
    now: options.now,
    onError: (error) => {
      portal.errors.push(error)
      console.error('[test seller] 500:', error)
    },
    ...options.seller,
  })
  const server = await listen(handler)
  const url = `${server.url}${options.seller?.basePath ?? '/api/seller'}`
  return {
    portal,
    handler,
    server,
    url,
    async call(method, path, { body, raw, secret, headers } = {}) {
      const answer = await callJson(`${url}${path}`, method, { body, raw, headers, bearer: secret === null ? null : (secret ?? TEST_SECRET) })
      if (answer.status === 200) expectRouteResponse(method, path, answer.body)
      return answer
    },
    async close() {
      await server.close()
      await portal.close()
      expect(portal.errors).toEqual([])
    },
  }
}

/** A 200's body against the response schema of the route that answered it. */
function expectRouteResponse(method: string, path: string, body: unknown): void {
  const segments = new URL(path, 'http://x').pathname.split('/').filter(Boolean)
  const { match } = matchRoute(sellerRoutes, segments, method, (s) => decodeURIComponent(s))
  if (!match) throw new Error(`no seller route answers ${method} ${path}`)
  const result = match.route.response.safeParse(body)
  if (!result.success) {
    throw new Error(`${method} ${path} answered off its response schema: ${result.error.issues.map((i) => `${fieldPath(i.path) || '(root)'}: ${i.message}`).join('; ')}`)
  }
}

export { TEST_APP_ID, TEST_SECRET }
