/**
 * The spend-cap and usage-alert controls' English strings (issue 18), shipped in their
 * chunk (../views/usage/controls.ts) as ./messages-usage-chart.ts is in the chart's.
 */
export const usageControlsEn = {
  'dashboard.usage.cap.title': 'Spend cap',
  'dashboard.usage.cap.stop': 'Stop at my quota',
  'dashboard.usage.cap.allow': 'Allow overage up to',
  'dashboard.usage.cap.amount': 'Overage allowed per period ({currency})',
  'dashboard.usage.cap.save': 'Save cap',
  'dashboard.usage.cap.saved': 'Spend cap saved.',
  'dashboard.usage.cap.invalid': 'Enter an amount of 0 or more.',
  'dashboard.usage.cap.none': 'No cap: overage is billed at the plan’s price.',
  'dashboard.usage.cap.atQuota': 'Stops at the quota.',
  'dashboard.usage.cap.upTo': 'Stops at {amount} of overage.',
  'dashboard.usage.alerts.title': 'Usage alerts',
  'dashboard.usage.alerts.empty': 'No alerts yet.',
  'dashboard.usage.alerts.hint': 'You are notified once per period when usage reaches a threshold.',
  'dashboard.usage.alerts.ofQuota': 'At {percent}% of the quota',
  'dashboard.usage.alerts.ofCap': 'At {percent}% of the spend cap',
  'dashboard.usage.alerts.threshold': 'Threshold',
  'dashboard.usage.alerts.of': 'Of',
  'dashboard.usage.alerts.quota': 'of the quota',
  'dashboard.usage.alerts.cap': 'of the spend cap',
  'dashboard.usage.alerts.add': 'Add alert',
  'dashboard.usage.alerts.added': 'Alert added.',
  'dashboard.usage.alerts.remove': 'Remove',
  'dashboard.usage.alerts.removeLabel': 'Remove the alert: {alert}',
  'dashboard.usage.alerts.removed': 'Alert removed.',
}
