/** Size page: an app that mounts the React customer portal (React itself is left out of the count). */
import { createRoot } from 'react-dom/client'
import { CustomerPortal } from '@archetypeapi/portals/react'

const token = document.querySelector<HTMLMetaElement>('meta[name="portal-token"]')?.content ?? ''
createRoot(document.getElementById('root')!).render(<CustomerPortal token={token} />)
