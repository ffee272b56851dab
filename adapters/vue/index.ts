/**
 * Vue 3 adapter: `app.use(PortalsPlugin, defaults?)` registers `<CustomerPortal>` and
 * `<PricingPortal>`; both are exported too. Props are reactive (a new `token` resumes
 * an expired session without a remount), the `logo` slot renders into the core's logo
 * slot, and errors arrive as an `error` event.
 */
import {
  Teleport,
  defineComponent,
  h,
  inject,
  onMounted,
  onUnmounted,
  shallowRef,
  watch,
  type App,
  type InjectionKey,
  type PropType,
  type SlotsType,
  type VNode,
} from 'vue'
import { createPortal, createPricingPortal } from '../../src/index.js'
import type { Messages } from '../../src/i18n/messages.js'
import type { Plan, Price } from '../../src/api/types.js'
import type { PortalConfig, PortalError, PortalHandle, PortalOptions, PricingOptions, OpenTarget, StripeLoader, ViewName } from '../../src/types.js'
import { forwardErrors, optionSync, type ErrorHandler, type OptionSync } from '../sync.js'

/** Options every portal of the app gets unless a prop says otherwise, e.g. `apiUrl`. */
export type PortalDefaults = Partial<Omit<PortalOptions, 'onError'> & Omit<PricingOptions, 'onError' | 'onSelect'>>

const DEFAULTS: InjectionKey<PortalDefaults> = Symbol('archetype-portals')
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
  /** Gets the code of every error the portal reports, and `''` once it recovers (the `error` event has them in full). */
  errorHandler: Function as PropType<ErrorHandler>,
}

const emits = {
  error: (error: PortalError) => typeof error === 'object',
}
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
    onUnmounted(() => {
      live?.stop()
      live?.handle.destroy()
    })

    return () => [h('div', { ...attrs, ref: el }), slot.value && slots.logo ? h(Teleport, { to: slot.value }, slots.logo()) : null]
  }
}

export const CustomerPortal = defineComponent({
  name: 'CustomerPortal',
  inheritAttrs: false,
  props: { ...common, token: { type: String, required: true }, defaultView: String as PropType<ViewName>, open: [String, Object] as PropType<OpenTarget>, syncUrl: { type: Boolean, default: undefined } },
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
