/**
 * The React adapter's contract against a fake core: one instance per mounted component
 * (StrictMode included), `update` only with what changed, callbacks that never re-bind,
 * `destroy` on unmount, the error prop of the original docs, and the logo slot.
 */
import { StrictMode, act, useState, type ReactNode } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CustomerPortal, PricingPortal, type CustomerPortalProps } from '../../adapters/react/index.js'
import { createPortalClient } from '../../src/headless.js'
import { cores, live } from './fake-core.js'

vi.mock('../../src/index.js', async () => {
  const { fakeMount } = await import('./fake-core.js')
  return { createPortal: fakeMount('customer'), createPricingPortal: fakeMount('pricing') }
})

;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true

let container: HTMLElement
let root: Root

beforeEach(() => {
  cores.length = 0
  container = document.createElement('div')
  document.body.append(container)
  root = createRoot(container)
})

afterEach(() => {
  act(() => root.unmount())
  container.remove()
})

function render(node: ReactNode) {
  act(() => root.render(<StrictMode>{node}</StrictMode>))
}

describe('CustomerPortal (React)', () => {
  it('mounts one core under StrictMode and leaves one portal in the DOM', () => {
    render(<CustomerPortal token="t1" className="billing" />)
    expect(live()).toHaveLength(1)
    expect(container.querySelectorAll('[data-fake-root]')).toHaveLength(1)
    expect(live()[0].options).toMatchObject({ token: 't1' })
    expect(live()[0].el.className).toBe('billing')
    expect(live()[0].options).not.toHaveProperty('className')
  })

  it('calls update only with the props that really changed', () => {
    const props = (token: string, primary: string): CustomerPortalProps => ({
      token,
      apiUrl: '/api/portal',
      defaultView: 'billing',
      config: { primary, accent: '#05a36a' }, // a new literal every render
      messages: { 'nav.billing': 'Payments' },
      onError: () => {}, // a new arrow every render
    })
    render(<CustomerPortal {...props('t1', '#111111')} />)
    const core = live()[0]
    render(<CustomerPortal {...props('t1', '#111111')} />)
    expect(core.update).not.toHaveBeenCalled()

    render(<CustomerPortal {...props('t2', '#111111')} />)
    expect(core.update).toHaveBeenCalledTimes(1)
    expect(core.update).toHaveBeenLastCalledWith({ token: 't2' })

    render(<CustomerPortal {...props('t2', '#222222')} />)
    expect(core.update).toHaveBeenCalledTimes(2)
    expect(core.update).toHaveBeenLastCalledWith({ config: { primary: '#222222', accent: '#05a36a' } })
    expect(live()).toEqual([core])
  })

  it('hands the core stable callbacks that call the latest prop', () => {
    const first = vi.fn()
    const second = vi.fn()
    render(<CustomerPortal token="t1" onError={first} />)
    const core = live()[0]
    const onError = core.options.onError as (e: unknown) => void
    render(<CustomerPortal token="t1" onError={second} />)
    expect(core.update).not.toHaveBeenCalled()
    onError({ code: 'network', message: 'offline' })
    expect(first).not.toHaveBeenCalled()
    expect(second).toHaveBeenCalledWith({ code: 'network', message: 'offline' })
  })

  it('tells the core when a callback appears or goes away', () => {
    const getToken = async () => 't2'
    render(<CustomerPortal token="t1" />)
    const core = live()[0]
    expect(core.options).not.toHaveProperty('getToken')
    render(<CustomerPortal token="t1" getToken={getToken} />)
    const wrapper = core.update.mock.lastCall?.[0].getToken as () => Promise<string>
    expect(typeof wrapper).toBe('function')
    render(<CustomerPortal token="t1" getToken={undefined} />)
    expect(core.update).toHaveBeenLastCalledWith({ getToken: undefined })
  })

  it('destroys the core on unmount', () => {
    render(<CustomerPortal token="t1" />)
    const core = live()[0]
    act(() => root.render(null))
    expect(core.destroy).toHaveBeenCalledTimes(1)
    expect(live()).toHaveLength(0)
    expect(container.querySelector('[data-fake-root]')).toBeNull()
  })

  it('drives a useState setter: the code of every reported error, then "" when the portal recovers', () => {
    const seen: string[] = []
    function Page() {
      const [err, errHandler] = useState<string>('')
      seen.push(err)
      return (
        <>
          <output>{err}</output>
          <CustomerPortal token="t1" errorHandler={errHandler} />
        </>
      )
    }
    render(<Page />)
    const core = live()[0]
    act(() => core.report({ code: 'session_expired', message: 'expired' }))
    expect(container.querySelector('output')?.textContent).toBe('session_expired')
    act(() => core.error.set(null))
    expect(container.querySelector('output')?.textContent).toBe('')
    // Failed loads and actions leave the session active; the setter hears them all the same.
    act(() => core.report({ code: 'network', message: 'offline' }))
    expect(container.querySelector('output')?.textContent).toBe('network')
    act(() => core.report({ code: 'not_found', message: 'No such invoice' }))
    expect(container.querySelector('output')?.textContent).toBe('not_found')
    act(() => core.error.set(null))
    expect(seen.filter((v, i) => v !== seen[i - 1])).toEqual(['', 'session_expired', '', 'network', 'not_found', ''])
  })

  it('renders a React logo into the core\'s logo slot and keeps it from the core', () => {
    render(<CustomerPortal token="t1" config={{ primary: '#111111', logo: <svg aria-label="Acme" /> }} />)
    const core = live()[0]
    expect(core.options.config).toEqual({ primary: '#111111', logo: undefined })
    expect(container.querySelector('[data-ap-slot="logo"] svg')?.getAttribute('aria-label')).toBe('Acme')
    render(<CustomerPortal token="t1" config={{ primary: '#111111', logo: <svg aria-label="Acme" /> }} />)
    expect(core.update).not.toHaveBeenCalled()
  })

  it('hands the core a shared `client` as is, and the same client again is no change', () => {
    const client = createPortalClient()
    render(<CustomerPortal token="t1" client={client} />)
    expect(live()[0].options.client).toBe(client)
    render(<CustomerPortal token="t1" client={client} className="x" />)
    expect(live()[0].update).not.toHaveBeenCalled()
  })

  it('passes a string logo (a URL) through to the core', () => {
    render(<CustomerPortal token="t1" config={{ logo: '/logo.svg' }} />)
    expect(live()[0].options.config).toEqual({ logo: '/logo.svg' })
    expect(container.querySelector('[data-ap-slot="logo"]')?.childNodes).toHaveLength(0)
  })
})

describe('PricingPortal (React)', () => {
  it('mounts the pricing core once and forwards changes', () => {
    render(<PricingPortal publicKey="pk_1" period="month" onSelect={() => {}} />)
    expect(live()).toHaveLength(1)
    const core = live()[0]
    expect(core.kind).toBe('pricing')
    expect(typeof core.options.onSelect).toBe('function')
    render(<PricingPortal publicKey="pk_1" period="year" onSelect={() => {}} />)
    expect(core.update).toHaveBeenCalledExactlyOnceWith({ period: 'year' })
  })
})
