import type { Resource, ResourceStore } from '../../stores/resource.js'
import type { Bindable } from './resource.js'

/** Stores joined and mapped for the views that render several at once (billing, pricing): not in the dashboard's initial chunk. */

/**
 * Stores as one resource (the billing view's account and plans, rendered together): an
 * error if one failed, loading while one loads, the data once all have it.
 */
export function joined<R extends object>(stores: { [K in keyof R]: ResourceStore<R[K]> }): Bindable<R> {
  const entries = Object.entries(stores) as [string, ResourceStore<unknown>][]
  return {
    subscribe(listener) {
      const emit = () => listener(join(entries.map(([key, store]) => [key, store.get()])) as Resource<R>)
      const stops = entries.map(([, store]) => store.listen(emit))
      emit()
      return () => stops.forEach((stop) => stop())
    },
    reload: () => Promise.all(entries.map(([, store]) => store.reload())),
  }
}

function join(states: [string, Resource<unknown>][]): Resource<Record<string, unknown>> {
  const complete = states.every(([, state]) => state.data !== undefined)
  const data = complete ? Object.fromEntries(states.map(([key, state]) => [key, state.data])) : undefined
  const error = states.find(([, state]) => state.error)?.[1].error
  if (error) return { status: 'error', error, data }
  if (!data || states.some(([, state]) => state.status === 'loading')) return { status: 'loading', data }
  return { status: 'ready', data }
}

/** A resource with its data mapped (`Retry` reloads the source). */
export function mapped<T, U>(store: ResourceStore<T> | Bindable<T>, map: (data: T) => U): Bindable<U> {
  return {
    subscribe: (listener) => store.subscribe((state) => listener((state.data === undefined ? state : { ...state, data: map(state.data) }) as Resource<U>)),
    reload: () => store.reload(),
  }
}

/** Resolves once `store` is not loading (a mutation's invalidation has landed, or failed). */
export function loaded<T>(store: Pick<Bindable<T>, 'subscribe'>): Promise<Resource<T>> {
  return new Promise((resolve) => {
    let stop: (() => void) | undefined
    let done = false
    stop = store.subscribe((state) => {
      if (done || state.status === 'loading') return
      done = true
      resolve(state)
      // Subscribe calls back at once: unsubscribe once `stop` exists.
      queueMicrotask(() => stop?.())
    })
  })
}

