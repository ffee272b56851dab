/**
 * React hooks over the headless client: build your own UI on the portals' data. The
 * stores load when a component first reads them and are shared by every hook (and
 * portal) on the same client. Server renders read each store's current value, `loading`
 * until the browser loads it, and start nothing.
 */
import { createContext, createElement, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactElement, type ReactNode } from 'react'
import { createPortalClient } from '../../src/headless.js'
import type { ChangePlanOptions, ChangePlanState, ChangePlanFlow, PortalClient, PortalClientOptions, PortalFlows, Resource, Session, PlansResponse, List, Invoice, PaymentMethod, ApiKey } from '../../src/headless.js'
import { optionSync, type OptionSync } from '../sync.js'

/** What a store hands a hook: anything with nanostores' `get` and `listen`. */
interface Readable<T> {
  get(): T
  listen(listener: (value: T) => void): () => void
}

const Client = createContext<PortalClient | null>(null)

/** Hands `client` to every hook below it. */
export function PortalProvider({ client, children }: { client: PortalClient; children?: ReactNode }): ReactElement {
  return createElement(Client.Provider, { value: client }, children)
}

/** The client of the nearest `<PortalProvider>`. */
export function usePortalContext(): PortalClient {
  const client = useContext(Client)
  if (!client) throw new Error('Portal hooks must be used inside <PortalProvider client>')
  return client
}

/** Made by `make` for this component and destroyed with it (or when `key` changes). */
function useOwned<T>(make: () => T, destroy: (owned: T) => void, key: unknown): T {
  // After React hid the component and showed it again (<Activity>), its old one is gone: make another.
  const [generation, renew] = useState(0)
  const owned = useMemo(make, [key, generation])
  const live = useRef<T | null>(null)
  useEffect(() => {
    if (gone.has(owned as object)) return renew((n) => n + 1)
    live.current = owned
    return () => {
      live.current = null
      // StrictMode unmounts and remounts at once: destroy only if no remount followed.
      queueMicrotask(() => {
        if (live.current === owned) return
        gone.add(owned as object)
        destroy(owned)
      })
    }
  }, [owned])
  return owned
}
const gone = new WeakSet<object>()

/**
 * One client for this component's life: later renders hand it only the options that
 * changed (a new token, `apiUrl`...; a new inline `getToken` arrow is no change), and it is
 * destroyed on unmount.
 */
export function usePortalClient(options: PortalClientOptions = {}): PortalClient {
  const { client, sync } = useOwned<{ client: PortalClient; sync: OptionSync<PortalClientOptions> }>(
    () => {
      const sync = optionSync(options)
      return { client: createPortalClient(sync.first), sync }
    },
    (owned) => owned.client.destroy(),
    0,
  )
  useEffect(() => {
    const changed = sync.next(options)
    if (changed) client.update(changed)
  })
  return client
}

/** The store's value, re-rendering on each change; the first component to read it starts its load. */
export function useStore<T>(store: Readable<T>): T {
  const subscribe = useMemo(() => (onChange: () => void) => store.listen(onChange), [store])
  return useSyncExternalStore(subscribe, store.get, store.get)
}

/** The customer's account (`GET /session`): customer, subscription, plan, price, usage, upcoming invoice. */
export const useCustomer = (): Resource<Session> => useStore(usePortalContext().stores.account)
/** The plans the customer may switch to. */
export const usePlans = (): Resource<PlansResponse> => useStore(usePortalContext().stores.plans)
export const usePaymentMethods = (): Resource<List<PaymentMethod>> => useStore(usePortalContext().stores.paymentMethods)
/** `not_found` when the backend keeps no API keys. */
export const useApiKeys = (): Resource<List<ApiKey>> => useStore(usePortalContext().stores.apiKeys)

/** The invoices loaded so far, newest first, and `more()` for the next page. */
export function useInvoices(): Resource<List<Invoice>> & { more(): Promise<void> } {
  const { invoices } = usePortalContext().stores
  return { ...useStore(invoices), more: invoices.more }
}

/** A flow made for this component (destroyed with it): its state, and the flow to send commands to. */
export function useFlow<S extends { status: string }, F extends Readable<S> & { destroy(): void }>(make: (flows: PortalFlows) => F): { state: S; flow: F } {
  const client = usePortalContext()
  const flow = useOwned(() => make(client.flows), (flow) => flow.destroy(), client)
  return { state: useStore(flow), flow }
}

/** Change plan: `flow.choose(priceId)`, then `flow.confirm()`; every hook showing the account follows. */
export const useChangePlan = (options?: ChangePlanOptions): { state: ChangePlanState; flow: ChangePlanFlow } => useFlow((flows) => flows.changePlan(options))
