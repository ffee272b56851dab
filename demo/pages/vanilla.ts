/**
 * The vanilla page: `createPortal` and `createPricingPortal` straight from the core. A
 * signed-in page gives both portals one client (`createPortalClient`): one session, one
 * renewal, one request per resource, and a plan changed in the pricing cards shows in the
 * customer portal at once. A visitor's pricing portal makes its own.
 */
import * as portals from '@archetypeapi/portals'
import { createPortalClient, type PortalClient } from '@archetypeapi/portals/headless'
import type { PortalHandle, PricingOptions } from '@archetypeapi/portals'
import { LOGO_URL, PUBLIC_KEY, type DemoState, demo, portalLinks, reportError, reportSelection, startDemo } from './shared.js'

await startDemo()

const { customer } = demo.get()
document.getElementById('demo-customer-section')!.hidden = !customer
let client: PortalClient | undefined
let customerPortal: PortalHandle | undefined
let pricingPortal: PortalHandle<PricingOptions> | undefined
let previous: DemoState | undefined

demo.subscribe((state) => {
  // A signed-in page waits for its first token; later tokens arrive through `update`.
  if (customer && !state.token) return
  const config = { ...state.config, logo: LOGO_URL }
  if (!previous) {
    const { apiUrl, ...links } = portalLinks
    if (customer) {
      client = createPortalClient({ token: state.token!, getToken: state.getToken, apiUrl, onError: reportError })
      customerPortal = portals.createPortal(document.getElementById('customer-portal')!, { client, config, ...links })
    }
    const session = client ? { client } : { getToken: state.getToken, onError: reportError }
    pricingPortal = portals.createPricingPortal(document.getElementById('pricing-portal')!, {
      ...session,
      config,
      publicKey: PUBLIC_KEY,
      onSelect: customer ? undefined : reportSelection,
    })
  } else {
    // Only what changed goes to `update`: a new token and the renewal callback to the
    // session (the client's, or the visitor's portal's), a theme to each portal.
    const session: Partial<PricingOptions> = {}
    if (state.token !== previous.token) session.token = state.token ?? undefined
    if (state.getToken !== previous.getToken) session.getToken = state.getToken
    if (Object.keys(session).length > 0) (client ?? pricingPortal)?.update(session)
    if (state.config !== previous.config) {
      customerPortal?.update({ config })
      pricingPortal?.update({ config })
    }
  }
  previous = state
})
