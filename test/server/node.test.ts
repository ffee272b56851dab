import { createServer, request as httpRequest } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { toNodeListener } from '../../src/server/node.js'
import { readBodyText } from '../../src/server/validate.js'
import type { TestPortal } from '../helpers/portal.js'
import { createTestPortal } from '../helpers/portal.js'

type Listener = (req: IncomingMessage, res: ServerResponse) => void

async function serve(listener: Listener): Promise<{ url: string; server: Server }> {
  const server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}

/** What Express's `app.use(mount, fn)` does before calling fn: keep the full path in originalUrl, strip the mount from url. */
function expressMount(mount: string, listener: Listener, parseJson = false): Listener {
  return (req, res) => {
    const request = req as IncomingMessage & { originalUrl?: string; body?: unknown }
    const url = req.url ?? '/'
    if (url !== mount && !url.startsWith(`${mount}/`) && !url.startsWith(`${mount}?`)) {
      res.writeHead(404).end('express 404')
      return
    }
    request.originalUrl = url
    request.url = url.slice(mount.length) || '/'
    if (!parseJson) return listener(req, res)
    // express.json(): reads the whole body and leaves the parsed value on req.body.
    let text = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (text += chunk))
    req.on('end', () => {
      request.body = text ? JSON.parse(text) : {}
      listener(req, res)
    })
  }
}

describe('toNodeListener mounted like Express', () => {
  let portal: TestPortal
  let token: string
  let server: Server | undefined
  beforeEach(async () => {
    portal = createTestPortal()
    token = await portal.token('cus_active')
  })
  afterEach(async () => {
    if (server) await stop(server)
    server = undefined
    await portal.close()
  })

  it('app.use("/api/portal", listener) reaches the routes through req.originalUrl', async () => {
    const mounted = await serve(expressMount('/api/portal', toNodeListener(portal.handler)))
    server = mounted.server
    const response = await fetch(`${mounted.url}/api/portal/session`, { headers: { authorization: `Bearer ${token}` } })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { plan: { name: string } }).plan.name).toBe('Pro')
    const list = await fetch(`${mounted.url}/api/portal/invoices?limit=3`, { headers: { authorization: `Bearer ${token}` } })
    expect(((await list.json()) as { data: unknown[] }).data).toHaveLength(3)
  })

  it('takes the body express.json() already parsed', async () => {
    const mounted = await serve(expressMount('/api/portal', toNodeListener(portal.handler), true))
    server = mounted.server
    const response = await fetch(`${mounted.url}/api/portal/subscription/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ at_period_end: true }),
    })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { cancel_at_period_end: boolean }).cancel_at_period_end).toBe(true)
  })
})

describe('toNodeListener', () => {
  let server: Server | undefined
  afterEach(async () => {
    if (server) await stop(server)
    server = undefined
  })

  it('streams the body to the handler and the response back, keeping repeated headers', async () => {
    const mounted = await serve(
      toNodeListener(async (request) => {
        const text = await readBodyText(request)
        const headers = new Headers({ 'content-type': 'text/plain' })
        headers.append('set-cookie', 'a=1')
        headers.append('set-cookie', 'b=2')
        return new Response(`${request.method} ${new URL(request.url).pathname} ${text.length}`, { status: 201, headers })
      }),
    )
    server = mounted.server
    const { status, body, headers } = await send(`${mounted.url}/echo`, ['a'.repeat(30_000), 'b'.repeat(30_000)])
    expect(status).toBe(201)
    expect(body).toBe('POST /echo 60000')
    expect(headers['set-cookie']).toEqual(['a=1', 'b=2'])
  })

  it.each<[string, (request: Request) => Promise<string>]>([
    ['the Portal validator', (request) => readBodyText(request)],
    ['request.arrayBuffer()', async (request) => String((await request.arrayBuffer()).byteLength)],
  ])('refuses a chunked body past 64 KB with 413 when read by %s', async (_name, read) => {
    const mounted = await serve(toNodeListener(async (request) => new Response(await read(request))))
    server = mounted.server
    const refused = await send(`${mounted.url}/`, Array.from({ length: 6 }, () => 'x'.repeat(16_384)))
    expect(refused.status).toBe(413)
    expect(JSON.parse(refused.body).error.code).toBe('invalid_request')
  })
})

/** POSTs the chunks with chunked transfer encoding (no Content-Length). */
function send(url: string, chunks: string[]): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
    })
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)))
    for (const chunk of chunks) req.write(chunk)
    req.end()
  })
}
