/** The vanilla page: `createPortal` and `createPricingPortal` straight from the core. */
import * as portals from '@archetypeapi/portals'
import type { PortalHandle, PricingOptions } from '@archetypeapi/portals'
import { LOGO_URL, PUBLIC_KEY, type DemoState, demo, portalLinks, reportError, reportSelection, startDemo } from './shared.js'

await startDemo()

const { customer } = demo.get()
document.getElementById('demo-customer-section')!.hidden = !customer
let customerPortal: PortalHandle | undefined
let pricingPortal: PortalHandle<PricingOptions> | undefined
let previous: DemoState | undefined

demo.subscribe((state) => {
  // A signed-in page waits for its first token; later tokens arrive through `update`.
  if (customer && !state.token) return
  const config = { ...state.config, logo: LOGO_URL }
  if (!previous) {
    const session = { token: state.token ?? undefined, getToken: state.getToken, config, onError: reportError }
    if (customer) customerPortal = portals.createPortal(document.getElementById('customer-portal')!, { ...session, ...portalLinks, token: state.token! })
    // Until the pricing portal ships, its slot stays empty.
    if (typeof portals.createPricingPortal === 'function') {
      pricingPortal = portals.createPricingPortal(document.getElementById('pricing-portal')!, {
        ...session,
        publicKey: PUBLIC_KEY,
        onSelect: customer ? undefined : reportSelection,
      })
    }
  } else {
    // Only what changed goes to `update`: a new token, a theme, the renewal callback.
    const changes: Partial<PricingOptions> = {}
    if (state.token !== previous.token) changes.token = state.token ?? undefined
    if (state.config !== previous.config) changes.config = config
    if (state.getToken !== previous.getToken) changes.getToken = state.getToken
    if (Object.keys(changes).length > 0) {
      customerPortal?.update(changes as Partial<portals.PortalOptions>)
      pricingPortal?.update(changes)
    }
  }
  previous = state
})
