import { atom, type ReadableAtom } from 'nanostores'
import type { List, PortalError } from '../../api/types.js'
import { isAbortError } from '../../api/client.js'
import { toPortalError } from '../../session/resource.js'

export interface PagerState<T> {
  items: T[]
  /** True until a page says there is nothing after it. */
  hasMore: boolean
  status: 'loading' | 'ready' | 'error'
  error?: PortalError
}

export interface Pager<T> {
  readonly $state: ReadableAtom<PagerState<T>>
  /** Loads the next page after the last item shown (or the first page); also the retry after an error. */
  more(): Promise<void>
}

/**
 * A cursor-paginated list that only grows: each page starts after the last id shown,
 * one page loads at a time, an id already shown is never shown twice, and a failure
 * keeps every item already loaded.
 */
export function createPager<T extends { id: string }>(
  loadPage: (startingAfter: string | undefined, signal: AbortSignal) => Promise<List<T>>,
  options: { signal: AbortSignal; onError?: (error: PortalError) => void },
): Pager<T> {
  const $state = atom<PagerState<T>>({ items: [], hasMore: true, status: 'loading' })
  let inFlight = false

  async function more(): Promise<void> {
    const current = $state.get()
    if (inFlight || options.signal.aborted || !current.hasMore) return
    inFlight = true
    $state.set({ items: current.items, hasMore: true, status: 'loading' })
    try {
      const page = await loadPage(current.items.at(-1)?.id, options.signal)
      if (options.signal.aborted) return
      const seen = new Set(current.items.map((item) => item.id))
      const fresh = page.data.filter((item) => !seen.has(item.id))
      $state.set({ items: [...current.items, ...fresh], hasMore: page.has_more, status: 'ready' })
    } catch (error) {
      if (options.signal.aborted || isAbortError(error)) return
      const portalError = toPortalError(error)
      $state.set({ items: current.items, hasMore: true, status: 'error', error: portalError })
      options.onError?.(portalError)
    } finally {
      inFlight = false
    }
  }

  return { $state, more }
}
