/** The Svelte actions' contract against a fake core: mount, update with changed keys only, destroy. */
import { describe, expect, it, vi } from 'vitest'
import { portal, pricingPortal } from '../../adapters/svelte/index.js'
import { cores, live } from './fake-core.js'

vi.mock('../../src/index.js', async () => {
  const { fakeMount } = await import('./fake-core.js')
  return { createPortal: fakeMount('customer'), createPricingPortal: fakeMount('pricing') }
})

describe('portal action (Svelte)', () => {
  it('mounts on the node, updates only changed keys, and destroys', () => {
    cores.length = 0
    const node = document.createElement('div')
    const first = vi.fn()
    const second = vi.fn()
    const action = portal(node, { token: 't1', config: { primary: '#111111' }, onError: first })
    const core = live()[0]
    expect(core.el).toBe(node)
    action.update({ token: 't1', config: { primary: '#111111' }, onError: second })
    expect(core.update).not.toHaveBeenCalled()
    ;(core.options.onError as (e: unknown) => void)({ code: 'network', message: 'offline' })
    expect(second).toHaveBeenCalledTimes(1)
    expect(first).not.toHaveBeenCalled()
    action.update({ token: 't2', config: { primary: '#111111' }, onError: second })
    expect(core.update).toHaveBeenCalledExactlyOnceWith({ token: 't2' })
    action.destroy()
    expect(core.destroy).toHaveBeenCalledTimes(1)
    expect(node.childNodes).toHaveLength(0)
  })

  it('pricingPortal mounts the pricing core', () => {
    cores.length = 0
    const action = pricingPortal(document.createElement('div'), { publicKey: 'pk_1', period: 'month' })
    action.update({ publicKey: 'pk_1', period: 'year' })
    expect(live()[0].kind).toBe('pricing')
    expect(live()[0].update).toHaveBeenCalledExactlyOnceWith({ period: 'year' })
  })
})
