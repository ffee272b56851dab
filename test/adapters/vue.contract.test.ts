/**
 * The Vue adapter's contract against a fake core: the plugin registers both components
 * with defaults merged under props, reactive props reach `update` (only what changed),
 * the `logo` slot renders into the core's slot, errors arrive as an `error` event, and
 * unmounting destroys the core.
 */
import { createApp, defineComponent, h, nextTick, reactive, resolveComponent, type App } from 'vue'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CustomerPortal, PricingPortal, PortalsPlugin } from '../../adapters/vue/index.js'
import type { OpenTarget } from '../../src/types.js'
import { createPortalClient } from '../../src/headless.js'
import { cores, live } from './fake-core.js'

vi.mock('../../src/index.js', async () => {
  const { fakeMount } = await import('./fake-core.js')
  return { createPortal: fakeMount('customer'), createPricingPortal: fakeMount('pricing') }
})

let container: HTMLElement
let app: App | undefined

beforeEach(() => {
  cores.length = 0
  container = document.createElement('div')
  document.body.append(container)
})

afterEach(() => {
  app?.unmount()
  app = undefined
  container.remove()
})

function mountApp(render: () => ReturnType<typeof h> | null, defaults?: Parameters<typeof PortalsPlugin.install>[1]) {
  app = createApp(defineComponent({ setup: () => render }))
  app.use(PortalsPlugin, defaults)
  app.mount(container)
}

describe('CustomerPortal (Vue)', () => {
  it('is registered by the plugin, mounts once, and merges the plugin defaults under props', () => {
    mountApp(() => h(resolveComponent('CustomerPortal'), { token: 't1', locale: 'de', class: 'billing' }), {
      apiUrl: '/billing/api',
      locale: 'en',
    })
    expect(live()).toHaveLength(1)
    expect(live()[0].options).toMatchObject({ token: 't1', apiUrl: '/billing/api', locale: 'de' })
    expect(live()[0].el.className).toBe('billing')
    expect(container.querySelectorAll('[data-fake-root]')).toHaveLength(1)
  })

  it('hands the core the client of PortalsPlugin (or of a `client` prop) as is', () => {
    const shared = createPortalClient()
    const own = createPortalClient()
    mountApp(() => h('div', [h(resolveComponent('CustomerPortal'), { token: 't1' }), h(resolveComponent('PricingPortal'), { client: own })]), { client: shared })
    expect(live()[0].options.client).toBe(shared)
    expect(live()[1].options.client).toBe(own)
  })

  it('forwards only changed props to update, and nothing for equal new literals', async () => {
    const state = reactive({ token: 't1', primary: '#111111', tick: 0 })
    mountApp(() => h(CustomerPortal, { token: state.token, config: { primary: state.primary }, 'data-tick': state.tick }))
    const core = live()[0]
    state.tick++
    await nextTick()
    expect(core.update).not.toHaveBeenCalled()
    state.token = 't2'
    await nextTick()
    expect(core.update).toHaveBeenCalledExactlyOnceWith({ token: 't2' })
    state.primary = '#222222'
    await nextTick()
    expect(core.update).toHaveBeenLastCalledWith({ config: { primary: '#222222' } })
    expect(live()).toEqual([core])
  })

  it('forwards open and syncUrl', async () => {
    const state = reactive({ open: 'cancel' as OpenTarget })
    mountApp(() => h(CustomerPortal, { token: 't1', open: state.open, syncUrl: true }))
    const core = live()[0]
    expect(core.options).toMatchObject({ open: 'cancel', syncUrl: true })
    state.open = { flow: 'change-plan', priceId: 'price_pro_year' }
    await nextTick()
    expect(core.update).toHaveBeenLastCalledWith({ open: { flow: 'change-plan', priceId: 'price_pro_year' } })
  })

  it('sees a change inside a reactive config object', async () => {
    const config = reactive({ primary: '#111111' })
    mountApp(() => h(CustomerPortal, { token: 't1', config }))
    const core = live()[0]
    config.primary = '#333333'
    await nextTick()
    expect(core.update).toHaveBeenCalledExactlyOnceWith({ config: { primary: '#333333' } })
  })

  it('emits the core\'s errors as an `error` event', () => {
    const onError = vi.fn()
    mountApp(() => h(CustomerPortal, { token: 't1', onError }))
    const error = { code: 'session_expired', message: 'expired' }
    ;(live()[0].options.onError as (e: unknown) => void)(error)
    expect(onError).toHaveBeenCalledWith(error)
  })

  it('hands errorHandler the code of every reported error and "" on recovery, and keeps it from the core', () => {
    const codes: string[] = []
    mountApp(() => h(CustomerPortal, { token: 't1', errorHandler: (code: string) => codes.push(code) }))
    const core = live()[0]
    expect(core.options).not.toHaveProperty('errorHandler')
    core.report({ code: 'network', message: 'offline' })
    core.report({ code: 'not_found', message: 'No such invoice' })
    core.error.set(null)
    expect(codes).toEqual(['network', 'not_found', ''])
  })

  it('renders the `logo` slot into the core\'s logo slot', async () => {
    mountApp(() => h(CustomerPortal, { token: 't1', config: { logo: '/ignored.svg' } }, { logo: () => h('b', 'Acme') }))
    await nextTick()
    expect(container.querySelector('[data-ap-slot="logo"] b')?.textContent).toBe('Acme')
    expect((live()[0].options.config as { logo?: unknown }).logo).toBeUndefined()
  })

  it('destroys the core on unmount', async () => {
    const state = reactive({ show: true })
    mountApp(() => (state.show ? h(CustomerPortal, { token: 't1' }, { logo: () => h('b', 'Acme') }) : null))
    await nextTick()
    const core = live()[0]
    state.show = false
    await nextTick()
    expect(core.destroy).toHaveBeenCalledTimes(1)
    expect(live()).toHaveLength(0)
  })
})

describe('PricingPortal (Vue)', () => {
  it('mounts the pricing core and passes onSelect only when a listener is given', async () => {
    const state = reactive({ select: true as boolean })
    const onSelect = vi.fn()
    mountApp(() => h(PricingPortal, { publicKey: 'pk_1', plans: ['a', 'b'], onSelect: state.select ? onSelect : undefined }))
    const core = live()[0]
    expect(core.kind).toBe('pricing')
    ;(core.options.onSelect as (s: unknown) => void)({ plan: 'a' })
    expect(onSelect).toHaveBeenCalledWith({ plan: 'a' })
    state.select = false
    await nextTick()
    expect(core.update).toHaveBeenCalledExactlyOnceWith({ onSelect: undefined })
  })
})
