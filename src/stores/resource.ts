import { atom, type ReadableAtom } from 'nanostores'
import { isAbortError, linked } from '../api/transport.js'
import type { PortalError } from '../api/types.js'

/** What a store holds: the last data shown stays in `data` while reloading and after an error. */
export type Resource<T> =
  | { status: 'loading'; data?: T; error?: undefined }
  | { status: 'ready'; data: T; error?: undefined }
  | { status: 'error'; error: PortalError; data?: T }

/**
 * A nanostore of one Portal API resource (subscribe to it, or read `get()`), loaded
 * lazily: the first subscriber starts the load, later ones share it.
 */
export interface ResourceStore<T> extends ReadableAtom<Resource<T>> {
  /** Loads now; the newest call wins, an older answer is dropped. */
  reload(): Promise<void>
  /** After a mutation: reloads at once if anyone is subscribed, else on the next subscription. */
  invalidate(): void
  /** Replaces the data with what a mutation answered, without a request. */
  setData(data: T): void
}

/** What the pager builds on; not part of the public store. */
export interface ResourceInternals<T> extends ResourceStore<T> {
  /** A load is in flight. */
  busy(): boolean
  /** Drops the data (and any load in flight): back to `loading` with nothing shown. */
  clear(): void
}

/** What a load's request takes: the signal that stops it when a newer load (or the owner) does. */
export interface LoadOptions {
  signal: AbortSignal
}

export interface ResourceOptions {
  /** The client's: nothing loads or is written after it aborts. */
  signal: AbortSignal
  /** Each failed load, once (not an abort). */
  onError?: (error: PortalError) => void
  /**
   * Data younger than this is not reloaded by a new first subscriber. Default 0: every
   * view that shows a store shows it fresh (subscribers at the same time share one load).
   */
  dedupeMs?: number
}

/**
 * A lazily loaded resource. Only the newest load may write: whatever supersedes a load (a
 * newer `reload()`, `setData`, `clear`, its last subscriber leaving, `signal` aborting)
 * aborts it, and an aborted load's answer is dropped, so a slow first request can never
 * overwrite a fresh second one.
 */
export function createResource<T>(load: (options: LoadOptions, shown: T | undefined) => Promise<T>, options: ResourceOptions): ResourceInternals<T> {
  const $state = atom<Resource<T>>({ status: 'loading' })
  const { signal: owner, dedupeMs = 0 } = options
  let inFlight: AbortController | undefined
  /** When the data shown was loaded; none while it is stale (invalidated, or its reload stopped). */
  let loadedAt: number | undefined
  /** The load in flight was begun while someone was subscribed: it stops when the last one leaves. */
  let forSubscribers = false

  async function reload(): Promise<void> {
    if (owner.aborted) return
    forSubscribers = $state.lc > 0
    inFlight?.abort()
    const [controller, release] = linked(owner)
    inFlight = controller
    const shown = $state.get().data
    $state.set({ status: 'loading', data: shown })
    try {
      const data = await load({ signal: controller.signal }, shown)
      if (controller.signal.aborted) return
      loadedAt = Date.now()
      $state.set({ status: 'ready', data })
    } catch (error) {
      if (controller.signal.aborted || isAbortError(error)) return
      const portalError = toPortalError(error)
      $state.set({ status: 'error', error: portalError, data: shown })
      options.onError?.(portalError)
    } finally {
      release()
      if (inFlight === controller) inFlight = undefined
    }
  }

  onSubscribed(
    $state,
    () => {
      const { status } = $state.get()
      // Date.now() - undefined is NaN: stale data is never fresh.
      const fresh = status === 'ready' && Date.now() - loadedAt! < dedupeMs
      if (!inFlight && !fresh) void reload()
    },
    // Nobody waits for it any more (the view was left): stopped, and loaded again for the next subscriber.
    () => {
      if (!inFlight || !forSubscribers) return
      inFlight.abort()
      inFlight = undefined
      loadedAt = undefined
    },
  )

  return Object.assign($state as ReadableAtom<Resource<T>>, {
    reload,
    busy: () => inFlight !== undefined,
    clear() {
      inFlight?.abort()
      $state.set({ status: 'loading' })
    },
    invalidate() {
      if ($state.lc > 0) void reload()
      else loadedAt = undefined
    },
    setData(data: T) {
      inFlight?.abort()
      loadedAt = Date.now()
      $state.set({ status: 'ready', data })
    },
  })
}

/**
 * `first` when `store` gets its first listener, `last` when it loses its last: nanostores'
 * onStart / onStop moments, without its lifecycle module (the headless entry's budget).
 */
export function onListeners(store: ReadableAtom<unknown>, first: () => void, last?: () => void): void {
  const { listen, off } = store as ReadableAtom<unknown> & { off(): void }
  store.listen = (listener) => {
    if (!store.lc) first()
    return listen(listener)
  }
  ;(store as { off(): void }).off = () => {
    last?.()
    off()
  }
}

/**
 * `start` when `store` gets a subscriber, but not for nanostores' `get()`, which listens
 * for an instant: reading a store (as a server render does) loads nothing. `stop` when
 * the last one leaves.
 */
export function onSubscribed(store: ReadableAtom<unknown>, start: () => void, stop?: () => void): void {
  onListeners(store, () => queueMicrotask(() => store.lc > 0 && start()), stop)
}

export function isPortalError(value: unknown): value is PortalError {
  return typeof value === 'object' && value !== null && typeof (value as PortalError).code === 'string' && typeof (value as PortalError).message === 'string'
}

/**
 * Anything else thrown while loading or rendering (a TypeError from a response of another
 * shape) is a `bad_response`, in words for the user rather than the exception's.
 */
export function toPortalError(error: unknown): PortalError {
  if (isPortalError(error)) return error
  return { code: 'bad_response', message: 'The Portal API sent a response the portal could not read' }
}
