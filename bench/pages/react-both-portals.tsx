/** Size page: an app that mounts both React portals, customer and pricing (React itself is left out of the count). */
import { createRoot } from 'react-dom/client'
import { CustomerPortal, PricingPortal } from '@archetypeapi/portals/react'

const token = document.querySelector<HTMLMetaElement>('meta[name="portal-token"]')?.content ?? ''
createRoot(document.getElementById('root')!).render(
  <>
    <CustomerPortal token={token} />
    <PricingPortal publicKey="pk_live_example" token={token} />
  </>,
)
