/**
 * Custom elements for everything else (Angular, Rails / Django templates, plain HTML):
 * importing this module registers `<archetype-customer-portal>` and
 * `<archetype-pricing-portal>`. Strings come as attributes (`token`, `api-url`, ...),
 * objects and functions as properties (`config`, `getToken`, `messages`, ...); every
 * error the portal reports is an `archetype-error` event carrying the `PortalError`. The
 * portal renders into the element itself (light DOM), so the stylesheet and theming
 * apply unchanged. Where there is no `customElements` (a server render) the import does
 * nothing.
 */
import { createPortal, createPricingPortal } from '../../src/index.js'
import type { PortalError, PortalHandle, PortalOptions, PricingOptions } from '../../src/types.js'
import { forwardErrors, optionSync, type ErrorHandler, type OptionSync } from '../sync.js'

/** What both elements add to the core's options: the adapters' `errorHandler`. */
interface ElementExtras {
  /** Gets the code of every error the portal reports, and `''` once it recovers. */
  errorHandler?: ErrorHandler
}
export type CustomerPortalElement = HTMLElement & Partial<PortalOptions> & ElementExtras
export type PricingPortalElement = HTMLElement & Partial<PricingOptions> & ElementExtras

declare global {
  interface HTMLElementTagNameMap {
    'archetype-customer-portal': CustomerPortalElement
    'archetype-pricing-portal': PricingPortalElement
  }
  interface HTMLElementEventMap {
    'archetype-error': CustomEvent<PortalError>
  }
}

type Options = Record<string, unknown>
type Mount = (el: HTMLElement, options: never) => PortalHandle<never>

const SHARED = ['token', 'getToken', 'apiUrl', 'stripePubKey', 'config', 'onError', 'locale', 'messages', 'fetch', 'loadStripe', 'errorHandler']
/** The option named by each string attribute: `api-url` -> `apiUrl`. */
const camel = (attribute: string) => attribute.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())

function define(tag: string, mount: Mount, required: string, properties: string[], attributes: string[]): void {
  if (customElements.get(tag)) return
  class PortalElement extends HTMLElement {
    static observedAttributes = attributes
    /** Every option set so far, by attribute or property. */
    o: Options = {}
    live?: { handle: PortalHandle<Options>; sync: OptionSync<Options>; stop(): void }

    attributeChangedCallback(name: string, _old: string | null, value: string | null) {
      this.set(camel(name), value ?? undefined)
    }
    connectedCallback() {
      // A property set before the element was defined is an own property hiding the setter.
      for (const key of properties) {
        if (!Object.prototype.hasOwnProperty.call(this, key)) continue
        const value = (this as unknown as Options)[key]
        delete (this as unknown as Options)[key]
        this.o[key] = value
      }
      this.render()
    }
    disconnectedCallback() {
      // A move (removed, then inserted again in the same task) keeps the instance.
      queueMicrotask(() => {
        if (this.isConnected || !this.live) return
        this.live.stop()
        this.live.handle.destroy()
        this.live = undefined
      })
    }
    set(key: string, value: unknown) {
      this.o[key] = value
      this.render()
    }
    /** Mounts once connected with its required option, then hands the core what changed. */
    render() {
      const options = { ...this.o }
      delete options.errorHandler
      if (this.live) {
        const changed = this.live.sync.next(options)
        if (changed) this.live.handle.update(changed)
      } else if (this.isConnected && options[required]) {
        const sync = optionSync(options)
        const handle = mount(this, sync.first as never) as PortalHandle<Options>
        const stop = forwardErrors(handle, () => this.o.errorHandler as ErrorHandler | undefined)
        const stopEvents = handle.error.subscribe((error) => {
          if (error) this.dispatchEvent(new CustomEvent('archetype-error', { detail: error, bubbles: true, composed: true }))
        })
        this.live = {
          handle,
          sync,
          stop() {
            stop()
            stopEvents()
          },
        }
      }
    }
  }
  for (const key of properties) {
    Object.defineProperty(PortalElement.prototype, key, {
      get(this: PortalElement) {
        return this.o[key]
      },
      set(this: PortalElement, value: unknown) {
        this.set(key, value)
      },
    })
  }
  customElements.define(tag, PortalElement)
}

if (typeof customElements !== 'undefined') {
  define('archetype-customer-portal', createPortal as Mount, 'token', [...SHARED, 'defaultView', 'open', 'syncUrl'], ['token', 'api-url', 'stripe-pub-key', 'locale', 'default-view', 'open'])
  define(
    'archetype-pricing-portal',
    createPricingPortal as Mount,
    'publicKey',
    [...SHARED, 'publicKey', 'title', 'description', 'featuredPlanId', 'plans', 'period', 'onSelect', 'signupHref'],
    ['token', 'api-url', 'stripe-pub-key', 'locale', 'public-key', 'period', 'featured-plan-id', 'signup-href'],
  )
}
