// The page's script: the customer portal, given a token by /token and renewed silently.
// Bundled by build.js (esbuild: ESM, code splitting), so the language packs and Stripe's
// card form load only when needed, and top-level await is allowed.
import '@archetypeapi/portals/dist/styles.css'
import { createPortal } from '@archetypeapi/portals'

async function fetchToken() {
  const res = await fetch('/token')
  if (!res.ok) throw new Error(`/token answered ${res.status}`)
  return (await res.json()).data.token
}

createPortal(document.getElementById('portal'), {
  token: await fetchToken(),
  getToken: fetchToken,
  apiUrl: '/api/portal',
  config: { returnHref: '/' },
})
