/**
 * Vue 3 adapter: `app.use(PortalsPlugin, defaults?)` registers `<CustomerPortal>` and
 * `<PricingPortal>`; both are exported too. Props are reactive (a new `token` resumes
 * an expired session without a remount), the `logo` slot renders into the core's logo
 * slot, and errors arrive as an `error` event. `app.use(PortalsPlugin, { client })` also
 * hands a shared headless client to both components and to the composables (below).
 */
import {
  Teleport,
  defineComponent,
  h,
  inject,
  onMounted,
  onScopeDispose,
  provide,
  shallowReadonly,
  shallowRef,
  toValue,
  watch,
  type App,
  type InjectionKey,
  type MaybeRefOrGetter,
  type PropType,
  type ShallowRef,
  type SlotsType,
  type VNode,
} from 'vue'
import { createPortalClient } from '../../src/headless.js'
import type { ApiKey, ChangePlanFlow, ChangePlanOptions, ChangePlanState, Invoice, List, PaymentMethod, PlansResponse, PortalClient, PortalClientOptions, PortalFlows, Resource, Session } from '../../src/headless.js'
import { createPortal, createPricingPortal } from '../../src/index.js'
import type { Messages } from '../../src/i18n/messages.js'
import type { Plan, Price } from '../../src/api/types.js'
import type { PortalConfig, PortalError, PortalHandle, PortalOptions, PricingOptions, OpenTarget, StripeLoader, ViewName } from '../../src/types.js'
import { forwardErrors, optionSync, type ErrorHandler, type OptionSync } from '../sync.js'

// Composables: build your own UI on the headless client's stores and flows. A store loads when
// a mounted component first reads it and is shared by every composable (and portal) on the
// same client; a server render reads `loading` and starts nothing.

/** What a store hands a composable: anything with nanostores' (and Svelte's) `get` and `subscribe`. */
interface Readable<T> {
  get(): T
  subscribe(listener: (value: T) => void): () => void
}

/** Options every portal of the app gets unless a prop says otherwise; `client` is also the composables'. */
export type PortalDefaults = Partial<Omit<PortalOptions, 'onError'> & Omit<PricingOptions, 'onError' | 'onSelect'>> & { client?: PortalClient }

/** What `PortalsPlugin` and `providePortalClient` provide: one injection for the portals and the composables. */
const DEFAULTS: InjectionKey<PortalDefaults> = Symbol()

/** Hands `client` to the composables and portals of this component's descendants (`PortalsPlugin` does it app-wide). */
export const providePortalClient = (client: PortalClient): void => provide(DEFAULTS, { ...inject(DEFAULTS, {}), client })

/** The client provided above (by `PortalsPlugin` or `providePortalClient`). */
export function usePortalContext(): PortalClient {
  const { client } = inject(DEFAULTS, {})
  if (!client) throw new Error('Use PortalsPlugin or providePortalClient')
  return client
}

/**
 * One client for this component's (or effect scope's) life, updated with what changed
 * when reactive `options` change, destroyed with the scope.
 */
export function usePortalClient(options: MaybeRefOrGetter<PortalClientOptions> = {}): PortalClient {
  const sync = optionSync(toValue(options))
  const client = createPortalClient(sync.first)
  watch(
    () => ({ ...toValue(options) }),
    (next) => {
      const changed = sync.next(next)
      if (changed) client.update(changed)
    },
  )
  onScopeDispose(client.destroy)
  return client
}

/**
 * A readonly ref of the store's value, kept in sync from the component's mount (so a server
 * render, which mounts nothing, reads the current value and starts no load) to its unmount.
 */
export function useStore<T>(store: Readable<T>): Readonly<ShallowRef<T>> {
  const state = shallowRef(store.get())
  let stop: (() => void) | undefined
  onMounted(() => (stop = store.subscribe((value) => (state.value = value))))
  onScopeDispose(() => stop?.())
  return shallowReadonly(state)
}

type Ref<T> = Readonly<ShallowRef<T>>
/** The customer's account (`GET /session`): customer, subscription, plan, price, usage, upcoming invoice. */
export const useCustomer = (): Ref<Resource<Session>> => useStore(usePortalContext().stores.account)
export const usePlans = (): Ref<Resource<PlansResponse>> => useStore(usePortalContext().stores.plans)
export const usePaymentMethods = (): Ref<Resource<List<PaymentMethod>>> => useStore(usePortalContext().stores.paymentMethods)
/** `not_found` when the backend keeps no API keys. */
export const useApiKeys = (): Ref<Resource<List<ApiKey>>> => useStore(usePortalContext().stores.apiKeys)

/** The invoices loaded so far, newest first, and `more()` for the next page. */
export function useInvoices(): { invoices: Ref<Resource<List<Invoice>>>; more(): Promise<void> } {
  const { invoices } = usePortalContext().stores
  return { invoices: useStore(invoices), more: invoices.more }
}

