// @vitest-environment node
/**
 * The hooks in a server render (Next.js and friends): with no `window` or `document`, a
 * client made by usePortalClient renders each store's `loading` snapshot and sends nothing.
 */
import { renderToString } from 'react-dom/server'
import { expect, it } from 'vitest'
import { PortalProvider, useChangePlan, useCustomer, useInvoices, usePortalClient } from '../../adapters/react/index.js'
import { createTestPortal } from '../helpers/portal.js'

function Card() {
  const customer = useCustomer()
  const invoices = useInvoices()
  const { state } = useChangePlan()
  return <p>{`${customer.status} ${invoices.status} ${state.status}`}</p>
}

function Page({ token, fetch }: { token: string; fetch: typeof globalThis.fetch }) {
  const client = usePortalClient({ token, fetch })
  return (
    <PortalProvider client={client}>
      <Card />
    </PortalProvider>
  )
}

it('renders the loading snapshot on the server, touching no DOM global and sending no request', async () => {
  expect(typeof window).toBe('undefined')
  expect(typeof document).toBe('undefined')
  const portal = createTestPortal()
  const token = await portal.token('cus_active')
  const sent: string[] = []
  const fetch: typeof globalThis.fetch = (input) => (sent.push(String(input)), Promise.reject(new Error('no request during SSR')))
  expect(renderToString(<Page token={token} fetch={fetch} />)).toBe('<p>loading loading idle</p>')
  await new Promise((resolve) => setTimeout(resolve, 20)) // a load would have started by now
  expect(sent).toEqual([])
  await portal.close()
})

it('throws an error naming <PortalProvider> when rendered without one', () => {
  expect(() => renderToString(<Card />)).toThrow('Portal hooks must be used inside <PortalProvider client>')
})
