/**
 * Serves a web-standard handler from `node:http` or Express:
 *
 *   http.createServer(toNodeListener(handler))
 *   app.use('/api/portal', toNodeListener(handler))   // Express strips the mount from req.url; originalUrl keeps it
 *
 * The body is streamed to the handler, which stops reading past 64 KB (or the handler's
 * own `maxBodyBytes`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { BillingError } from './billing/types.js'
import { rememberSocketAddress } from './client-address.js'
import { MAX_BODY_BYTES, tooLarge } from './validate.js'

/** A handler that reads bigger bodies than the Portal API's 64 KB says so (the Seller API's usage batches). */
type WebHandler = ((request: Request) => Promise<Response>) & { maxBodyBytes?: number }

/** What Express adds to the request: the path before mounting, and a body a JSON parser may already have read. */
interface MaybeExpressRequest extends IncomingMessage {
  originalUrl?: string
  body?: unknown
}

export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void

export function toNodeListener(handler: WebHandler): NodeListener {
  if (typeof handler !== 'function') throw new TypeError('`handler` must be a function (request: Request) => Promise<Response>')
  return (req, res) => {
    serve(handler, req as MaybeExpressRequest, res).catch((error: unknown) => {
      // Reached when a handler let an error out (the Portal handler never does: it answers
      // every error itself) or the client went away mid-response.
      if (res.headersSent) {
        res.destroy(error instanceof Error ? error : undefined)
        return
      }
      // The body stream's own 413 stays a 413 even when the handler did not catch it.
      const known = error instanceof BillingError
      const status = known ? error.status : 500
      const body = known
        ? { error: { code: error.code, message: error.message } }
        : { error: { code: 'server', message: 'Something went wrong on our side. Please try again.' } }
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...(req.complete ? {} : { connection: 'close' }) })
      res.end(JSON.stringify(body))
    })
  }
}

async function serve(handler: WebHandler, req: MaybeExpressRequest, res: ServerResponse): Promise<void> {
  let request: Request
  try {
    request = toRequest(req, handler.maxBodyBytes ?? MAX_BODY_BYTES)
  } catch {
    res.writeHead(400, { 'content-type': 'application/json; charset=utf-8', connection: 'close' })
    res.end(JSON.stringify({ error: { code: 'invalid_request', message: 'Malformed request URL or headers' } }))
    return
  }
  const response = await handler(request)
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, key) => {
    headers[key] = value
  })
  const cookies = response.headers.getSetCookie?.()
  if (cookies?.length) headers['set-cookie'] = cookies
  // A refused body may still be arriving: close the connection rather than drain it.
  if (!req.complete && req.method !== 'GET' && req.method !== 'HEAD') headers.connection = 'close'
  if (!response.body || req.method === 'HEAD') {
    res.writeHead(response.status, headers)
    res.end()
    return
  }
  const reader = response.body.getReader()
  const first = await reader.read()
  const second = first.done ? first : await reader.read()
  if (second.done) {
    // The whole body came in one chunk (every JSON answer does): one write with a
    // Content-Length instead of chunked encoding, which halves the syscalls.
    if (!first.done) headers['content-length'] = String(first.value.byteLength)
    res.writeHead(response.status, headers)
    res.end(first.done ? undefined : first.value)
    return
  }
  res.writeHead(response.status, headers)
  let chunk: Uint8Array | undefined = first.value
  let next: ReadableStreamReadResult<Uint8Array> = second
  for (;;) {
    if (chunk && !res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve))
    if (next.done) break
    chunk = next.value
    next = await reader.read()
  }
  res.end()
}

function toRequest(req: MaybeExpressRequest, maxBodyBytes: number): Request {
  const protocol = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'
  const host = req.headers.host ?? 'localhost'
  const url = new URL(req.originalUrl ?? req.url ?? '/', `${protocol}://${host}`)
  const headers = new Headers()
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1])
  const method = req.method ?? 'GET'
  const init: RequestInit & { duplex?: 'half' } = { method, headers }
  if (method !== 'GET' && method !== 'HEAD') {
    if (req.body !== undefined && req.readableEnded) {
      // express.json() ran before us: hand on what it parsed.
      init.body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body)
      headers.delete('content-length')
      headers.delete('transfer-encoding')
    } else {
      init.body = bodyStream(req, maxBodyBytes)
      init.duplex = 'half'
    }
  }
  const request = new Request(url, init)
  // The public routes' rate limit counts per client address (handler.ts `clientAddress`).
  rememberSocketAddress(request, req.socket.remoteAddress)
  return request
}

/**
 * The request body as a web stream that pulls from the socket only as the handler reads,
 * and errors with a 413 past the limit whatever handler reads it.
 */
function bodyStream(req: IncomingMessage, limit: number): ReadableStream<Uint8Array> {
  const iterator = req[Symbol.asyncIterator]()
  let received = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await iterator.next()
      if (done) {
        controller.close()
        return
      }
      const chunk = typeof value === 'string' ? Buffer.from(value) : (value as Buffer)
      received += chunk.byteLength
      if (received > limit) {
        controller.error(tooLarge(limit))
        return
      }
      controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    },
    // Not iterator.return(): that would destroy the socket before the 413 is sent.
    cancel() {
      req.pause()
    },
  })
}
