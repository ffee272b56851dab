/**
 * The Vue composables over the real headless client and the real Portal API (SQLite):
 * a client from PortalsPlugin or providePortalClient, lazy loads, one request shared by
 * two composables, useChangePlan -> useCustomer, reactive options, and destroy on unmount.
 */
import { createApp, defineComponent, h, nextTick, ref, type App, type Component } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { PortalsPlugin, providePortalClient, useChangePlan, useCustomer, usePlans, usePortalClient, useStore } from '../../adapters/vue/index.js'
import { createPortalClient, type PortalClient } from '../../src/headless.js'
import { loggedTransport, realPortal, type RealPortal } from './real.js'

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
  app = undefined
  container.remove()
  await real.portal.close()
})

const text = (testId: string) => container.querySelector(`[data-testid="${testId}"]`)?.textContent

const PlanName = defineComponent({
  props: { id: { type: String, required: true } },
  setup(props) {
    const customer = useCustomer()
    return () => h('p', { 'data-testid': props.id }, customer.value.status === 'ready' ? customer.value.data.plan?.name : customer.value.status)
  },
})

function mount(root: Component, client?: PortalClient) {
  app = createApp(root)
  if (client) app.use(PortalsPlugin, { client })
  app.mount(container)
}

it('loads nothing until a composable reads a store, and two composables share one request', async () => {
  const transport = loggedTransport(real)
  const client = createPortalClient({ token: real.freshToken, ...transport })
  const show = ref(false)
  mount(
    defineComponent(() => () => (show.value ? [h(PlanName, { id: 'a' }), h(PlanName, { id: 'b' })] : null)),
    client,
  )
  await new Promise((resolve) => setTimeout(resolve, 50))
  expect(transport.requests).toEqual([])
  show.value = true
  await vi.waitFor(() => expect([text('a'), text('b')]).toEqual(['Pro', 'Pro']))
  expect(transport.requests).toEqual(['GET /session'])
  client.destroy()
})

it('useChangePlan changes the plan and useCustomer re-renders with it; the ref is readonly', async () => {
  const transport = loggedTransport(real)
  const client = createPortalClient({ token: real.freshToken, ...transport })
  const outcomes: string[] = []
  let plansRef: ReturnType<typeof usePlans> | undefined
  const Upgrade = defineComponent(() => {
    const { state, flow } = useChangePlan()
    plansRef = usePlans()
    return () => {
      if (outcomes.at(-1) !== state.value.status) outcomes.push(state.value.status)
      return h('button', { onClick: () => void flow.choose('price_scale_month').then(() => flow.confirm()) }, 'Scale')
    }
  })
  mount(defineComponent(() => () => [h(PlanName, { id: 'plan' }), h(Upgrade)]), client)
  await vi.waitFor(() => expect(text('plan')).toBe('Pro'))
  container.querySelector('button')!.click()
  await vi.waitFor(() => expect(text('plan')).toBe('Scale'), { timeout: 5000 })
  await vi.waitFor(() => expect(plansRef!.value.data?.current_price_id).toBe('price_scale_month'))
  expect(outcomes).toEqual(['idle', 'previewing', 'ready', 'confirming', 'done'])
  expect(transport.count('POST /subscription')).toBe(1)

  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  ;(plansRef as { value: unknown }).value = null
  expect(plansRef!.value.status).toBe('ready') // a readonly ref: the write is refused
  warn.mockRestore()
  client.destroy()
})

it('usePortalClient + providePortalClient: reactive options reach the client, and it is destroyed with the component', async () => {
  const transport = loggedTransport(real)
  const token = ref(real.freshToken)
  const other = await real.portal.token('cus_past_due')
  let made: PortalClient | undefined
  const shown = ref(true)
  const Owner = defineComponent(() => {
    made = usePortalClient(() => ({ token: token.value, ...transport }))
    providePortalClient(made)
    return () => h(PlanName, { id: 'plan' })
  })
  mount(defineComponent(() => () => (shown.value ? h(Owner) : null)))
  await vi.waitFor(() => expect(text('plan')).toBe('Pro'))
  token.value = other
  await vi.waitFor(() => expect(text('plan')).toBe('Starter'))
  expect(transport.count('GET /session')).toBe(2)

  shown.value = false
  await nextTick()
  const before = transport.requests.length
  const stop = made!.stores.plans.subscribe(() => {})
  await new Promise((resolve) => setTimeout(resolve, 50))
  stop()
  expect(transport.requests.length).toBe(before) // destroyed: a store of it loads nothing more
})

it('useStore renders the loading value on the server and sends nothing', async () => {
  const transport = loggedTransport(real)
  const client = createPortalClient({ token: real.freshToken, ...transport })
  const ssrApp = createApp(defineComponent(() => {
    const account = useStore(client.stores.account)
    return () => h('p', account.value.status)
  }))
  expect(await renderToString(ssrApp)).toBe('<p>loading</p>')
  await new Promise((resolve) => setTimeout(resolve, 50))
  expect(transport.requests).toEqual([])
  client.destroy()
})

it('throws an error naming PortalsPlugin and providePortalClient when no client is provided', () => {
  const errors: unknown[] = []
  app = createApp(PlanName, { id: 'plan' })
  app.config.errorHandler = (error) => void errors.push(error)
  app.config.warnHandler = () => {}
  app.mount(container)
  expect(String(errors[0])).toMatch(/PortalsPlugin or providePortalClient/)
})
