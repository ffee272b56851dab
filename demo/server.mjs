// `npm start`: the Portal API over a demo SQLite file, plus the token route from the
// original docs' Express example. Imports the built package (`../dist/server.js`) the
// way a user's server would.
//
//   GET /token?customer=cus_active[&ttl=30] -> { message: 'Success', data: { token, expires_at } }
//   /api/portal/*                           -> the Portal API
//   GET /v1/echo                            -> the seller's own API behind createApiKeyGuard (api_calls)
//   anything else                           -> the demo pages (see STATIC DEMO PAGES below)
//
// DEMO ONLY: `/token` mints a token for any customer it is asked for, so anyone who can
// reach it can open any customer's portal. A real server mints for its signed-in user only
// (README "Mint the token for the signed-in user"). With your own ARCHETYPE_SECRET the demo
// refuses to start unless DEMO_TOKENS=1 says you know this.
//
// Environment: PORT (default 5001), ARCHETYPE_SECRET (default a demo-only constant),
// DEMO_TOKENS=1 (required with ARCHETYPE_SECRET), DATABASE_URL (a postgres:// URL: the demo
// runs on that PostgreSQL database instead of SQLite, seeded once), DEMO_DB (the SQLite file,
// default .data/demo.sqlite; the end-to-end suite points it at a fresh file so every run
// starts from the seed).
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { dirname, extname, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const demoDir = dirname(fileURLToPath(import.meta.url))
const root = resolve(demoDir, '..')

/** DEMO ONLY: a published constant, so anyone can mint tokens for this server. Set ARCHETYPE_SECRET for anything else. */
const DEMO_ONLY_SECRET = 'archetype-portals-demo-only-secret-not-for-production'
const APP_ID = 'app_demo'
const PUBLIC_KEY = 'pk_demo'
const API_PATH = '/api/portal'

const port = Number(process.env.PORT ?? 5001)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got ${JSON.stringify(process.env.PORT)}`)
  process.exit(1)
}
const secret = process.env.ARCHETYPE_SECRET ?? DEMO_ONLY_SECRET
if (process.env.ARCHETYPE_SECRET !== undefined && process.env.DEMO_TOKENS !== '1') {
  console.error('Refusing to start: the demo /token route mints a token for ANY customer, so with your own ARCHETYPE_SECRET set DEMO_TOKENS=1 too (demo only; see README).')
  process.exit(1)
}
// Loaded after the check above, so the refusal needs no build.
const { ArchetypeApi, createApiKeyGuard, createPortalHandler, openPostgresBilling, openSqliteBilling, toNodeListener } = await import('../dist/server.js')
const { buildDemo } = await import('./build.mjs')

// DATABASE_URL: the same demo on PostgreSQL. DEMO_DB: another SQLite file (the end-to-end suite gives each run a fresh one).
const databaseUrl = process.env.DATABASE_URL
const dbFile = process.env.DEMO_DB ? resolve(process.env.DEMO_DB) : resolve(root, '.data/demo.sqlite')
if (!databaseUrl) mkdirSync(dirname(dbFile), { recursive: true })
// A real seller emails the customer from onUsageAlert (docs/metering.md#usage-alerts); the
// demo prints each alert, so you (and the end-to-end suite) can see one fire.
const onUsageAlert = ({ customUid, metric, threshold, of, used, limit }) =>
  console.log(`usage alert: ${customUid} reached ${threshold}% of the ${of} on ${metric} (${used} of ${limit})`)
const billing = databaseUrl
  ? await openPostgresBilling({ connectionString: databaseUrl, seed: 'demo', onUsageAlert })
  : openSqliteBilling({ filename: dbFile, seed: 'demo', onUsageAlert })
const store = databaseUrl ? `PostgreSQL (${new URL(databaseUrl).host}${new URL(databaseUrl).pathname})` : dbFile
// The pages are bundled from demo/pages/ against the built dist/, so they always match it.
const demoBuildMs = await buildDemo()
const archetype = ArchetypeApi(APP_ID, secret)
const portal = toNodeListener(createPortalHandler({ appId: APP_ID, secret, billing, basePath: API_PATH, publicKey: PUBLIC_KEY }))

// The "seller controls" switch: the same portal and data behind a handler with `features`
// set, one mount per preset at /api/controls/<preset> (a page with ?controls=<preset> uses it).
export const SELLER_CONTROLS = {
  'billing-only': { changePlan: false, cancel: false, apiKeys: false },
  restricted: { changePlan: 'upgrades_only', cancel: 'at_period_end', apiKeys: 'read_only' },
  'view-only': { changePlan: false, cancel: false, paymentMethods: false, billingDetails: false, invoices: false, apiKeys: 'read_only' },
}
const controlled = new Map(
  Object.entries(SELLER_CONTROLS).map(([name, features]) => [
    `/api/controls/${name}`,
    toNodeListener(createPortalHandler({ appId: APP_ID, secret, billing, basePath: `/api/controls/${name}`, publicKey: PUBLIC_KEY, features })),
  ]),
)

// The seller's own API, metered: each call to /v1/echo counts one `api_calls` against the
// key's customer, and the portal's meter moves within a second. The engine keeps only key
// hashes, so for the curl line the demo makes cus_free (the Free plan: 1,000 calls a
// month) a fresh key on every start, revoking the one the last start made.
const guard = createApiKeyGuard({ billing, metric: 'api_calls' })
const guarded = guard.node()
const CURL_CUSTOMER = { appId: APP_ID, customUid: 'cus_free' }
const CURL_KEY_NAME = 'curl (demo server)'
for (const key of (await billing.listApiKeys(CURL_CUSTOMER)).data) {
  if (key.name === CURL_KEY_NAME) await billing.revokeApiKey(CURL_CUSTOMER, key.id)
}
const curlKey = await billing.createApiKey(CURL_CUSTOMER, CURL_KEY_NAME)

function echo(req, res, url) {
  guarded(req, res, (error) => {
    if (error) {
      console.error(error)
      return sendJson(res, 500, { message: 'Something went wrong' })
    }
    sendJson(res, 200, { echo: url.searchParams.get('message') ?? 'hello', customer: req.archetype.customUid })
  })
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
  res.end(JSON.stringify(body))
}

/** The original docs' `/token` route; `ttl` (5..3600 s) drives the demo's short-token switch. */
async function token(url, res) {
  const customer = url.searchParams.get('customer') ?? 'cus_active'
  if (customer === '' || customer.length > 255) return sendJson(res, 400, { message: '`customer` must be 1 to 255 characters' })
  let ttlSeconds = 3600
  if (url.searchParams.has('ttl')) {
    ttlSeconds = Number(url.searchParams.get('ttl'))
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 5 || ttlSeconds > 3600) {
      return sendJson(res, 400, { message: '`ttl` must be a whole number of seconds from 5 to 3600' })
    }
  }
  const data = await archetype.Token.getCustomerPortalsToken(customer, { ttlSeconds })
  sendJson(res, 200, { message: 'Success', data })
}

// ---- STATIC DEMO PAGES --------------------------------------------------------------
// The demo pages live here: files from demo/public/ and demo/.out/ (built by
// demo/build.mjs), `/` -> index.html, `/vanilla` -> vanilla.html. Every page gets a strict
// CSP: no inline script or style, so the portal must work without them.
const STATIC_DIRS = [resolve(demoDir, 'public'), resolve(demoDir, '.out')]
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
}

function staticFile(pathname) {
  let decoded
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return null
  }
  if (decoded.includes('\0')) return null
  const name = decoded === '/' ? '/index.html' : extname(decoded) ? decoded : `${decoded}.html`
  for (const dir of STATIC_DIRS) {
    const file = resolve(dir, `.${name}`)
    // resolve() folds `..`; anything outside the directory is not ours to serve.
    if (!file.startsWith(dir + sep)) return null
    if (existsSync(file) && statSync(file).isFile()) return file
  }
  return null
}

function serveStatic(req, res, url) {
  const file = (req.method === 'GET' || req.method === 'HEAD') && staticFile(url.pathname)
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
    res.end(`Not found. Try GET /token?customer=cus_active or ${API_PATH}/session with that token.\n`)
    return
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  })
  if (req.method === 'HEAD') res.end()
  else createReadStream(file).pipe(res)
}
// ---- end of STATIC DEMO PAGES -------------------------------------------------------

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  if (url.pathname === API_PATH || url.pathname.startsWith(`${API_PATH}/`)) return portal(req, res)
  const controls = controlled.get(url.pathname.split('/').slice(0, 4).join('/'))
  if (controls) return controls(req, res)
  if (url.pathname === '/v1/echo' && req.method === 'GET') return echo(req, res, url)
  if (url.pathname === '/token' && req.method === 'GET') {
    return void token(url, res).catch((error) => {
      console.error(error)
      sendJson(res, 500, { message: 'Could not mint a token' })
    })
  }
  serveStatic(req, res, url)
})

server.listen(port, '127.0.0.1', () => {
  const { port: actual } = server.address()
  console.log(`Archetype Portals demo on http://127.0.0.1:${actual} (pages built in ${demoBuildMs} ms)`)
  console.log(`  token:      http://127.0.0.1:${actual}/token?customer=cus_active`)
  console.log(`  Portal API: http://127.0.0.1:${actual}${API_PATH}`)
  console.log(`  billing:    ${store}`)
  console.log(`  metered API (cus_free's key; the Free plan answers 429 after 1,000 calls a month):`)
  console.log(`    curl -H "Authorization: Bearer ${curlKey.secret}" http://127.0.0.1:${actual}/v1/echo?message=hi`)
  if (secret === DEMO_ONLY_SECRET) console.log('  (using the demo-only secret; set ARCHETYPE_SECRET to use your own)')
})

let stopping = false
function stop(signal) {
  if (stopping) return
  stopping = true
  console.log(`\n${signal}: closing`)
  server.close(async () => {
    await guard.close()
    await billing.close?.()
    process.exit(0)
  })
  server.closeAllConnections()
}
process.on('SIGINT', () => stop('SIGINT'))
process.on('SIGTERM', () => stop('SIGTERM'))
