/**
 * The custom elements' contract against a fake core: strings by attribute, objects by
 * property, one core per element, only what changed handed on, `archetype-error` events
 * and `errorHandler` for every reported error, and a destroy when the element leaves.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { PortalError } from '../../src/types.js'
import '../../adapters/element/index.js'
import { cores, live } from './fake-core.js'

vi.mock('../../src/index.js', async () => {
  const { fakeMount } = await import('./fake-core.js')
  return { createPortal: fakeMount('customer'), createPricingPortal: fakeMount('pricing') }
})

const settle = () => new Promise((resolve) => queueMicrotask(() => resolve(undefined)))

afterEach(() => {
  document.body.textContent = ''
  cores.length = 0
})

describe('<archetype-customer-portal>', () => {
  it('mounts one core into itself (light DOM) once connected with a token, from attributes and properties', () => {
    const el = document.createElement('archetype-customer-portal')
    el.setAttribute('api-url', '/billing-api')
    el.setAttribute('default-view', 'invoices')
    el.config = { primary: '#111111' }
    document.body.append(el)
    expect(live()).toHaveLength(0) // no token yet: nothing to mount
    el.setAttribute('token', 't1')
    expect(live()).toHaveLength(1)
    const core = live()[0]
    expect(core.el).toBe(el)
    expect(el.shadowRoot).toBeNull()
    expect(el.querySelector('[data-fake-root="customer"]')).not.toBeNull()
    expect(core.options).toEqual({ apiUrl: '/billing-api', defaultView: 'invoices', config: { primary: '#111111' }, token: 't1' })
  })

  it('forwards open (attribute or property) and syncUrl (property)', () => {
    const el = document.createElement('archetype-customer-portal')
    el.setAttribute('token', 't1')
    el.setAttribute('open', 'billing-details')
    el.syncUrl = true
    document.body.append(el)
    const core = live()[0]
    expect(core.options).toMatchObject({ open: 'billing-details', syncUrl: true })
    el.open = { flow: 'change-plan', priceId: 'price_pro_year' }
    expect(core.update).toHaveBeenLastCalledWith({ open: { flow: 'change-plan', priceId: 'price_pro_year' } })
  })

  it('hands the core only what changed; an equal new config object is no change', () => {
    const el = document.createElement('archetype-customer-portal')
    el.setAttribute('token', 't1')
    el.config = { primary: '#111111' }
    document.body.append(el)
    const core = live()[0]
    el.config = { primary: '#111111' }
    expect(core.update).not.toHaveBeenCalled()
    el.setAttribute('token', 't2')
    expect(core.update).toHaveBeenCalledExactlyOnceWith({ token: 't2' })
    el.getToken = async () => 't3'
    expect(core.update).toHaveBeenLastCalledWith({ getToken: expect.any(Function) })
    expect(el.token).toBe('t2')
    expect(live()).toEqual([core])
  })

  it('takes a property set before the element was defined (an own property hiding the setter)', () => {
    const upgraded = document.createElement('archetype-customer-portal')
    Object.defineProperty(upgraded, 'config', { value: { primary: '#222222' }, writable: true, configurable: true, enumerable: true })
    upgraded.setAttribute('token', 't1')
    document.body.append(upgraded)
    expect(live()[0].options.config).toEqual({ primary: '#222222' })
    expect(Object.prototype.hasOwnProperty.call(upgraded, 'config')).toBe(false)
  })

  it('dispatches archetype-error with every reported PortalError, and errorHandler gets each code then ""', () => {
    const el = document.createElement('archetype-customer-portal')
    el.setAttribute('token', 't1')
    const codes: string[] = []
    el.errorHandler = (code) => codes.push(code)
    const onError = vi.fn()
    el.onError = onError
    const events: PortalError[] = []
    document.body.addEventListener('archetype-error', (event) => events.push(event.detail))
    document.body.append(el)
    const core = live()[0]
    expect(core.options).not.toHaveProperty('errorHandler')
    core.report({ code: 'network', message: 'offline' })
    core.report({ code: 'not_found', message: 'No such invoice' })
    core.error.set(null)
    expect(events.map((e) => e.code)).toEqual(['network', 'not_found']) // bubbled to the body
    expect(codes).toEqual(['network', 'not_found', ''])
    expect(onError).toHaveBeenCalledTimes(2)
  })

  it('survives a move, and destroys the core when removed', async () => {
    const el = document.createElement('archetype-customer-portal')
    el.setAttribute('token', 't1')
    document.body.append(el)
    const core = live()[0]
    const other = document.createElement('section')
    document.body.append(other)
    other.append(el) // a move: disconnected and connected again in one task
    await settle()
    expect(core.destroy).not.toHaveBeenCalled()
    expect(live()).toEqual([core])
    el.remove()
    await settle()
    expect(core.destroy).toHaveBeenCalledTimes(1)
    expect(el.childNodes).toHaveLength(0)
    document.body.append(el) // inserted again later: a new core
    expect(live()).toHaveLength(1)
    expect(live()[0]).not.toBe(core)
  })
})

describe('<archetype-pricing-portal>', () => {
  it('mounts the pricing core once it has a public key; plans and onSelect are properties', () => {
    const el = document.createElement('archetype-pricing-portal')
    el.plans = ['plan_pro', 'plan_scale']
    el.setAttribute('featured-plan-id', 'plan_pro')
    document.body.append(el)
    expect(live()).toHaveLength(0)
    el.setAttribute('public-key', 'pk_1')
    const core = live()[0]
    expect(core.kind).toBe('pricing')
    expect(core.options).toEqual({ plans: ['plan_pro', 'plan_scale'], featuredPlanId: 'plan_pro', publicKey: 'pk_1' })
    el.setAttribute('period', 'year')
    expect(core.update).toHaveBeenCalledExactlyOnceWith({ period: 'year' })
  })
})
