// The customer portal: plan, usage against the quota, and the API keys card (Create key,
// Roll, Revoke). The meter moves within a second of calls to /v1/echo.
import { createPortal } from '/portals/index.js'

const customer = new URLSearchParams(location.search).get('customer') ?? 'cus_free'
const token = async () => (await (await fetch(`/token?customer=${encodeURIComponent(customer)}`)).json()).data.token

createPortal(document.getElementById('portal'), { token: await token(), getToken: token, apiUrl: '/api/portal' })
