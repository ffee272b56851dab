// @vitest-environment node
/**
 * Server rendering (Next.js and friends): importing the adapter and the real core and
 * rendering with react-dom/server touches no `window` or `document`. Node has neither,
 * so any access would throw here.
 */
import { renderToString } from 'react-dom/server'
import { expect, it } from 'vitest'
import { CustomerPortal, PricingPortal } from '../../adapters/react/index.js'

it('renders an empty host element on the server, with no DOM globals', () => {
  expect(typeof window).toBe('undefined')
  expect(typeof document).toBe('undefined')
  const config = { primary: '#1c1c1c', logo: <svg aria-label="Acme" /> }
  const errorHandler = () => {}
  const html = renderToString(
    <>
      <CustomerPortal token="token_from_sdk" stripePubKey="pk_test" defaultView="billing" config={config} errorHandler={errorHandler} className="portal" />
      <PricingPortal publicKey="pk_demo" />
    </>,
  )
  expect(html).toBe('<div class="portal"></div><div></div>')
})
