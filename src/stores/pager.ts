import type { ReadableAtom } from 'nanostores'
import type { List, PageQuery, PortalError } from '../api/types.js'
import { createResource, type LoadOptions, type Resource } from './resource.js'

/**
 * A cursor-paginated list that only grows, as a nanostore of `Resource<List<T>>`: `data`
 * holds every item loaded so far and whether more follow. The first subscriber loads the
 * first page.
 */
export interface PagerStore<T> extends ReadableAtom<Resource<List<T>>> {
  /** Loads the next page after the last item (or the first page); also the retry after an error. */
  more(): Promise<void>
  /** Drops every page: the first loads again now if anyone is subscribed, else on the next subscription. */
  invalidate(): void
}

/**
 * Each page starts after the last id shown, one page loads at a time, an id already shown
 * is never shown twice, and a failure keeps every item already loaded. After `invalidate`
 * (a mutation), a page of the old list still in flight is dropped: the newest list wins.
 */
export function createPager<T extends { id: string }>(
  loadPage: (page: PageQuery, options: LoadOptions) => Promise<List<T>>,
  options: { signal: AbortSignal; onError?: (error: PortalError) => void },
): PagerStore<T> {
  const pages = createResource<List<T>>(
    async (options, shown = { data: [], has_more: true }) => {
      const page = await loadPage({ starting_after: shown.data.at(-1)?.id }, options)
      const seen = new Set(shown.data.map((item) => item.id))
      return { data: [...shown.data, ...page.data.filter((item) => !seen.has(item.id))], has_more: page.has_more }
    },
    // Pages once loaded stay: a new subscriber reloads only after an error or an invalidate.
    { ...options, dedupeMs: Infinity },
  )
  const { reload, invalidate, busy, clear } = pages
  return Object.assign(pages as ReadableAtom<Resource<List<T>>>, {
    more: async () => {
      if (!busy() && pages.get().data?.has_more !== false) await reload()
    },
    invalidate() {
      clear()
      invalidate()
    },
  })
}
