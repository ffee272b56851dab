// An API business in one file: your API (`GET /v1/echo`) behind your customers' API keys,
// metered against their plan, and the customer portal on `/account` where they create
// those keys and watch the meter move. See README.md for the curl calls.
import express from 'express'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ArchetypeApi, createApiKeyGuard, createPortalHandler, openSqliteBilling, toNodeListener } from '@archetypeapi/portals/server'

const here = dirname(fileURLToPath(import.meta.url))
const port = Number(process.env.PORT ?? 5001)
const appId = 'app_demo'
const secret = process.env.ARCHETYPE_SECRET
if (!secret || secret.length < 32) throw new Error('Set ARCHETYPE_SECRET to 32+ random characters: ARCHETYPE_SECRET="$(openssl rand -hex 32)" npm start')

// The billing engine: a SQLite file seeded with demo customers (cus_free is on the Free
// plan, 1,000 API calls a month, a hard limit).
const billing = openSqliteBilling({ filename: process.env.BILLING_DB ?? 'billing.sqlite', seed: 'demo' })
const archetype = ArchetypeApi(appId, secret)

// Who is calling, may they, and count it: 401 / 403 / 429 answered here, with RateLimit headers.
const guard = createApiKeyGuard({ billing, metric: 'api_calls' })

const app = express()
app.get('/v1/echo', guard.node(), (req, res) => {
  res.json({ echo: req.query.message ?? 'hello', customer: req.archetype.customUid })
})

// A portal token for the signed-in customer. DEMO ONLY: the customer comes from the query
// string here; in your app it comes from your own login session.
app.get('/token', async (req, res) => {
  res.json({ message: 'Success', data: await archetype.Token.getCustomerPortalsToken(String(req.query.customer ?? 'cus_free')) })
})
// The Portal API, before any body parser (the handler reads and size-limits the body itself).
app.use('/api/portal', toNodeListener(createPortalHandler({ appId, secret, billing, basePath: '/api/portal' })))

// The portal's browser files, straight from the package: `/portals/index.js`, its chunks and styles.
const dist = dirname(createRequire(import.meta.url).resolve('@archetypeapi/portals/dist/styles.css'))
app.use('/portals', express.static(dist))
app.get('/account', (req, res) => res.sendFile(join(here, 'public/account.html')))
app.use(express.static(join(here, 'public')))

const server = app.listen(port, '127.0.0.1', () => console.log(`Metered API on http://127.0.0.1:${port} (portal: /account)`))

// Ctrl-C: stop taking requests, then flush the last second of counted usage.
process.on('SIGINT', () => {
  server.close(async () => {
    await guard.close()
    await billing.close()
    process.exit(0)
  })
})
