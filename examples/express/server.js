// The original docs' Express server, on @archetypeapi/portals: `/token` mints a portal
// token for the signed-in customer, the Portal API the embedded portal calls is mounted
// beside it, and `/` serves the page with the portal (client.js, bundled by build.js).
import express from 'express'
import { fileURLToPath } from 'node:url'
import { createPortalHandler, openSqliteBilling, toNodeListener } from '@archetypeapi/portals/server'
import { catalogue } from './catalogue.js'
import tokenRouter, { appId, appSecret, DEMO_USER } from './routes/token.js'

const app = express()
const port = Number(process.env.PORT ?? 5001)
const host = process.env.HOST ?? '127.0.0.1'

// Your billing backend: the embedded SQLite engine (the directory is created if missing).
const billing = openSqliteBilling({ filename: process.env.BILLING_DB ?? '.data/billing.sqlite' })

// Safe on every start: the first run creates the app and plans, later runs change only what you changed.
const diff = await billing.applyCatalogue(catalogue(appId))
if (diff.changed) console.log('Catalogue applied:', JSON.stringify(diff))

// A portal token's uid must name a customer: create yours when they sign up (upsert is safe to repeat).
await billing.upsertCustomer(appId, { customUid: DEMO_USER, email: 'ada@example.com', name: 'Ada Lovelace' })
// Demo only: on the first start, give the customer a sandbox card and a plan, so the portal has an invoice to show.
const scope = { appId, customUid: DEMO_USER }
if ((await billing.getSession(scope)).subscription === null) {
  await billing.attachPaymentMethod(scope, 'pm_card_visa')
  await billing.subscribe(scope, 'price_starter_month')
}

app.use('/token', tokenRouter)
// Mount before any body parser; the handler reads (and size-limits) the body itself.
// Express strips the mount path from req.url; the adapter reads req.originalUrl, so
// basePath stays the full path the browser calls.
app.use('/api/portal', toNodeListener(createPortalHandler({ appId, secret: appSecret, billing, basePath: '/api/portal' })))
// The page (public/index.html) and its bundle (public/assets/, written by `npm run build`).
app.use(express.static(fileURLToPath(new URL('./public', import.meta.url))))

const server = app.listen(port, host, () => {
  console.log(`Example app listening on http://${host}:${server.address().port}`)
})

// Close the database cleanly on Ctrl-C or a process manager's stop.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => server.close(() => billing.close().then(() => process.exit(0))))
}