/** A flow made for this component (destroyed with it): its state as a ref, and the flow to send commands to. */
export function useFlow<S, F extends Readable<S> & { destroy(): void }>(make: (flows: PortalFlows) => F): { state: Ref<S>; flow: F } {
  const flow = make(usePortalContext().flows)
  onScopeDispose(flow.destroy)
  return { state: useStore(flow), flow }
}

/** Change plan: `flow.choose(priceId)`, then `flow.confirm()`; every composable showing the account follows. */
export const useChangePlan = (options?: ChangePlanOptions): { state: Ref<ChangePlanState>; flow: ChangePlanFlow } => useFlow((flows) => flows.changePlan(options))

const LOGO_SLOT = '[data-ap-slot="logo"]'

const common = {
  apiUrl: String,
  token: String,
  getToken: Function as PropType<() => Promise<string>>,
  stripePubKey: String,
  config: Object as PropType<PortalConfig>,
  locale: String,
  messages: Object as PropType<Partial<Messages>>,
  fetch: Function as PropType<typeof fetch>,
  loadStripe: Function as PropType<StripeLoader>,
  /** A headless client shared with the other portals and the composables on the page. */
  client: Object as PropType<PortalClient>,
  /** Gets the code of every error the portal reports, and `''` once it recovers (the `error` event has them in full). */
  errorHandler: Function as PropType<ErrorHandler>,
}

// Typed as a validator (the event's payload), shipped as a list.
const emits = ['error'] as unknown as { error: (error: PortalError) => boolean }
const slots = Object as SlotsType<{ logo?: () => VNode[] }>

interface Context {
  attrs: Record<string, unknown>
  emit: (event: 'error', error: PortalError) => void
  slots: { logo?: () => VNode[] }
}

/** The shared body of both components: mount on mount, forward changes, destroy on unmount. */
function setupPortal<O extends object>(mount: (el: HTMLElement, options: O) => PortalHandle<O>) {
  return (props: object, { attrs, emit, slots }: Context) => {
    const defaults = inject(DEFAULTS, {})
    const el = shallowRef<HTMLElement>()
    const slot = shallowRef<Element | null>(null)
    const onError = (error: PortalError) => emit('error', error)
    let live: { handle: PortalHandle<O>; sync: OptionSync<O>; stop: () => void } | undefined

    // Reads every prop and each config / messages entry, so the watcher sees every change.
    const options = (): O => {
      const out: Record<string, unknown> = { ...defaults, onError }
      for (const [key, value] of Object.entries(props)) {
        if (value !== undefined && key !== 'errorHandler') out[key] = key === 'config' || key === 'messages' ? { ...(value as object) } : value
      }
      if (slots.logo && out.config) (out.config as PortalConfig).logo = undefined
      return out as O
    }

    onMounted(() => {
      const sync = optionSync(options())
      const handle = mount(el.value as HTMLElement, sync.first)
      live = { handle, sync, stop: forwardErrors(handle, () => (props as { errorHandler?: ErrorHandler }).errorHandler) }
      slot.value = (el.value as HTMLElement).querySelector(LOGO_SLOT)
    })
    watch(options, (next) => {
      const changed = live?.sync.next(next)
      if (changed) live?.handle.update(changed)
    })
    onScopeDispose(() => {
      live?.stop()
      live?.handle.destroy()
    })

    return () => [h('div', { ...attrs, ref: el }), slot.value && slots.logo ? h(Teleport, { to: slot.value }, slots.logo()) : null]
  }
}

export const CustomerPortal = defineComponent({
  name: 'CustomerPortal',
  inheritAttrs: false,
  props: { ...common, token: String, defaultView: String as PropType<ViewName>, open: null as unknown as PropType<OpenTarget>, syncUrl: Boolean },
  emits,
  slots,
  setup: setupPortal<PortalOptions>(createPortal),
})

export const PricingPortal = defineComponent({
  name: 'PricingPortal',
  inheritAttrs: false,
  props: {
    ...common,
    publicKey: String,
    title: String,
    description: String,
    featuredPlanId: String,
    plans: Array as PropType<string[]>,
    period: String as PropType<'month' | 'year'>,
    signupHref: String,
    // A prop rather than an emit: whether a listener exists changes what the core does.
    onSelect: Function as PropType<(selection: { plan: Plan; price: Price }) => void>,
  },
  emits,
  slots,
  setup: setupPortal<PricingOptions>(createPricingPortal),
})

export const PortalsPlugin = {
  install(app: App, defaults: PortalDefaults = {}): void {
    app.provide(DEFAULTS, defaults)
    app.component('CustomerPortal', CustomerPortal)
    app.component('PricingPortal', PricingPortal)
  },
}
