/**
 * A Stripe double: a loopback HTTP server that answers the Stripe API endpoints
 * `stripeBilling` calls, for tests that cannot reach Stripe. The real `stripe` client
 * talks to it through its `host` / `port` / `protocol` options, so the requests are the
 * ones a live account would get; every request is logged (method, path, decoded form
 * parameters, Idempotency-Key) for tests to assert on.
 *
 * Like Stripe it checks the secret key (401), replays a POST with a used Idempotency-Key
 * (and refuses one reused with other parameters), and answers errors in Stripe's shape.
 * `fail()` injects an error (rate limit, outage) for the next matching requests.
 *
 *   const double = await startStripeDouble({ now: () => clock })
 *   const backend = stripeBilling({ stripe: double.client(), meter: { id: double.demo.meter, metric: 'api_calls' } })
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'
import { decodeForm, type FormObject } from './form.js'
import { routes } from './routes.js'
import { seedDemo, type DemoIds } from './seed.js'
import { ApiError, World, type ErrorBody } from './world.js'

export { World, type DemoIds }
export const DOUBLE_SECRET_KEY = 'sk_test_stripe_double'

export interface LoggedStripeRequest {
  method: string
  /** `/v1/subscriptions/sub_...`, without the query. */
  path: string
  /** Query (GET, DELETE) or form body (POST), decoded into objects and arrays. */
  params: FormObject
  idempotencyKey: string | null
  status: number
  replayed: boolean
}

export interface InjectedFailure {
  status: number
  error: ErrorBody
  headers?: Record<string, string>
}

export interface StripeDouble {
  url: string
  world: World
  /** The demo's ids (`null` without the seed). */
  demo: DemoIds
  requests: LoggedStripeRequest[]
  /** Requests matching a method and path so far. */
  requestsTo(method: string, path: RegExp): LoggedStripeRequest[]
  /** A `stripe` client pointed at the double. */
  client(options?: { apiKey?: string; maxNetworkRetries?: number }): Stripe
  /** Answers the next `times` requests matching `method` and `path` with `failure`. */
  fail(method: string, path: RegExp, failure: InjectedFailure, times?: number): void
  /** Parks requests matching `method` and `path` until `count` of them have arrived, then lets them through in order. */
  gate(method: string, path: RegExp, count: number): void
  close(): Promise<void>
}

export interface StripeDoubleOptions {
  /** The account's clock, Unix seconds; share it with `stripeBilling({ now })`. */
  now?: () => number
  /** Default `'demo'`. */
  seed?: 'demo' | false
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

export async function startStripeDouble(options: StripeDoubleOptions = {}): Promise<StripeDouble> {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000))
  const world = new World(() => Math.floor(now()))
  const demo = options.seed === false ? { meter: '', customers: {}, prices: {}, products: {} } : seedDemo(world)
  const requests: LoggedStripeRequest[] = []
  const failures: { method: string; path: RegExp; failure: InjectedFailure; left: number }[] = []
  const idempotent = new Map<string, { fingerprint: string; status: number; body: string }>()
  const gates: { method: string; path: RegExp; count: number; parked: (() => void)[] }[] = []

  function send(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    response.writeHead(status, { 'content-type': 'application/json', 'request-id': world.id('req'), ...headers })
    response.end(body)
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://stripe-double')
    const method = (request.method ?? 'GET').toUpperCase()
    const raw = await readBody(request)
    const params = decodeForm(method === 'POST' ? raw : url.search.slice(1) || raw)
    const idempotencyKey = (request.headers['idempotency-key'] as string | undefined) ?? null
    const gate = gates.find((g) => g.method === method && g.path.test(url.pathname))
    if (gate) {
      await new Promise<void>((resolve) => {
        gate.parked.push(resolve)
        if (gate.parked.length < gate.count) return
        gates.splice(gates.indexOf(gate), 1)
        // Each continuation runs to its answer without awaiting, so they finish in arrival order.
        for (const release of gate.parked) release()
      })
    }
    const entry: LoggedStripeRequest = { method, path: url.pathname, params, idempotencyKey, status: 0, replayed: false }
    requests.push(entry)
    const answer = (status: number, body: string, headers?: Record<string, string>) => {
      entry.status = status
      send(response, status, body, headers)
    }
    const error = (e: ApiError) => answer(e.status, JSON.stringify({ error: e.body }))

    if (request.headers.authorization !== `Bearer ${DOUBLE_SECRET_KEY}`) {
      const key = (request.headers.authorization ?? '').replace(/^Bearer /, '')
      return error(new ApiError(401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` }))
    }
    const injected = failures.find((f) => f.left > 0 && f.method === method && f.path.test(url.pathname))
    if (injected) {
      injected.left -= 1
      entry.status = injected.failure.status
      return send(response, injected.failure.status, JSON.stringify({ error: injected.failure.error }), injected.failure.headers)
    }
    const fingerprint = `${method} ${url.pathname}\n${raw}`
    if (method === 'POST' && idempotencyKey) {
      const seen = idempotent.get(idempotencyKey)
      if (seen && seen.fingerprint !== fingerprint) {
        return error(
          new ApiError(400, {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          }),
        )
      }
      if (seen) {
        entry.replayed = true
        return answer(seen.status, seen.body, { 'idempotent-replayed': 'true', 'original-request': 'req_double' })
      }
    }

    let match: string[] | null = null
    const route = routes.find((r) => {
      if (r.method !== method) return false
      const m = r.path.exec(url.pathname)
      match = m ? m.slice(1).map(decodeURIComponent) : null
      return m !== null
    })
    if (!route || !match) return error(new ApiError(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${url.pathname}). The Stripe double does not answer it.` }))
    let status = 200
    let body: string
    try {
      body = JSON.stringify(route.handler(world, params, match))
    } catch (e) {
      if (!(e instanceof ApiError)) throw e
      status = e.status
      body = JSON.stringify({ error: e.body })
    }
    // Stripe keeps the outcome of a POST that ran (success or a declined card) for its key.
    if (method === 'POST' && idempotencyKey && (status === 200 || status === 402)) idempotent.set(idempotencyKey, { fingerprint, status, body })
    answer(status, body)
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((e: unknown) => {
      send(response, 500, JSON.stringify({ error: { type: 'api_error', message: `Stripe double crashed: ${e instanceof Error ? e.stack : String(e)}` } }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    world,
    demo,
    requests,
    requestsTo: (method, path) => requests.filter((r) => r.method === method && path.test(r.path)),
    client: (o = {}) => new Stripe(o.apiKey ?? DOUBLE_SECRET_KEY, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: o.maxNetworkRetries ?? 0, telemetry: false }),
    fail(method, path, failure, times = 1) {
      failures.push({ method, path, failure, left: times })
    },
    gate(method, path, count) {
      gates.push({ method, path, count, parked: [] })
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((e) => (e ? reject(e) : resolve()))
      }),
  }
}
