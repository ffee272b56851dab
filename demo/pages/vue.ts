/**
 * The Vue page: `app.use(PortalsPlugin)`, then `<CustomerPortal>` and `<PricingPortal>`
 * from a render function (no template compiler at runtime, so the CSP needs no
 * 'unsafe-eval'). Reactive props reach the core through `update`; the logo is a slot.
 */
import { createApp, defineComponent, h, resolveComponent, shallowRef } from 'vue'
import { PortalsPlugin } from '@archetypeapi/portals/vue'
import { PUBLIC_KEY, demo, portalLinks, reportError, reportSelection, startDemo } from './shared.js'

await startDemo()
const state = shallowRef(demo.get())
demo.subscribe((value) => {
  state.value = value
})
const { customer } = demo.get()
document.getElementById('demo-customer-section')!.hidden = !customer

const Logo = () => h('img', { src: '/demo/logo.svg', alt: 'Archetype', width: 32, height: 32 })

const CustomerSection = defineComponent(() => () => {
  const { token, getToken, config } = state.value
  if (!token) return null
  // Registered by `app.use(PortalsPlugin)`, as a template's <CustomerPortal> would be.
  return h(resolveComponent('CustomerPortal'), { token, getToken, config, defaultView: 'dashboard', onError: reportError, ...portalLinks }, { logo: Logo })
})

const PricingSection = defineComponent(() => () => {
  const { token, getToken, config } = state.value
  if (customer && !token) return null
  return h(resolveComponent('PricingPortal'), {
    publicKey: PUBLIC_KEY,
    token: token ?? undefined,
    getToken,
    config,
    onSelect: customer ? undefined : reportSelection,
    onError: reportError,
  })
})

if (customer) createApp(CustomerSection).use(PortalsPlugin).mount('#customer-portal')
createApp(PricingSection).use(PortalsPlugin).mount('#pricing-portal')
