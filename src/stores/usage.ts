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
  /** After a change of `metric`'s cap: its reports (which carry `spend_limit`) reload. */
  invalidateUsage(metric: string): void
}

/** `resource` and `keyed` are ../stores/index.ts's: the client's signal, error reporting and `invalidateAll`. */
export function createUsageStores(
  api: PortalApi,
  resource: <T>(load: (signal: AbortSignal) => Promise<T>) => ResourceStore<T>,
  keyed: <T>(make: (key: string) => ResourceStore<T>) => (key: string) => ResourceStore<T>,
): UsageStoresInternals {
  const made = new Map<string, string>()
  const byKey = keyed<UsageReport>((key) => {
    const [metric, period, granularity] = JSON.parse(key) as [string, UsageQuery['period'], UsageQuery['granularity']]
    return resource((signal) => api.usage({ metric, period, granularity }, { signal }))
  })
  return {
    usageReport(query) {
      if (typeof query?.metric !== 'string' || !query.metric) throw new TypeError('usageReport(query): query.metric must be a metric id such as "api_calls"')
      const key = JSON.stringify([query.metric, query.period ?? 'current', query.granularity ?? 'day'])
      made.set(key, query.metric)
      return byKey(key)
    },
    usageAlerts: resource((signal) => api.usageAlerts({ signal })),
    invalidateUsage(metric) {
      for (const [key, of] of made) if (of === metric) byKey(key).invalidate()
    },
  }
}
