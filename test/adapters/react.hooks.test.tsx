/**
 * The React hooks over the real headless client and the real Portal API (SQLite), in
 * StrictMode trees: lazy loads, one request shared by two hooks, a plan changed through
 * useChangePlan showing in useCustomer, options updates, and destroy on unmount.
 */
import { Activity, StrictMode, useState } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { PortalProvider, useChangePlan, useCustomer, useInvoices, usePlans, usePortalClient } from '../../adapters/react/index.js'
import type { PortalClient, PortalClientOptions } from '../../src/headless.js'
import { loggedTransport, realPortal, type RealPortal } from './real.js'

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

const text = (testId: string) => container.querySelector(`[data-testid="${testId}"]`)?.textContent

function PlanName({ id }: { id: string }) {
  const { status, data } = useCustomer()
  return <p data-testid={id}>{status === 'ready' ? data.plan?.name : status}</p>
}

/** Makes a client with usePortalClient and shows `children` under its provider. */
function App({ options, children, onClient }: { options: PortalClientOptions; children?: React.ReactNode; onClient?: (client: PortalClient) => void }) {
  const client = usePortalClient(options)
  onClient?.(client)
  return <PortalProvider client={client}>{children}</PortalProvider>
}

it('loads nothing until a hook reads a store, and two hooks share one request', async () => {
  const transport = loggedTransport(real)
  let show: (on: boolean) => void = () => {}
  function Page() {
    const [on, set] = useState(false)
    show = set
    return (
      <App options={{ token: real.freshToken, ...transport }}>
        {on ? (
          <>
            <PlanName id="a" />
            <PlanName id="b" />
          </>
        ) : null}
      </App>
    )
  }
  root.render(
    <StrictMode>
      <Page />
    </StrictMode>,
  )
  await new Promise((resolve) => setTimeout(resolve, 50))
  expect(transport.requests).toEqual([])

  show(true)
  await vi.waitFor(() => expect([text('a'), text('b')]).toEqual(['Pro', 'Pro']))
  expect(transport.count('GET /session')).toBe(1)
  expect(transport.requests).toEqual(['GET /session']) // plans and invoices stay unloaded
})

it('useChangePlan changes the plan and useCustomer re-renders with it; usePlans follows', async () => {
  const transport = loggedTransport(real)
  const outcomes: string[] = []
  function Upgrade() {
    const { state, flow } = useChangePlan()
    const plans = usePlans()
    if (outcomes.at(-1) !== state.status) outcomes.push(state.status)
    return (
      <>
        <p data-testid="current">{plans.data?.current_price_id}</p>
        <button onClick={() => void flow.choose('price_scale_month').then(() => flow.confirm())}>Scale</button>
      </>
    )
  }
  root.render(
    <StrictMode>
      <App options={{ token: real.freshToken, ...transport }}>
        <PlanName id="plan" />
        <Upgrade />
      </App>
    </StrictMode>,
  )
  await vi.waitFor(() => expect(text('plan')).toBe('Pro'))
  await vi.waitFor(() => expect(text('current')).toBe('price_pro_month'))
  container.querySelector('button')!.click()
  await vi.waitFor(() => expect(text('plan')).toBe('Scale'), { timeout: 5000 })
  await vi.waitFor(() => expect(text('current')).toBe('price_scale_month'))
  expect(outcomes).toEqual(['idle', 'previewing', 'ready', 'confirming', 'done'])
  expect(transport.count('POST /subscription')).toBe(1)
  expect((await real.portal.billing.getSession({ appId: 'app_demo', customUid: 'cus_active' })).plan?.name).toBe('Scale')
})

it('usePortalClient hands the client a new token (another customer) and destroys it on unmount, once under StrictMode', async () => {
  const transport = loggedTransport(real)
  const clients = new Set<PortalClient>()
  let setToken: (token: string) => void = () => {}
  const other = await real.portal.token('cus_past_due')
  function Page() {
    const [token, set] = useState(real.freshToken)
    setToken = set
    // A new inline getToken per render is no change.
    return (
      <App options={{ token, getToken: async () => token, ...transport }} onClient={(c) => clients.add(c)}>
        <PlanName id="plan" />
        <InvoiceCount />
      </App>
    )
  }
  function InvoiceCount() {
    const invoices = useInvoices()
    return <p data-testid="invoices">{invoices.data?.data.length ?? invoices.status}</p>
  }
  root.render(
    <StrictMode>
      <Page />
    </StrictMode>,
  )
  await vi.waitFor(() => expect(text('plan')).toBe('Pro'))
  await vi.waitFor(() => expect(text('invoices')).toBe('10'))
  setToken(other)
  await vi.waitFor(() => expect(text('plan')).toBe('Starter'))
  expect(transport.count('GET /session')).toBe(2)
  // StrictMode mounts twice, yet one client serves the page throughout.
  expect(clients.size).toBe(1)
  const [served] = clients

  root.render(null)
  await vi.waitFor(() => expect(text('plan')).toBeUndefined())
  await Promise.resolve() // the destroy waits a microtask for a StrictMode remount
  const before = transport.requests.length
  const stop = served.stores.plans.subscribe(() => {})
  await new Promise((resolve) => setTimeout(resolve, 50))
  stop()
  expect(transport.requests.length).toBe(before) // destroyed: a store of it loads nothing more
})

it('a flow hidden by <Activity> is destroyed, and a new one serves the component once shown again', async () => {
  const transport = loggedTransport(real)
  const flows = new Set<unknown>()
  let setMode: (mode: 'visible' | 'hidden') => void = () => {}
  function Upgrade() {
    const { state, flow } = useChangePlan()
    flows.add(flow)
    return <button onClick={() => void flow.choose('price_scale_month')}>{state.status}</button>
  }
  function Page() {
    const [mode, set] = useState<'visible' | 'hidden'>('visible')
    setMode = set
    return (
      <App options={{ token: real.freshToken, ...transport }}>
        <Activity mode={mode}>
          <Upgrade />
        </Activity>
      </App>
    )
  }
  root.render(<Page />)
  await vi.waitFor(() => expect(container.querySelector('button')?.textContent).toBe('idle'))
  setMode('hidden')
  await vi.waitFor(() => expect(container.querySelector('button')?.style.display).toBe('none'))
  await new Promise((resolve) => setTimeout(resolve, 20)) // the hidden flow's destroy has run
  setMode('visible')
  await vi.waitFor(() => expect(flows.size).toBe(2)) // the destroyed flow was replaced
  container.querySelector('button')!.click()
  await vi.waitFor(() => expect(container.querySelector('button')?.textContent).toBe('ready'), { timeout: 5000 })
})

it('throws an error naming <PortalProvider> when a hook has none above it', async () => {
  const errors: unknown[] = []
  root.unmount()
  root = createRoot(container, { onUncaughtError: (error) => errors.push(error) })
  root.render(<PlanName id="plan" />)
  await vi.waitFor(() => expect(errors).toHaveLength(1))
  expect(String(errors[0])).toMatch(/inside <PortalProvider client>/)
})
