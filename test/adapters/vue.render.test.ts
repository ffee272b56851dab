/**
 * The Vue adapter over the real core and the real Portal API: a render-function app
 * using the plugin, the `logo` slot, the `error` event, and a reactive `token` that
 * resumes an expired session without a remount.
 */
import { createApp, defineComponent, h, ref, resolveComponent, type App } from 'vue'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { PortalsPlugin } from '../../adapters/vue/index.js'
import type { PortalError } from '../../src/types.js'
import { realPortal, viewText, type RealPortal } from './real.js'

let real: RealPortal
let container: HTMLElement
let app: App | undefined

beforeEach(async () => {
  real = await realPortal()
  container = document.createElement('div')
  document.body.append(container)
})

afterEach(async () => {
  app?.unmount()
  container.remove()
  await real.portal.close()
})

it('shows the plan, emits session_expired, and resumes when the token prop changes', async () => {
  const token = ref(real.expiredToken)
  const errors: PortalError[] = []
  const vueApp = createApp(
    defineComponent(() => () =>
      h(
        resolveComponent('CustomerPortal'),
        { token: token.value, config: { primary: '#1c1c1c' }, onError: (e: PortalError) => errors.push(e) },
        { logo: () => h('b', { class: 'logo' }, 'Acme') },
      ),
    ),
  )
  app = vueApp.use(PortalsPlugin, real.transport)
  vueApp.mount(container)

  await vi.waitFor(() => expect(errors.map((e) => e.code)).toEqual(['session_expired']))
  expect(container.querySelector('.ap-session-panel--expired')).not.toBeNull()
  expect(container.querySelector('[data-ap-slot="logo"] .logo')?.textContent).toBe('Acme')

  const root = container.querySelector('.ap-portal')
  token.value = real.freshToken
  await vi.waitFor(() => expect(viewText(container)).toContain('Pro'), { timeout: 5000 })
  expect(container.querySelectorAll('.ap-portal')).toHaveLength(1)
  expect(container.querySelector('.ap-portal')).toBe(root) // updated, not remounted
  expect(container.querySelector('.ap-session-panel--expired')).toBeNull()

  vueApp.unmount()
  app = undefined
  expect(container.querySelector('.ap-portal')).toBeNull()
})
