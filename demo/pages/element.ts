/**
 * The custom element page: `<archetype-customer-portal>` and `<archetype-pricing-portal>`
 * as a plain-HTML or Angular app uses them. Strings go in as attributes, objects and
 * functions as properties; errors arrive as `archetype-error` events.
 */
import '@archetypeapi/portals/element'
import { LOGO_URL, PUBLIC_KEY, demo, portalLinks, reportError, reportSelection, startDemo } from './shared.js'

await startDemo()

const { customer } = demo.get()
document.getElementById('demo-customer-section')!.hidden = !customer
const customerPortal = document.createElement('archetype-customer-portal')
const pricingPortal = document.createElement('archetype-pricing-portal')
Object.assign(customerPortal, portalLinks)
pricingPortal.setAttribute('public-key', PUBLIC_KEY)
if (!customer) pricingPortal.onSelect = reportSelection
for (const el of [customerPortal, pricingPortal]) el.addEventListener('archetype-error', (event) => reportError(event.detail))

demo.subscribe((state) => {
  // A signed-in page waits for its first token. Setting what did not change is no change:
  // the element hands the portal only what did.
  if (customer && !state.token) return
  for (const el of [customerPortal, pricingPortal]) {
    if (state.token) el.setAttribute('token', state.token)
    el.config = { ...state.config, logo: LOGO_URL }
    el.getToken = state.getToken
  }
  if (customer && !customerPortal.isConnected) document.getElementById('customer-portal')!.append(customerPortal)
  if (!pricingPortal.isConnected) document.getElementById('pricing-portal')!.append(pricingPortal)
})
