// The browser bench's server, in a child process of its own (`node bench/page-server.mjs`):
// the Portal API over a fresh seeded SQLite file, a token route, and the bench page from
// bench/.out/ plus dist/styles.css, every page under the demo's strict CSP (no inline
// script or style), so the portal is measured the way it runs on a locked-down site.
//
//   GET /token?customer=cus_active -> { token }
//   /api/portal/*                  -> the Portal API
//   /bench.html, /bench.js, ...    -> bench/.out/
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { extname, join, resolve, sep } from 'node:path'
import { createPortalHandler, createPortalToken, openSqliteBilling, toNodeListener } from '../dist/server.js'
import { root } from './bundle.mjs'
import { serveChild } from './child.mjs'

const APP_ID = 'app_demo' // the demo seed's app
const SECRET = 'archetype-portals-bench-secret-0123456789abcdef'
const API_PATH = '/api/portal'
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json' }
const PAGES = resolve(root, 'bench/.out')
const STYLES = resolve(root, 'dist/styles.css')

const dir = mkdtempSync(join(tmpdir(), 'portal-bench-page-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
const billing = openSqliteBilling({ filename: join(dir, 'bench.sqlite'), seed: 'demo' })
const portal = toNodeListener(createPortalHandler({ appId: APP_ID, secret: SECRET, billing, basePath: API_PATH, publicKey: 'pk_bench' }))

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
  res.end(body)
}

function file(pathname) {
  if (pathname === '/dist/styles.css') return STYLES
  const path = resolve(PAGES, `.${pathname}`)
  return path.startsWith(PAGES + sep) && existsSync(path) && statSync(path).isFile() ? path : null
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  if (url.pathname.startsWith(`${API_PATH}/`)) return portal(req, res)
  if (url.pathname === '/token') {
    const customUid = url.searchParams.get('customer') ?? 'cus_active'
    return void createPortalToken({ appId: APP_ID, secret: SECRET, customUid, ttlSeconds: 3600 }).then(
      ({ token }) => send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ token })),
      (error) => send(res, 500, 'text/plain', String(error)),
    )
  }
  const path = file(url.pathname)
  if (!path) return send(res, 404, 'text/plain; charset=utf-8', 'not found\n')
  res.writeHead(200, {
    'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  })
  createReadStream(path).pipe(res)
})
serveChild(server)
