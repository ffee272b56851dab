/** What a request and a mutation may carry, and the client that sends them: the lowest layer's own types. */
export interface RequestOptions {
  signal?: AbortSignal
}

export interface MutationRequestOptions extends RequestOptions {
  /** Sent as `Idempotency-Key`; a mutation is retried only when it has one. */
  idempotencyKey?: string
}

/**
 * The Portal API over `fetch`. Rejects with a `PortalError` (never a raw TypeError or
 * SyntaxError): `network`, `bad_response`, `session_expired`, or the server's own code.
 */
export interface ApiClient {
  get<T>(path: string, options?: RequestOptions): Promise<T>
  post<T>(path: string, body?: unknown, options?: MutationRequestOptions): Promise<T>
  delete<T>(path: string, options?: MutationRequestOptions): Promise<T>
}
