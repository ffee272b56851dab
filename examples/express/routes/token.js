import express from 'express'
import { ArchetypeApi } from '@archetypeapi/portals/server'

const router = express.Router()

// For the application to work as expected, these env variables need to be available.
// The secret must be at least 32 bytes; ArchetypeApi throws at start-up otherwise.
export const appId = process.env.ARCHETYPE_APP_ID ?? 'app_acme'
export const appSecret = process.env.ARCHETYPE_SECRET

/** The example has no login: every visitor is this customer (server.js creates it). */
export const DEMO_USER = 'user_ada'

const Archetype = ArchetypeApi(appId, appSecret)

// GET /token
router.get('/', async (req, res, next) => {
  try {
    // In a real app the customer is the signed-in user (req.user.id), never a query parameter:
    // whoever holds the token sees that customer's billing.
    const data = await Archetype.Token.getCustomerPortalsToken(DEMO_USER)
    res.send({
      message: 'Success',
      data: data,
    })
  } catch (error) {
    next(error)
  }
})

export default router
