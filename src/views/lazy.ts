import type { View } from './context.js'

/** A module's export now, or the promise of it while its chunk is on its way. */
export type Loader<T> = () => T | Promise<T>
export type ViewLoader = Loader<View>

/**
 * A view in its own chunk (esbuild splits at the dynamic import): loaded on first use or
 * prefetch, then handed out at once. A failed load is forgotten, so Retry fetches again.
 */
export function lazyView<T = View>(load: () => Promise<T>): Loader<T> {
  let view: T | undefined
  let pending: Promise<T> | undefined
  return () =>
    view ??
    (pending ??= load().then(
      (loaded) => (view = loaded),
      (error: unknown) => {
        pending = undefined
        throw error
      },
    ))
}

/** Starts loading a view's chunk without waiting for it; a failure shows when the view is opened. */
export function prefetch(loader: Loader<unknown>): void {
  const loaded = loader()
  if (loaded instanceof Promise) loaded.catch(() => undefined)
}
