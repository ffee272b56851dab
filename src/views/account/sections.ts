/**
 * The billing view's side of the seller's controls (`features`): which plans are offered,
 * and sections drawn, or stores asked, only when the seller left them on. In the billing
 * chunk; the nav's check (which views leave it) is in ../../shell/nav.ts.
 */
import type { ReadableAtom } from 'nanostores'
import type { PlansResponse, PortalFeatures, Price, Session } from '../../api/types.js'
import type { Resource, ResourceStore } from '../../stores/resource.js'
import { atom, onListeners } from '../parts/kit.js'

/** A backend that sends no `features` has everything on; the server refuses what is off either way. */
export type Switch = Exclude<keyof PortalFeatures, 'plans'>

/** On at all (`true`, or a partial value such as `'read_only'`). */
export const enabled = (features: PortalFeatures | undefined, name: Switch): boolean => features?.[name] !== false

/** Fully on: `apiKeys: 'read_only'` can list keys but not create, roll or revoke them. */
export const fullyOn = (features: PortalFeatures | undefined, name: Switch): boolean => (features?.[name] ?? true) === true

/**
 * The plans as the seller offers them: the current price and those the server allows
 * (`change_allowed`: `features.plans`, `changePlan: 'upgrades_only'` judged by the
 * backend's own rule, never guessed here); a plan left with none goes.
 */
export function offeredPlans(plans: PlansResponse): PlansResponse {
  const keep = (price: Price) => price.id === plans.current_price_id || price.change_allowed !== false
  return { ...plans, data: plans.data.map((plan) => ({ ...plan, prices: plan.prices.filter(keep) })).filter((plan) => plan.prices.length > 0) }
}

/**
 * `store`, unless the account says the seller turned its section off: then `off(session)`,
 * with no request (a section that is off answers 403 `forbidden`; it is never asked for).
 */
export function gated<T>(account: ResourceStore<Session>, store: ResourceStore<T>, on: (features: PortalFeatures | undefined) => boolean, off: (session: Session) => T): ResourceStore<T> {
  const $state = atom<Resource<T>>({ status: 'loading' })
  let stopAccount: (() => void) | undefined
  let stopStore: (() => void) | undefined
  const isOn = () => on(account.get().data?.features)
  onListeners(
    $state,
    () => {
      stopAccount = account.subscribe((state) => {
        if (!state.data) return state.status === 'error' && $state.set({ status: 'error', error: state.error })
        if (on(state.data.features)) stopStore ??= store.subscribe((inner) => $state.set(inner))
        else {
          stopStore?.()
          stopStore = undefined
          $state.set({ status: 'ready', data: off(state.data) })
        }
      })
    },
    () => {
      stopAccount?.()
      stopStore?.()
      stopAccount = stopStore = undefined
    },
  )
  return Object.assign($state as ReadableAtom<Resource<T>>, {
    reload: () => (isOn() ? store.reload() : account.reload()),
    invalidate: () => (isOn() ? store.invalidate() : account.invalidate()),
    setData: (data: T) => store.setData(data),
  })
}

/**
 * A section the seller may have turned off: `make()` draws it once the account (its
 * `features`) says it is on; until then, or when it is off, an empty placeholder stands in
 * its place, and the section's own requests are never made.
 */
export function whenOn(ctx: { signal: AbortSignal; client: { stores: { account: ResourceStore<Session> } } }, on: (features: PortalFeatures | undefined) => boolean, make: () => Node): Node {
  let shown: Node = document.createComment('')
  let done = false
  const stop = ctx.client.stores.account.subscribe((state) => {
    if (done || !state.data || ctx.signal.aborted) return
    done = true
    // Once: the features are the handler's, fixed for the session.
    const next = on(state.data.features) ? make() : shown
    shown.parentNode?.replaceChild(next, shown)
    shown = next
    queueMicrotask(() => stop())
  })
  // Left before the account arrived: let go of it, so the next view's subscription loads it afresh.
  ctx.signal.addEventListener('abort', stop, { once: true })
  return shown
}
