/** The usage-alert options `openSqliteBilling` and `openPostgresBilling` share, checked where they are given. */
import type { UsageAlertOptions } from './usage-controls.js'
import { checkWebhookOption } from './usage-webhook.js'

export function checkUsageAlertOptions(options: UsageAlertOptions, opener: string): void {
  if (options.onUsageAlert !== undefined && typeof options.onUsageAlert !== 'function') {
    throw new TypeError(`${opener}: onUsageAlert must be a function ({ appId, customUid, metric, threshold, used, limit }) => void`)
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') throw new TypeError(`${opener}: onError must be a function (error) => void`)
  if (options.usageAlertWebhook !== undefined) checkWebhookOption(options.usageAlertWebhook, `${opener}: usageAlertWebhook`)
}
