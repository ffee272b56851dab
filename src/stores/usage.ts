import type { PortalApi } from '../api/portal-api.js'
import type { List, UsageAlert, UsageQuery, UsageReport } from '../api/types.js'
import type { ResourceStore } from './resource.js'

/** The usage history and the customer's alerts (issue 18): part of `PortalStores`. */
export interface UsageStores {
  /**
   * `GET /usage`: one metric's buckets, total, quota and forecast. One store per metric,
   * period and granularity (the current period by day unless told), kept once made.
   */
  usageReport(query: UsageQuery): ResourceStore<UsageReport>
  /** `GET /usage-alerts`: the alerts the customer set, every metric. */
  usageAlerts: ResourceStore<List<UsageAlert>>
}

export interface UsageStoresInternals extends UsageStores {
  /** After a cap change: the reports made so far (they carry `spend_limit`) reload. */
  invalidateUsage(): void
}

/** `resource` and `keyed` are ../stores/index.ts's: the client's signal, error reporting and `invalidateAll`. */
export function createUsageStores(
  api: PortalApi,
  resource: <T>(load: (signal: AbortSignal) => Promise<T>) => ResourceStore<T>,
  keyed: <T>(make: (key: string) => ResourceStore<T>) => (key: string) => ResourceStore<T>,
): UsageStoresInternals {
  const made = new Set<ResourceStore<UsageReport>>()
  const report = keyed<UsageReport>((key) => {
    const [metric, period, granularity] = key.split('\n') as [string, UsageQuery['period'], UsageQuery['granularity']]
    return resource((signal) => api.usage({ metric, period, granularity }, { signal }))
  })
  return {
    usageReport({ metric, period = 'current', granularity = 'day' }) {
      if (!metric) throw new TypeError('usageReport: query.metric is required')
      const store = report(`${metric}\n${period}\n${granularity}`)
      made.add(store)
      return store
    },
    usageAlerts: resource((signal) => api.usageAlerts({ signal })),
    invalidateUsage: () => made.forEach((store) => store.invalidate()),
  }
}
