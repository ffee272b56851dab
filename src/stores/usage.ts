import type { PortalApi } from '../api/portal-api.js'
import type { List, PortalError, UsageAlert, UsageQuery, UsageReport } from '../api/types.js'
import type { LoadOptions, ResourceStore } from './resource.js'

/** The usage history and the customer's alerts (issue 18): part of `PortalStores`. */
export interface UsageStores {
  /**
   * `GET /usage`: one metric's buckets, total, quota and forecast. One store per metric,
   * period and granularity (the current period by day unless told), kept once made.
   */
  usageReport(query: UsageQuery): ResourceStore<UsageReport>
  /** `GET /usage-alerts`: the alerts the customer set, every metric; `not_found` (not reported) on a backend without alerts (stripeBilling). */
  usageAlerts: ResourceStore<List<UsageAlert>>
}

/** `resource` and `keyed` are ../stores/index.ts's: the client's signal, error reporting and `invalidateAll`. */
export function createUsageStores(
  api: PortalApi,
  resource: <T>(load: (options: LoadOptions) => Promise<T>, onError?: (error: PortalError) => void) => ResourceStore<T>,
  keyed: <T, A extends unknown[]>(make: (...args: A) => ResourceStore<T>) => (...args: A) => ResourceStore<T>,
  unlessNotFound: (error: PortalError) => void,
): UsageStores {
  const report = keyed((metric: string, period: UsageQuery['period'], granularity: UsageQuery['granularity']) =>
    resource((options) => api.usage({ metric, period, granularity }, options)),
  )
  return {
    usageReport({ metric, period = 'current', granularity = 'day' }) {
      if (!metric) throw new TypeError('usageReport: query.metric is required')
      return report(metric, period, granularity)
    },
    usageAlerts: resource(api.usageAlerts, unlessNotFound),
  }
}
