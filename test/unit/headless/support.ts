/**
 * The headless client against the real Portal API handler (SQLite, in-process), with a
 * transport that logs every request and can park chosen ones.
 */
import { createPortalClient, type PortalClient, type PortalClientOptions } from '../../../src/headless.js'
import { createHolds } from '../../helpers/holds.js'
import { createTestPortal, type TestPortal } from '../../helpers/portal.js'

export interface Logged {
  method: string
  /** Below the API mount, with the query: `/invoices?limit=10`. */
  path: string
  headers: Headers
}

export interface Setup {
  server: TestPortal
  requests: Logged[]
  count(method: string, path: RegExp): number
  /** Parks matching requests until the returned function lets them through. */
  hold(method: string, path: RegExp): () => void
  fetch: typeof fetch
  client(customer?: string, options?: Partial<PortalClientOptions>): Promise<PortalClient>
  close(): Promise<void>
}

export function setup(): Setup {
  const server = createTestPortal()
  const requests: Logged[] = []
  const holds = createHolds()
  const clients: PortalClient[] = []
  const mount = new URL(server.apiUrl).pathname
  const transport = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input))
    const logged = { method: init?.method ?? 'GET', path: url.pathname.slice(mount.length) + url.search, headers: new Headers(init?.headers) }
    requests.push(logged)
    await holds.passed(logged)
    return server.fetch(input, init)
  }) as typeof fetch
  return {
    server,
    requests,
    fetch: transport,
    count: (method, path) => requests.filter((r) => r.method === method && path.test(r.path)).length,
    hold: holds.hold,
    async client(customer, options = {}) {
      const client = createPortalClient({ token: customer ? await server.token(customer) : undefined, apiUrl: server.apiUrl, fetch: transport, ...options })
      clients.push(client)
      return client
    },
    async close() {
      clients.forEach((client) => client.destroy())
      await server.close()
    },
  }
}

/** Resolves with the store's first value that `done` accepts. */
export function until<T>(store: { subscribe(listener: (value: T) => void): () => void }, done: (value: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    let off: (() => void) | undefined
    let settled = false
    off = store.subscribe((value) => {
      if (settled || !done(value)) return
      settled = true
      queueMicrotask(() => off?.())
      resolve(value)
    })
  })
}
