/**
 * A real Portal API for tests: the handler over a fresh SQLite file seeded with the demo
 * data, callable in-process (`portal.fetch`) or over loopback HTTP (`listen`). Works from
 * Node and from happy-dom tests alike.
 *
 *   const portal = createTestPortal()
 *   const token = await portal.token('cus_active')
 *   await portal.fetch('/api/portal/session', { headers: { authorization: `Bearer ${token}` } })
 *   portal.close()
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SqliteBilling } from '../../src/server/billing/sqlite.js'
import { openSqliteBilling } from '../../src/server/billing/sqlite.js'
import type { PortalHandler, PortalHandlerOptions } from '../../src/server/handler.js'
import { createPortalHandler } from '../../src/server/handler.js'
import { toNodeListener } from '../../src/server/node.js'
import { createPortalToken } from '../../src/server/token.js'

export const TEST_APP_ID = 'app_demo'
/** Test-only; 32+ bytes as the token code requires. */
export const TEST_SECRET = 'archetype-portals-test-secret-0123456789abcdef'
export const TEST_PUBLIC_KEY = 'pk_demo'
/** Relative URLs given to `portal.fetch` resolve against this origin. */
export const TEST_ORIGIN = 'http://portal.test'

export interface TestPortalOptions {
  /** Default `'demo'`; `false` for an empty engine. */
  seed?: 'demo' | false
  /** The clock in Unix seconds, shared by the engine, the handler and minted tokens. */
  now?: () => number
  /** The engine's most live API keys per customer (default 10). */
  maxApiKeysPerCustomer?: number
  /** Extra handler options (rateLimit, allowedOrigins, onError, basePath...). */
  handler?: Partial<Omit<PortalHandlerOptions, 'appId' | 'secret' | 'billing'>>
}

export interface TestPortal {
  handler: PortalHandler
  /** Calls the handler in-process; honours `signal`. */
  fetch: typeof fetch
  /** The engine itself: a `BillingBackend` plus `createApiKey`, `recordUsage`, `advanceTo`... */
  billing: SqliteBilling
  /** `http://portal.test/api/portal` (or the `basePath` you passed). */
  apiUrl: string
  /** Mints a token for a seeded customer, on the portal's clock. */
  token(customUid: string, ttlSeconds?: number): Promise<string>
  filename: string
  /** Unexpected errors behind 500 answers (also printed), unless `handler.onError` was given. */
  errors: unknown[]
  /** Closes the engine and removes the temp dir. */
  close(): Promise<void>
}

export function createTestPortal(options: TestPortalOptions = {}): TestPortal {
  if (options.now && !(options.now() < 1e11)) {
    throw new TypeError('createTestPortal: `now` must return Unix seconds (Date.now() / 1000), not milliseconds')
  }
  const dir = mkdtempSync(join(tmpdir(), 'portal-test-'))
  const filename = join(dir, 'billing.sqlite')
  const seed = options.seed === false ? undefined : (options.seed ?? 'demo')
  const billing = openSqliteBilling({ filename, seed, now: options.now, maxApiKeysPerCustomer: options.maxApiKeysPerCustomer })
  const errors: unknown[] = []
  const handler = createPortalHandler({
    appId: TEST_APP_ID,
    secret: TEST_SECRET,
    billing,
    now: options.now,
    onError: (error) => {
      errors.push(error)
      console.error('[test portal] 500:', error)
    },
    ...options.handler,
  })
  const basePath = options.handler?.basePath ?? '/api/portal'
  // Requests a destroyed portal left running still reach the handler; close() lets them
  // finish before the database goes, so they end as the browser would see them, not as 500s.
  const inFlight = new Set<Promise<Response>>()
  const tracked: PortalHandler = (request) => {
    const answer = handler(request)
    inFlight.add(answer)
    const forget = () => inFlight.delete(answer)
    answer.then(forget, forget)
    return answer
  }
  return {
    handler,
    fetch: inProcessFetch(tracked),
    billing,
    apiUrl: `${TEST_ORIGIN}${basePath.replace(/\/+$/, '')}`,
    filename,
    errors,
    async token(customUid, ttlSeconds) {
      const { token } = await createPortalToken({ appId: TEST_APP_ID, secret: TEST_SECRET, customUid, ttlSeconds, now: options.now })
      return token
    },
    async close() {
      await Promise.allSettled([...inFlight])
      await billing.close?.()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError')
}

/** A `fetch` that hands the request straight to the handler, as a browser would see it. */
export function inProcessFetch(handler: PortalHandler): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' || input instanceof URL ? String(input) : input.url
    const request = typeof input === 'string' || input instanceof URL ? new Request(new URL(url, TEST_ORIGIN), init) : new Request(input, init)
    const signal = init?.signal ?? undefined
    if (signal?.aborted) throw abortError(signal)
    if (!signal) return handler(request)
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(abortError(signal))
      signal.addEventListener('abort', onAbort, { once: true })
      handler(request).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    })
  }) as typeof fetch
}

export interface Served {
  url: string
  close(): Promise<void>
}

/**
 * Serves a handler on a real loopback `node:http` server on a free port. `maxHeaderSize`
 * raises Node's 16 KB header cap, so a megabyte token reaches the handler's own check
 * instead of Node's 431.
 */
export async function listen(handler: PortalHandler, options: { maxHeaderSize?: number } = {}): Promise<Served> {
  const server = createServer({ maxHeaderSize: options.maxHeaderSize }, toNodeListener(handler))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

export interface JsonCall {
  status: number
  headers: Headers
  /** The JSON body, or the raw text when it is not JSON (null when empty). */
  body: never
  text: string
}

/** One request the way an API client sends it: Bearer auth (unless null), a JSON body, and the answer parsed. */
export async function callJson(
  url: string,
  method: string,
  options: { body?: unknown; raw?: string; bearer: string | null; headers?: Record<string, string> },
): Promise<JsonCall> {
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body))
  const sent: Record<string, string> = {}
  if (options.bearer !== null) sent.authorization = `Bearer ${options.bearer}`
  if (payload !== undefined) sent['content-type'] = 'application/json'
  const response = await fetch(url, { method, headers: { ...sent, ...options.headers }, body: payload })
  const text = await response.text()
  let parsed: unknown = null
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    parsed = text
  }
  return { status: response.status, headers: response.headers, body: parsed as never, text }
}
