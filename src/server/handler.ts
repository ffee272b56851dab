/**
 * The Portal API as one web-standard `(Request) => Promise<Response>`: Node (through
 * `toNodeListener`), Next.js route handlers, Hono and workers all call it the same way.
 *
 * Per request: route -> token (401) -> rate limit (429; per customer, or on the public routes
 * per client address and per public key) -> query and body validation (400, 413) ->
 * Idempotency-Key -> the `BillingBackend` method -> JSON.
 */
import type { BillingBackend, CustomerScope, MutationOptions } from './billing/types.js'
import { BillingError } from './billing/types.js'
import { corsHeaders, errorToResponse, etagMatches, ok, preflightHeaders, response, send, sha256 } from './http.js'
import { defaultClientAddress, type ClientAddress } from './client-address.js'
import type { IdempotencyStore, StoredResponse } from './idempotency.js'
import { IdempotencyCoordinator, memoryIdempotencyStore, withoutSecret } from './idempotency.js'
import type { RateLimitCounters, RateLimitOptions, RateLimiter } from './rate-limit.js'
import { createRateLimiter } from './rate-limit.js'
import type { Route, RouteContext } from './routes.js'
import { routes } from './routes.js'
import { matchRoute, normaliseBasePath, pathSegments } from './routing.js'
import { checkClockOption, PortalTokenError, portalTokenVerifier } from './token.js'
import { checkGate, resolveFeatures, type PortalFeaturesOption } from './features.js'
import { canonicalJson, parseBody, parseIdempotencyKey, parseJsonObject, parsePathId, parseQuery, readBodyText } from './validate.js'

export interface PortalHandlerOptions {
  /** The app whose tokens this handler accepts (the token's `aud`). */
  appId: string
  /** At least 32 bytes; the same secret that mints the tokens. */
  secret: string
  billing: BillingBackend
  /** Where the handler is mounted, matched against the full request path. Default `/api/portal`. */
  basePath?: string
  /** When set, the public pricing routes answer for this key only (others are 404). */
  publicKey?: string
  /** Origins (`https://app.example.com`) allowed to call the API cross-origin. Default none. */
  allowedOrigins?: string[]
  /**
   * Requests per window per customer (app + token `sub`), and on the public routes per
   * client address and per public key (`perPublicKey`); off by default. Counted in the
   * backend's `sharedStores()` when it has them (PostgreSQL), else in memory.
   */
  rateLimit?: RateLimitOptions
  /**
   * The client's address, for the public routes' limit. Default: with `trustProxy`, the last
   * `X-Forwarded-For` entry; else the socket address `toNodeListener` saw. Pass your own on
   * other runtimes (e.g. `(r) => r.headers.get('cf-connecting-ip')`); null leaves only the
   * per-public-key limit.
   */
  clientAddress?: ClientAddress
  /** Behind your own reverse proxy: read the client address from `X-Forwarded-For`. Default false. */
  trustProxy?: boolean
  /**
   * Where customers' Idempotency-Key responses are kept. Default: the backend's
   * `sharedStores()` when it has them (PostgreSQL: a table every instance sees), else in
   * memory, LRU, 24 h. The public routes keep theirs apart (in memory, 1 000), so anonymous
   * callers never evict them.
   */
  idempotencyStore?: IdempotencyStore
  /** Receives every unexpected error (the client only sees a generic 500). Default `console.error`. */
  onError?: (error: unknown) => void
  /** The clock in Unix seconds, as the billing engine takes it; for tests. Default the system clock. */
  now?: () => number
  /**
   * Seller controls: turn sections and actions off (`changePlan`, `cancel`, `paymentMethods`,
   * `invoices`, `billingDetails`, `apiKeys`) and limit the plans offered (`plans`: price ids).
   * Enforced here (403 `forbidden`) and sent in `GET /session`. Default: everything on.
   * See docs/portal-api.md "Seller controls".
   */
  features?: PortalFeaturesOption
}

export type PortalHandler = (request: Request) => Promise<Response>

const PUBLIC_IDEMPOTENCY_ENTRIES = 1_000
const PUBLIC_KEY_LIMIT_FACTOR = 50
const PUBLIC_PLANS_CACHE = 'public, max-age=60'

