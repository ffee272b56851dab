import express from 'express'
import { ArchetypeApi } from '@archetypeapi/portals/server'

const router = express.Router()

// For the application to work as expected, these env variables need to be available.
// The secret must be at least 32 bytes; ArchetypeApi throws at start-up otherwise.
export const appId = process.env.ARCHETYPE_APP_ID ?? 'app_demo'
export const appSecret = process.env.ARCHETYPE_SECRET

const Archetype = ArchetypeApi(appId, appSecret)

// GET /token?customer=cus_active
router.get('/', async (req, res, next) => {
  try {
    // Take the customer from your own session in a real app, never from the query string:
    // whoever holds the token sees that customer's billing.
    const customUid = String(req.query.customer ?? 'cus_active')
    const data = await Archetype.Token.getCustomerPortalsToken(customUid)
    res.send({
      message: 'Success',
      data: data,
    })
  } catch (error) {
    next(error)
  }
})

export default router
