/**
 * The usage chart's English strings (issue 18). They ship in the chart's own chunk
 * (../views/usage/chart.ts), which the dashboard adds to the English table when it loads;
 * `messages` overrides and the locale tables apply to them as to every other key.
 */
export const usageChartEn = {
  'dashboard.usage.chart.label': 'Usage of {name} over time',
  'dashboard.usage.chart.summary': '{total} {unit} this period, on track for {forecast}; the quota is {limit}.',
  'dashboard.usage.chart.summaryNoQuota': '{total} {unit} this period, on track for {forecast}.',
  'dashboard.usage.chart.summaryPrevious': '{total} {unit} in the previous period; the quota was {limit}.',
  'dashboard.usage.chart.summaryPreviousNoQuota': '{total} {unit} in the previous period.',
  'dashboard.usage.chart.overage': 'At this rate, the overage will cost {amount}.',
  'dashboard.usage.chart.bar': '{date}: {value} {unit}',
  'dashboard.usage.chart.current': 'This period',
  'dashboard.usage.chart.previous': 'Previous period',
  'dashboard.usage.chart.showTable': 'Show as table',
  'dashboard.usage.chart.showChart': 'Show as chart',
  'dashboard.usage.chart.day': 'Day (UTC)',
  'dashboard.usage.chart.hour': 'Hour (UTC)',
  'dashboard.usage.chart.value': 'Usage ({unit})',
  'dashboard.usage.chart.running': 'Running total',
  'dashboard.usage.chart.quota': 'Quota',
  'dashboard.usage.chart.forecast': 'Forecast',
}