export function createPortalHandler(options: PortalHandlerOptions): PortalHandler {
  const { appId, billing, publicKey } = checkOptions(options)
  const features = resolveFeatures(options.features)
  const now = options.now ?? (() => Date.now() / 1000)
  const onError = options.onError ?? ((error: unknown) => console.error('[archetype-portals]', error))
  const verifyToken = portalTokenVerifier({ appId, secret: options.secret, now })
  const basePath = normaliseBasePath(options.basePath ?? '/api/portal')
  const origins = new Set(options.allowedOrigins ?? [])
  // A backend shared by instances (PostgreSQL) keeps keys and counters where all of them see them.
  const shared = billing.sharedStores?.({ now })
  const limits = rateLimiters(options.rateLimit, now, shared && scopedCounters(shared.rateLimit, appId))
  const clientAddress = options.clientAddress ?? defaultClientAddress(options.trustProxy === true)
  const idempotency = {
    customer: new IdempotencyCoordinator(options.idempotencyStore ?? shared?.idempotency ?? memoryIdempotencyStore({ now })),
    public: new IdempotencyCoordinator(memoryIdempotencyStore({ now, maxEntries: PUBLIC_IDEMPOTENCY_ENTRIES })),
  }

  async function authenticate(request: Request): Promise<CustomerScope> {
    const header = request.headers.get('authorization')
    const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1]
    if (!token) throw new PortalTokenError('unauthorized', 'Missing `Authorization: Bearer <token>` header')
    const claims = await verifyToken(token)
    // Keyed on the customer (aud is this app), not the token: minting another does not reset it.
    await throttle(limits?.customer, claims.customUid)
    return { appId, customUid: claims.customUid }
  }

  /** The public routes: per client address (when known), then per public key. */
  async function throttlePublic(request: Request, key: string): Promise<void> {
    if (!limits) return
    const address = clientAddress(request)
    if (address) await throttle(limits.address, address)
    await throttle(limits.publicKey, key)
  }

  /** Runs the backend call; its errors become responses here so that idempotent replays keep them. */
  async function execute(route: Route, context: RouteContext): Promise<StoredResponse> {
    try {
      return ok(await route.run(context))
    } catch (error) {
      return errorToResponse(error, onError)
    }
  }

  async function dispatch(request: Request, cors: Record<string, string>): Promise<Response> {
    const url = new URL(request.url)
    const segments = pathSegments(url.pathname, basePath)
    const method = request.method.toUpperCase()
    if (!segments) throw new BillingError('not_found', outsideBasePath(method, url.pathname, basePath))
    const { match, allowed } = matchRoute(routes, segments, method, parsePathId)
    if (allowed.length === 0) throw new BillingError('not_found', `No route ${method} ${url.pathname}`)
    if (method === 'OPTIONS') return new Response(null, { status: 204, headers: preflightHeaders(request, origins, allowed) })
    if (!match) {
      const error = new BillingError('invalid_request', `${method} is not allowed here; use ${allowed.join(' or ')}`, { status: 405 })
      return send(errorToResponse(error, onError), { ...cors, 'cache-control': 'no-store', allow: allowed.join(', ') })
    }
    const { route, params } = match

    if (!route.auth) await throttlePublic(request, params.publicKey ?? route.path.join('/'))
    const scope = route.auth ? await authenticate(request) : { appId, customUid: '' }
    checkGate(route.gate, features)
    if (params.publicKey !== undefined && publicKey !== undefined && params.publicKey !== publicKey) {
      throw new BillingError('not_found', 'No such public key')
    }
    const query = route.query ? parseQuery(route.query, url.searchParams) : {}
    const body = route.body ? parseBody(route.body, parseJsonObject(await readBodyText(request))) : {}
    const idempotencyKey = route.mutation ? parseIdempotencyKey(request.headers) : undefined
    const mutation: MutationOptions = idempotencyKey ? { idempotencyKey } : {}
    const context: RouteContext = { billing, scope, params, body, query, mutation, basePath, features }

    if (!idempotencyKey) {
      const result = await execute(route, context)
      if (!route.auth && method === 'GET' && result.status === 200) return withEtag(request, result, cors)
      return send(result, { ...cors, 'cache-control': 'no-store' })
    }
    const owner = route.auth ? `customer:${scope.customUid}` : `public:${params.publicKey}`
    const scopedKey = `${appId}\n${owner}\n${idempotencyKey}`
    const fingerprint = await sha256(`${method} /${segments.join('/')}\n${canonicalJson(body)}`)
    const coordinator = route.auth ? idempotency.customer : idempotency.public
    const redact = route.reveals === 'secret' ? withoutSecret : undefined
    const { response: result, replayed } = await coordinator.run(scopedKey, fingerprint, () => execute(route, context), redact)
    const headers: Record<string, string> = { ...cors, 'cache-control': 'no-store' }
    if (replayed) headers['idempotent-replayed'] = 'true'
    return send(result, headers)
  }

  return async function handlePortalRequest(request: Request): Promise<Response> {
    const cors = corsHeaders(request, origins)
    try {
      return await dispatch(request, cors)
    } catch (error) {
      return send(errorToResponse(error, onError), { ...cors, 'cache-control': 'no-store' })
    }
  }
}

