/**
 * The Seller API as one web-standard `(Request) => Promise<Response>`: what a seller's
 * backend in any language calls (portal tokens, customers, catalogue, usage, key
 * verification, entitlements). Mount it on a private route:
 *
 *   http.createServer(toNodeListener(createSellerHandler({ appId, secret, billing })))
 *
 * Per request: route -> app secret (401, compared in constant time) -> query and body
 * validation (400, 413) -> Idempotency-Key -> the engine -> JSON. Never CORS: a browser
 * must not hold the app secret.
 */
import { BillingError, type MutationOptions } from './billing/types.js'
import { errorToResponse, ok, send, sha256 } from './http.js'
import { IdempotencyCoordinator, memoryIdempotencyStore, withoutSecret, type IdempotencyStore, type StoredResponse } from './idempotency.js'
import { matchRoute, normaliseBasePath, pathSegments } from './routing.js'
import { CustomerUid } from './schemas/seller.js'
import { SELLER_BILLING_METHODS, sellerRoutes, type SellerBilling, type SellerContext, type SellerRoute } from './seller-routes.js'
import { checkClockOption, createPortalToken, secretKey } from './token.js'
import { canonicalJson, parseBody, parseIdempotencyKey, parseJsonObject, parsePathId, parseQuery, readBodyText } from './validate.js'

export type { SellerBilling } from './seller-routes.js'

/** A batch of 1,000 events with long ids and uids fits; the Portal API's 64 KB would not. */
export const SELLER_MAX_BODY_BYTES = 1024 * 1024

export interface SellerHandlerOptions {
  /** The app this handler serves; every customer and key it reaches is this app's. */
  appId: string
  /** The app secret (at least 32 bytes): callers send it as `Authorization: Bearer <secret>`; it also signs portal tokens. */
  secret: string
  billing: SellerBilling
  /** Where the handler is mounted, matched against the full request path. Default `/api/seller`. */
  basePath?: string
  /** Where Idempotency-Key responses are kept. Default: the backend's `sharedStores()` when it has them (PostgreSQL), else in memory, LRU, 24 h. */
  idempotencyStore?: IdempotencyStore
  /** Receives every unexpected error (the caller only sees a generic 500). Default `console.error`. */
  onError?: (error: unknown) => void
  /** The clock in Unix seconds, for minted tokens; for tests. Default the system clock. */
  now?: () => number
}

/** `toNodeListener` reads `maxBodyBytes` to let the usage batches through. */
export type SellerHandler = ((request: Request) => Promise<Response>) & { readonly maxBodyBytes: number }

const NO_STORE = { 'cache-control': 'no-store' }

export function createSellerHandler(options: SellerHandlerOptions): SellerHandler {
  const { appId, secret, billing } = checkOptions(options)
  const now = options.now ?? (() => Date.now() / 1000)
  const onError = options.onError ?? ((error: unknown) => console.error('[archetype-portals seller]', error))
  const basePath = normaliseBasePath(options.basePath ?? '/api/seller')
  // A backend shared by instances (PostgreSQL) keeps the keys where all of them see them, as the Portal API does.
  const idempotency = new IdempotencyCoordinator(options.idempotencyStore ?? billing.sharedStores?.({ now }).idempotency ?? memoryIdempotencyStore({ now }))
  const expected = sha256(secret)
  const mintToken = (customUid: string) => createPortalToken({ appId, secret, customUid, now })

  /** Compares digests, so neither the secret's length nor its matching prefix shows in the timing. */
  async function authenticate(request: Request): Promise<void> {
    const given = request.headers.get('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1]
    if (!given) throw new BillingError('unauthorized', 'Missing `Authorization: Bearer <app secret>` header')
    const [a, b] = await Promise.all([sha256(given), expected])
    let difference = 0
    for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i)
    if (difference !== 0) throw new BillingError('unauthorized', 'Invalid app secret')
  }

  async function execute(route: SellerRoute, context: SellerContext): Promise<StoredResponse> {
    try {
      return ok(await route.run(context))
    } catch (error) {
      return errorToResponse(error, onError)
    }
  }

  async function dispatch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const segments = pathSegments(url.pathname, basePath)
    const method = request.method.toUpperCase()
    const { match, allowed } = segments ? matchRoute(sellerRoutes, segments, method, parseParam) : { match: null, allowed: [] }
    if (!segments || allowed.length === 0) throw new BillingError('not_found', `No route ${method} ${url.pathname}`)
    if (!match) {
      const error = new BillingError('invalid_request', `${method} is not allowed here; use ${allowed.join(' or ')}`, { status: 405 })
      return send(errorToResponse(error, onError), { ...NO_STORE, allow: allowed.join(', ') })
    }
    const { route, params } = match
    if (route.auth) await authenticate(request)

    const query = route.query ? parseQuery(route.query, url.searchParams) : {}
    const raw = route.body ? parseJsonObject(await readBodyText(request, SELLER_MAX_BODY_BYTES)) : {}
    const body = route.body ? parseBody(route.body, raw) : {}
    const idempotencyKey = route.mutation ? parseIdempotencyKey(request.headers) : undefined
    const mutation: MutationOptions = idempotencyKey ? { idempotencyKey } : {}
    const scope = { appId, customUid: params.uid ?? '' }
    const context: SellerContext = { billing, appId, scope, params, body, query, mutation, basePath, mintToken }

    if (!idempotencyKey) return send(await execute(route, context), NO_STORE)
    // The raw body and the query: `?dry_run=1` is another request than the apply.
    const fingerprint = await sha256(`${method} /${segments.join('/')}${url.search}\n${canonicalJson(raw)}`)
    const redact = route.reveals === 'secret' ? withoutSecret : undefined
    const { response: result, replayed } = await idempotency.run(`${appId}\nseller\n${idempotencyKey}`, fingerprint, () => execute(route, context), redact)
    return send(result, replayed ? { ...NO_STORE, 'idempotent-replayed': 'true' } : NO_STORE)
  }

  const handler = async function handleSellerRequest(request: Request): Promise<Response> {
    try {
      return await dispatch(request)
    } catch (error) {
      return send(errorToResponse(error, onError), NO_STORE)
    }
  }
  return Object.assign(handler, { maxBodyBytes: SELLER_MAX_BODY_BYTES })
}

/** A path segment as a customer uid or an id, or null (the route does not fit: 404). */
const parseParam = (segment: string): string | null => parsePathId(segment, CustomerUid)

function checkOptions(options: SellerHandlerOptions): SellerHandlerOptions {
  if (!options || typeof options !== 'object') throw new TypeError('createSellerHandler needs an options object')
  if (typeof options.appId !== 'string' || options.appId === '') throw new TypeError('`appId` must be a non-empty string')
  secretKey(options.secret)
  const billing = options.billing as unknown as Record<string, unknown> | undefined
  const missing = SELLER_BILLING_METHODS.filter((name) => typeof billing?.[name] !== 'function')
  if (missing.length > 0) {
    throw new TypeError(`\`billing\` must be the billing engine (for example \`openSqliteBilling(...)\`); it lacks ${missing.join(', ')}`)
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') throw new TypeError('`onError` must be a function')
  checkClockOption(options.now)
  return options
}
