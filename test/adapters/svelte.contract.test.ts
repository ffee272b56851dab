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

  it('hands errorHandler the code of every reported error and "" on recovery, the latest handler only', () => {
    cores.length = 0
    const first: string[] = []
    const codes: string[] = []
    const action = portal(document.createElement('div'), { token: 't1', errorHandler: (code) => first.push(code) })
    const core = live()[0]
    expect(core.options).not.toHaveProperty('errorHandler')
    action.update({ token: 't1', errorHandler: (code) => codes.push(code) })
    expect(core.update).not.toHaveBeenCalled()
    core.report({ code: 'network', message: 'offline' })
    core.report({ code: 'not_found', message: 'No such invoice' })
    core.error.set(null)
    expect(codes).toEqual(['network', 'not_found', ''])
    expect(first).toEqual([])
    action.destroy()
    core.report({ code: 'network', message: 'late' })
    expect(codes).toHaveLength(3)
  })

  it('pricingPortal mounts the pricing core', () => {
    cores.length = 0
    const action = pricingPortal(document.createElement('div'), { publicKey: 'pk_1', period: 'month' })
    action.update({ publicKey: 'pk_1', period: 'year' })
    expect(live()[0].kind).toBe('pricing')
    expect(live()[0].update).toHaveBeenCalledExactlyOnceWith({ period: 'year' })
  })
})