interface Limits {
  customer: RateLimiter
  address: RateLimiter
  publicKey: RateLimiter
}

function rateLimiters(options: RateLimitOptions | undefined, now: () => number, counters?: (kind: string) => RateLimitCounters): Limits | null {
  if (!options) return null
  const customer = createRateLimiter(options, now, counters?.('customer'))
  const perPublicKey = options.perPublicKey ?? options.max * PUBLIC_KEY_LIMIT_FACTOR
  if (!Number.isInteger(perPublicKey) || perPublicKey < 1) throw new TypeError('`rateLimit.perPublicKey` must be a positive integer')
  return {
    customer,
    address: createRateLimiter(options, now, counters?.('address')),
    publicKey: createRateLimiter({ windowMs: options.windowMs, max: perPublicKey }, now, counters?.('public-key')),
  }
}

/** Shared counters per limiter and per app: apps and limiters on one database never share a window. */
function scopedCounters(counters: RateLimitCounters, appId: string): (kind: string) => RateLimitCounters {
  return (kind) => ({ hit: (key, windowStart, windowMs) => counters.hit(`${appId}\n${kind}\n${key}`, windowStart, windowMs) })
}

async function throttle(limiter: RateLimiter | undefined, key: string): Promise<void> {
  const retryAfter = await limiter?.(key)
  if (retryAfter) throw new BillingError('rate_limited', 'Too many requests; try again shortly', { retryAfter })
}

/** Public plans are the same for every visitor: cacheable for a minute, revalidated by a strong ETag. */
async function withEtag(request: Request, result: StoredResponse, cors: Record<string, string>): Promise<Response> {
  const etag = `"${await sha256(result.body)}"`
  const headers = { ...cors, 'cache-control': PUBLIC_PLANS_CACHE, etag }
  if (etagMatches(request.headers.get('if-none-match'), etag)) return response(304, null, headers)
  return send(result, headers)
}

/**
 * Names the likely cause of a request outside `basePath`: the handler mounted under
 * another prefix (Express's `app.use('/billing-api', ...)` without `basePath`).
 */
function outsideBasePath(method: string, pathname: string, basePath: string): string {
  const segments = pathname.split('/').filter((segment) => segment !== '')
  const routeStart = segments.findIndex((_, i) => matchRoute(routes, segments.slice(i), method, parsePathId).allowed.length > 0)
  const mountedAt = routeStart > 0 ? `/${segments.slice(0, routeStart).join('/')}` : null
  const hint = mountedAt ? `; mounted at ${mountedAt}? pass createPortalHandler({ basePath: ${JSON.stringify(mountedAt)} })` : ''
  return `No route ${method} ${pathname}: this handler's basePath is ${JSON.stringify(basePath || '/')}${hint}`
}

function checkOptions(options: PortalHandlerOptions): PortalHandlerOptions {
  if (!options || typeof options !== 'object') throw new TypeError('createPortalHandler needs an options object')
  if (typeof options.appId !== 'string' || options.appId === '') throw new TypeError('`appId` must be a non-empty string')
  const billing = options.billing as unknown as Record<string, unknown> | undefined
  if (!billing || typeof billing.getSession !== 'function' || typeof billing.listInvoices !== 'function') {
    throw new TypeError('`billing` must be a BillingBackend (for example `openSqliteBilling(...)`)')
  }
  if (options.publicKey !== undefined && (typeof options.publicKey !== 'string' || options.publicKey === '')) {
    throw new TypeError('`publicKey` must be a non-empty string')
  }
  if (options.allowedOrigins !== undefined) {
    if (!Array.isArray(options.allowedOrigins)) throw new TypeError('`allowedOrigins` must be an array of origins')
    options.allowedOrigins.forEach((origin, index) => {
      let valid = false
      try {
        valid = new URL(origin).origin === origin
      } catch {
        valid = false
      }
      if (!valid) throw new TypeError(`\`allowedOrigins[${index}]\` must be an origin like "https://app.example.com" (got ${JSON.stringify(origin)})`)
    })
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') throw new TypeError('`onError` must be a function')
  if (options.clientAddress !== undefined && typeof options.clientAddress !== 'function') throw new TypeError('`clientAddress` must be a function (request) => address')
  checkClockOption(options.now)
  return options
}
