/**
 * The real Portal API for the adapters' render tests: one seeded customer, a token that
 * is already expired when the portal mounts, and a fresh one to pass in afterwards.
 */
import { createTestPortal, type TestPortal } from '../helpers/portal.js'

export interface RealPortal {
  portal: TestPortal
  expiredToken: string
  freshToken: string
  /** Options every framework passes through to the core. */
  transport: { apiUrl: string; fetch: typeof fetch }
}

export async function realPortal(): Promise<RealPortal> {
  // Minted two hours in the past on the portal's clock (so already past `exp` for the
  // browser), then the clock is set right for the fresh token and the handler.
  let offset = -2 * 3600
  const portal = createTestPortal({ now: () => Math.floor(Date.now() / 1000) + offset })
  const expiredToken = await portal.token('cus_active')
  offset = 0
  const freshToken = await portal.token('cus_active')
  return { portal, expiredToken, freshToken, transport: { apiUrl: portal.apiUrl, fetch: portal.fetch } }
}

/** The text of the mounted view (not the sidebar), where the plan's name shows. */
export function viewText(container: ParentNode): string {
  return container.querySelector('.ap-view-host')?.textContent ?? ''
}

/** The real transport, logging each request's method and path below the API mount (`GET /session`). */
export function loggedTransport(real: RealPortal): { apiUrl: string; fetch: typeof fetch; requests: string[]; count(request: string): number } {
  const requests: string[] = []
  const mount = new URL(real.transport.apiUrl).pathname
  const fetch: typeof globalThis.fetch = (input, init) => {
    requests.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname.slice(mount.length)}`)
    return real.transport.fetch(input, init)
  }
  return { apiUrl: real.transport.apiUrl, fetch, requests, count: (request) => requests.filter((r) => r === request).length }
}
