// The original docs' Express server, on @archetypeapi/portals: `/token` mints a portal
// token for a customer, and the Portal API the embedded portal calls is mounted beside it.
import express from 'express'
import { createPortalHandler, openSqliteBilling, toNodeListener } from '@archetypeapi/portals/server'
import tokenRouter, { appId, appSecret } from './routes/token.js'

const app = express()
const port = Number(process.env.PORT ?? 5001)

// Your billing backend: the embedded SQLite engine here (seeded with demo customers).
const billing = openSqliteBilling({ filename: process.env.BILLING_DB ?? 'billing.sqlite', seed: 'demo' })

app.use('/token', tokenRouter)
// Mount before any body parser; the handler reads (and size-limits) the body itself.
// Express strips the mount path from req.url; the adapter reads req.originalUrl, so
// basePath stays the full path the browser calls.
app.use('/api/portal', toNodeListener(createPortalHandler({ appId, secret: appSecret, billing, basePath: '/api/portal' })))

app.listen(port, () => {
  console.log(`Example app listening on port ${port}`)
})
