/**
 * What a request and a mutation may carry, and the client that sends them: the lowest
 * layer's own types, and the helpers the layers above share with it (so they need not
 * load the client itself).
 */
export interface RequestOptions {
  signal?: AbortSignal
}

export interface MutationRequestOptions extends RequestOptions {
  /** Sent as `Idempotency-Key`; a mutation is retried only when it has one. */
  idempotencyKey?: string
}

/** What one request may do on a failure that retrying can help (network, 5xx, 429). */
export interface RequestPolicy extends MutationRequestOptions {
  /** Retry even without an Idempotency-Key: a POST that changes nothing (a preview). GETs always may. */
  safe?: boolean
}

/**
 * The Portal API's transport over `fetch`: retries, backoff, timeouts and abort. Rejects
 * with a `PortalError` (never a raw TypeError or SyntaxError): `network`, `bad_response`,
 * `session_expired`, or the server's own code. Paths are `./portal-api.ts`'s alone.
 */
export interface ApiClient {
  request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, options?: RequestPolicy): Promise<T>
}

/** The rejection of a request stopped by its own or the portal's signal. Callers drop it. */
export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError'
}

export function newIdempotencyKey(): string {
  return crypto.randomUUID()
}

/** A controller that aborts with any of `sources`, and the function that unhooks it from them. */
export function linked(...sources: (AbortSignal | undefined)[]): [AbortController, () => void] {
  const controller = new AbortController()
  const abort = () => controller.abort()
  for (const source of sources) source?.aborted ? abort() : source?.addEventListener('abort', abort)
  return [controller, () => sources.forEach((source) => source?.removeEventListener('abort', abort))]
}
