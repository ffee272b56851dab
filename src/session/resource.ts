import { atom, type ReadableAtom } from 'nanostores'
import type { PortalError } from '../api/types.js'

export type Resource<T> =
  | { status: 'loading'; data?: T }
  | { status: 'ready'; data: T }
  | { status: 'error'; error: PortalError; data?: T }

export interface ResourceStore<T> {
  readonly $state: ReadableAtom<Resource<T>>
  /** Loads again; what was shown stays in `data` while loading or after an error. */
  reload(): Promise<void>
  /** Replaces the data in place, e.g. with a mutation's response. */
  set(data: T): void
}

/**
 * A value loaded from the Portal API. Only the newest load may write: a response that
 * arrives after a newer `reload()` (or after `signal` aborts) is dropped, so a slow
 * first request can never overwrite a fresh second one.
 */
export function createResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  options: { signal: AbortSignal; onError?: (error: PortalError) => void },
): ResourceStore<T> {
  const $state = atom<Resource<T>>({ status: 'loading' })
  let latest = 0
  let inFlight: AbortController | undefined

  async function reload(): Promise<void> {
    if (options.signal.aborted) return
    const ticket = ++latest
    inFlight?.abort()
    const controller = new AbortController()
    inFlight = controller
    const stopWithParent = () => controller.abort()
    options.signal.addEventListener('abort', stopWithParent, { once: true })
    // What is on screen: kept through an error, including one the new data caused.
    const shown = $state.get().data
    $state.set({ status: 'loading', data: shown })
    try {
      const data = await load(controller.signal)
      // A view that cannot render the data (JSON of another shape) throws from here.
      if (ticket === latest && !options.signal.aborted) $state.set({ status: 'ready', data })
    } catch (error) {
      if (ticket !== latest || options.signal.aborted) return
      const portalError = toPortalError(error)
      $state.set({ status: 'error', error: portalError, data: shown })
      options.onError?.(portalError)
    } finally {
      options.signal.removeEventListener('abort', stopWithParent)
      if (inFlight === controller) inFlight = undefined
    }
  }

  return {
    $state,
    reload,
    set(data) {
      latest++
      inFlight?.abort()
      $state.set({ status: 'ready', data })
    },
  }
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
