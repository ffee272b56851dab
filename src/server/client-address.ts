/**
 * The address of the client behind a request, for the public routes' rate limit.
 *
 * `toNodeListener` records the socket's address here for each `Request` it builds; a
 * WeakMap keyed by the Request (not a header) so no caller can forge it and nothing leaks
 * once the request is gone. Other runtimes pass `clientAddress(request)` to the handler.
 */
const socketAddresses = new WeakMap<Request, string>()

export function rememberSocketAddress(request: Request, address: string | undefined): void {
  if (address) socketAddresses.set(request, address)
}

export type ClientAddress = (request: Request) => string | null | undefined

/**
 * The default: with `trustProxy`, the last `X-Forwarded-For` entry (the one your proxy
 * appended; earlier entries are whatever the client sent); else the socket address
 * `toNodeListener` saw. Null when neither is known.
 */
export function defaultClientAddress(trustProxy: boolean): ClientAddress {
  return (request) => {
    if (trustProxy) {
      const forwarded = request.headers.get('x-forwarded-for')
      const last = forwarded?.split(',').pop()?.trim()
      if (last) return last
    }
    return socketAddresses.get(request) ?? null
  }
}
