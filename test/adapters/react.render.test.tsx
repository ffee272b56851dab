/**
 * The React adapter over the real core and the real Portal API, in a StrictMode tree
 * written the way the original docs use it: a `useState` setter as `errorHandler`, a
 * React logo in `config`, and a new `token` passed in after the session expired.
 */
import { StrictMode, useState } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { CustomerPortal } from '../../adapters/react/index.js'
import { realPortal, viewText, type RealPortal } from './real.js'

let real: RealPortal
let container: HTMLElement
let root: Root

beforeEach(async () => {
  real = await realPortal()
  container = document.createElement('div')
  document.body.append(container)
  root = createRoot(container)
})

afterEach(async () => {
  root.unmount()
  container.remove()
  await real.portal.close()
})

it('shows the plan, reports session_expired through a useState setter, and resumes on a new token', async () => {
  const seen: string[] = []
  let setToken: (token: string) => void = () => {}
  function Page() {
    const [token, set] = useState(real.expiredToken)
    const [err, errHandler] = useState<string>('')
    setToken = set
    if (seen.at(-1) !== err) seen.push(err)
    const config = { primary: '#1c1c1c', accent: '#05a36a', logo: <svg aria-label="Acme" />, returnHref: '/' }
    return (
      <>
        <output>{err}</output>
        <CustomerPortal token={token} defaultView="dashboard" config={config} errorHandler={errHandler} {...real.transport} />
      </>
    )
  }
  root.render(
    <StrictMode>
      <Page />
    </StrictMode>,
  )

  await vi.waitFor(() => expect(container.querySelector('output')?.textContent).toBe('session_expired'))
  expect(container.querySelectorAll('.ap-portal')).toHaveLength(1)
  expect(container.querySelector('[data-ap-slot="logo"] svg')?.getAttribute('aria-label')).toBe('Acme')
  expect(container.querySelector('.ap-session-panel--expired')).not.toBeNull()

  const portalRoot = container.querySelector('.ap-portal')
  setToken(real.freshToken)
  await vi.waitFor(() => expect(viewText(container)).toContain('Pro'), { timeout: 5000 })
  expect(container.querySelector('output')?.textContent).toBe('')
  expect(seen).toEqual(['', 'session_expired', ''])
  expect(container.querySelectorAll('.ap-portal')).toHaveLength(1)
  expect(container.querySelector('.ap-portal')).toBe(portalRoot) // updated, not remounted

  root.render(null)
  await vi.waitFor(() => expect(container.querySelector('.ap-portal')).toBeNull())
})

// Issue 13, stumble 5: a failed load leaves the session active, yet the setter hears it.
it('hands errorHandler "network" when a load fails for good, and "" once Retry loads the view', async () => {
  const codes: string[] = []
  let offline = true
  const fetch: typeof globalThis.fetch = (input, init) => (offline ? Promise.reject(new TypeError('Failed to fetch')) : real.transport.fetch(input, init))
  root.render(<CustomerPortal token={real.freshToken} apiUrl={real.transport.apiUrl} fetch={fetch} errorHandler={(code) => codes.push(code)} />)
  await vi.waitFor(() => expect(codes).toEqual(['network']), { timeout: 5000 })
  expect(container.querySelector('.ap-session-panel')).toBeNull() // the session itself is fine
  offline = false
  const retry = [...container.querySelectorAll('button')].find((b) => b.textContent === 'Retry') as HTMLButtonElement
  retry.click()
  await vi.waitFor(() => expect(viewText(container)).toContain('Pro'), { timeout: 5000 })
  expect(codes).toEqual(['network', ''])
})
