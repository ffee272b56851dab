/**
 * The flows of a portal's own client, in a chunk of their own: only the billing and pricing
 * views and the API-keys card run them, so the dashboard's first paint does not carry their
 * code (`createPortalClient`, the headless client, has them in its bundle). A factory hands
 * out a flow at once: the real one once the chunk is here (the
 * views load it with their own chunk), before that an idle stand-in whose commands wait for
 * the chunk and go on to the real flow, whose state it then mirrors.
 */
import { atom } from 'nanostores'
import type { PortalApi } from '../api/portal-api.js'
import type { PortalError } from '../api/types.js'
import type { StoresInternals } from '../stores/index.js'
import type { PortalFlows } from './index.js'
import type { FlowKit } from './kit.js'
import type { Flow } from './machine.js'

type Runners = typeof import('./index.js')
let loaded: Runners | undefined
let loading: Promise<Runners> | undefined

/** Loads the flows' chunk (once; a failed load is forgotten, so the next command tries again). */
export const loadFlows = (): Promise<Runners> =>
  (loading ??= import('./index.js').then(
    (runners) => (loaded = runners),
    (error: unknown) => {
      loading = undefined
      throw error
    },
  ))

/** The commands of each factory's flow, as keys: the flows' interfaces in ./index.ts are their one source, the type checks this table against them both ways. */
type Commands = { [F in keyof PortalFlows]: Record<Exclude<keyof ReturnType<PortalFlows[F]>, keyof Flow<never>>, 1> }
const action = { run: 1, reset: 1 } satisfies Commands['resume']
/** What a stand-in must answer before the chunk is here. */
const commands: Commands = {
  changePlan: { choose: 1, paymentMethodAdded: 1, confirm: 1, close: 1 },
  addPaymentMethod: { begin: 1, attach: 1, close: 1 },
  cancel: { open: 1, choose: 1, confirm: 1, close: 1 },
  resume: action,
  undoScheduledChange: action,
  setDefaultPaymentMethod: action,
  removePaymentMethod: action,
  createApiKey: action,
  rollApiKey: action,
  revokeApiKey: action,
  payInvoice: action,
  updateBillingDetails: action,
  checkout: action,
  setUsageLimit: action,
  createUsageAlert: action,
  deleteUsageAlert: action,
}

type Factory = (...args: unknown[]) => Flow<{ status: string }> & Record<string, (...args: unknown[]) => Promise<unknown>>

export function lazyFlows(api: PortalApi, stores: StoresInternals, options: { signal: AbortSignal; report: (error: PortalError) => void; kit: FlowKit }): PortalFlows {
  let flows: PortalFlows | undefined
  const factoryOf = (runners: Runners, name: keyof PortalFlows) => (flows ??= runners.createFlows(api, stores, options))[name] as unknown as Factory
  const lazy: Record<string, Factory> = {}
  for (const [name, names] of Object.entries(commands) as [keyof PortalFlows, object][]) {
    lazy[name] = (...args) => {
      if (loaded) return factoryOf(loaded, name)(...args)
      const $state = atom<{ status: string }>({ status: 'idle' })
      let flow: ReturnType<Factory> | undefined
      let destroyed = false
      const real = () =>
        loadFlows().then((runners) => {
          if (!flow) {
            flow = factoryOf(runners, name)(...args)
            // Its state from now on (it starts idle, as the stand-in did: no second idle for listeners).
            flow.listen((state) => $state.set(state))
            if (destroyed) flow.destroy()
          }
          return flow
        })
      // Fetch the chunk now, so the first command seldom waits; its failure shows on that command.
      real().catch(() => undefined)
      const standIn: Record<string, unknown> = {
        destroy() {
          destroyed = true
          flow?.destroy()
        },
      }
      for (const command of Object.keys(names)) standIn[command] = async (...input: unknown[]) => (await real())[command](...input)
      return Object.assign($state, standIn) as unknown as ReturnType<Factory>
    }
  }
  return lazy as unknown as PortalFlows
}
