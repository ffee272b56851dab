/**
 * The custom element over the real core and the real Portal API, used as plain HTML
 * would: attributes in markup, an `archetype-error` listener, a new `token` attribute
 * after the session expired.
 */
import { expect, it, vi } from 'vitest'
import '../../adapters/element/index.js'
import type { PortalError } from '../../src/types.js'
import { realPortal, viewText } from './real.js'

it('shows the plan, reports session_expired as archetype-error, resumes on a new token attribute, and destroys when removed', async () => {
  const real = await realPortal()
  const host = document.createElement('div')
  host.innerHTML = `<archetype-customer-portal token="${real.expiredToken}" api-url="${real.transport.apiUrl}" default-view="dashboard"></archetype-customer-portal>`
  const el = host.firstElementChild as HTMLElementTagNameMap['archetype-customer-portal']
  el.fetch = real.transport.fetch
  const errors: PortalError[] = []
  host.addEventListener('archetype-error', (event) => errors.push(event.detail))
  document.body.append(host)

  await vi.waitFor(() => expect(errors.map((e) => e.code)).toEqual(['session_expired']))
  expect(el.querySelectorAll(':scope > .ap-portal')).toHaveLength(1)
  const root = el.querySelector('.ap-portal')
  el.setAttribute('token', real.freshToken)
  await vi.waitFor(() => expect(viewText(el)).toContain('Pro'), { timeout: 5000 })
  expect(el.querySelector('.ap-portal')).toBe(root) // updated, not remounted

  host.remove()
  await vi.waitFor(() => expect(el.querySelector('.ap-portal')).toBeNull())
  await real.portal.close()
})
