/**
 * The React page, written the way the original docs use the component: `token`,
 * `config` and an `errorHandler` that is a `useState` setter. Props that change reach
 * the one core instance through `update`; nothing remounts.
 */
import { StrictMode, useEffect, useMemo, useState, useSyncExternalStore } from 'react'
import { createRoot } from 'react-dom/client'
import { CustomerPortal, PricingPortal } from '@archetypeapi/portals/react'
import { PUBLIC_KEY, demo, portalLinks, reportError, reportSelection, startDemo } from './shared.js'

function Logo() {
  return <img src="/demo/logo.svg" alt="Archetype" width={32} height={32} />
}

function CustomerSection() {
  const state = useSyncExternalStore(demo.subscribe, demo.get)
  const [err, errHandler] = useState<string>('')
  useEffect(() => reportError(err), [err])
  // A stable object: the adapter compares props shallowly and updates only on change.
  const config = useMemo(() => ({ ...state.config, logo: <Logo /> }), [state.config])
  if (!state.token) return null
  return (
    <CustomerPortal
      token={state.token}
      getToken={state.getToken}
      defaultView="dashboard"
      config={config}
      errorHandler={errHandler}
      {...portalLinks}
    />
  )
}

function PricingSection() {
  const state = useSyncExternalStore(demo.subscribe, demo.get)
  if (state.customer && !state.token) return null
  return (
    <PricingPortal
      publicKey={PUBLIC_KEY}
      token={state.token ?? undefined}
      getToken={state.getToken}
      config={state.config}
      onSelect={state.customer ? undefined : reportSelection}
      onError={reportError}
    />
  )
}

await startDemo()
const { customer } = demo.get()
document.getElementById('demo-customer-section')!.hidden = !customer
if (customer) {
  createRoot(document.getElementById('customer-portal')!).render(
    <StrictMode>
      <CustomerSection />
    </StrictMode>,
  )
}
createRoot(document.getElementById('pricing-portal')!).render(
  <StrictMode>
    <PricingSection />
  </StrictMode>,
)
