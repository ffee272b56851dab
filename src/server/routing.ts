/**
 * What a route of the Portal API and of the Seller API declares, and how a request finds
 * its route. The schemas a route names are its whole contract: the handler validates
 * with them and `openApiDocument` publishes them.
 */
import type * as z from 'zod'

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface RouteShape {
  method: Method
  /** Path segments after the base path; `:name` captures one id. */
  path: string[]
  /** What each `:name` segment takes, for the document; default an id (`ID_PATTERN`). */
  params?: Record<string, z.ZodType>
  /** One line for the OpenAPI document. */
  summary: string
  /** False for routes that take no credentials (the pricing portal's, the OpenAPI document). */
  auth: boolean
  /** Honours Idempotency-Key. */
  mutation: boolean
  /**
   * `'secret'`: the success body carries a `secret` shown once. An idempotent replay (and
   * the idempotency store) gets it without the secret, flagged `secret_already_shown`.
   */
  reveals?: 'secret'
  /** The query string's fields, as strings arrive; absent: the query is ignored. */
  query?: z.ZodType
  /** The JSON body; absent: the body is not read. */
  body?: z.ZodType
  /** What a 200 carries. */
  response: z.ZodType
}

export interface RouteMatch<R> {
  route: R
  params: Record<string, string>
}

/**
 * Finds the route for a path and method. `allowed` lists the methods the path answers
 * (empty: 404; otherwise a 405 or a preflight). A segment that cannot be an id fits no route.
 */
export function matchRoute<R extends RouteShape>(
  table: readonly R[],
  segments: string[],
  method: string,
  parseParam: (segment: string) => string | null,
): { match: RouteMatch<R> | null; allowed: Method[] } {
  const allowed: Method[] = []
  let match: RouteMatch<R> | null = null
  for (const candidate of table) {
    if (candidate.path.length !== segments.length) continue
    const params: Record<string, string> = {}
    let fits = true
    for (let i = 0; i < segments.length && fits; i++) {
      const part = candidate.path[i]
      if (part.startsWith(':')) {
        const value = parseParam(segments[i])
        if (value !== null) params[part.slice(1)] = value
        fits = value !== null
      } else {
        fits = part === segments[i]
      }
    }
    if (!fits) continue
    // `/payment-methods/setup` is also `/payment-methods/:id`: the literal route wins for its method.
    if (!allowed.includes(candidate.method)) allowed.push(candidate.method)
    if (candidate.method === method && !match) match = { route: candidate, params }
  }
  return { match, allowed }
}

/** `/api/portal/` -> `/api/portal`; `/` and `` mount at the root. */
export function normaliseBasePath(basePath: string): string {
  if (typeof basePath !== 'string' || (basePath !== '' && !basePath.startsWith('/'))) {
    throw new TypeError('`basePath` must be a path starting with "/" (e.g. "/api/portal")')
  }
  return basePath.replace(/\/+$/, '')
}

/** The path's segments below the base path, or null when the path is outside it. */
export function pathSegments(pathname: string, basePath: string): string[] | null {
  if (basePath !== '' && pathname !== basePath && !pathname.startsWith(`${basePath}/`)) return null
  return pathname
    .slice(basePath.length)
    .split('/')
    .filter((segment) => segment !== '')
}
