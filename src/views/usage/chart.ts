/**
 * The usage chart (issue 18): one metric's period as SVG bars per UTC day (or hour), the
 * running total against the quota line, and the forecast as a dashed continuation to the
 * period end. A renderer of a `GET /usage` report and nothing else: no request, no store.
 *
 * Its own chunk, loaded by ../dashboard/usage.ts only when the plan has a metric, so it
 * imports nothing from the core at run time (its English strings travel with it; ../parts/idle.ts
 * is not in the core). Colours are `--ap-*` variables in styles/views.css; geometry is
 * attributes, so a strict CSP holds.
 *
 * Two scales: the bars show each bucket's usage (tallest bar = full height); the running
 * total, the quota and the forecast share a second one, so "will I run out" reads at a
 * glance. The summary sentence and the table carry the same numbers in words.
 */
import type { ReadableAtom } from 'nanostores'
import type { Subscription, UsageMeter, UsageQuery, UsageReport } from '../../api/types.js'
import type { Formatters } from '../../i18n/format.js'
import type { Messages } from '../../i18n/messages.js'
import { usageChartEn } from '../../i18n/messages-usage-chart.js'
import type { Translate } from '../../i18n/translate.js'
import type { Resource } from '../../stores/resource.js'
import type { ViewContext } from '../context.js'
import { whenIdle } from '../parts/idle.js'

export { usageChartEn }

export interface UsageChartOptions {
  t: Translate
  format: Formatters
  /** The portal's BCP 47 locale, for the bucket dates (shown in UTC, as the buckets are cut). */
  locale: string
  /** The metric's name, for the chart's label. */
  name: string
  /** Which period `report` is. Default `current`: only it has a forecast. */
  period?: 'current' | 'previous'
  /** Called by the period toggle; without it there is no toggle. */
  onPeriod?: (period: 'current' | 'previous') => void
}

const W = 600
const H = 160
const SVG = 'http://www.w3.org/2000/svg'
let ids = 0

type Attrs = Record<string, string | number | boolean | undefined>

function set<E extends Element>(el: E, attrs: Attrs): E {
  for (const [key, value] of Object.entries(attrs)) if (value !== undefined && value !== false) el.setAttribute(key, value === true ? '' : String(value))
  return el
}
const svg = (tag: string, attrs: Attrs) => set(document.createElementNS(SVG, tag), attrs)
/** An HTML element with attributes and children (text stays text); ./controls.ts draws with it too. */
export function html<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = set(document.createElement(tag), attrs)
  el.append(...children)
  return el
}

/** The summary sentence: what `role="img"` is named by, and what the chart says in words. */
export function usageSummary(report: UsageReport, { t, format, period = 'current' }: Pick<UsageChartOptions, 't' | 'format' | 'period'>): string {
  const n = format.number
  const params = { total: n(report.total), unit: report.unit, forecast: n(report.forecast.total), limit: report.limit === null ? '' : n(report.limit) }
  const quota = report.limit === null ? 'NoQuota' : ''
  const text = period === 'previous' ? t(`dashboard.usage.chart.summaryPrevious${quota}`, params) : t(`dashboard.usage.chart.summary${quota}`, params)
  const { overage_amount: overage, currency } = report.forecast
  return period === 'current' && overage > 0 ? `${text} ${t('dashboard.usage.chart.overage', { amount: format.money(overage, currency) })}` : text
}

export function renderUsageChart(report: UsageReport, options: UsageChartOptions): HTMLElement {
  const { t, format, period = 'current', onPeriod } = options
  const id = `ap-chart-${++ids}`
  const { buckets, granularity, unit } = report
  const step = granularity === 'hour' ? 3_600 : 86_400
  const slots = Math.max(buckets.length, Math.ceil((report.period.end - report.period.start) / step), 1)
  const slot = W / slots
  const dates = new Intl.DateTimeFormat(options.locale, { month: 'short', day: 'numeric', hour: granularity === 'hour' ? 'numeric' : undefined, timeZone: 'UTC' })
  const when = (start: number) => dates.format(new Date(start * 1000))
  const tallest = Math.max(1, ...buckets.map((b) => b.value))
  const showForecast = period === 'current' && report.forecast.total > report.total
  const top = Math.max(1, report.total, report.limit ?? 0, showForecast ? report.forecast.total : 0) * 1.05
  const y = (value: number) => (H - (value / top) * H).toFixed(1)

  // Bars, each focusable in turn (one tab stop, arrows move) and named by its date and value.
  const bars = svg('g', { class: 'ap-chart__bars' })
  let running = 0
  const points = ['0,' + H]
  buckets.forEach((bucket, i) => {
    const height = Math.max(1, (bucket.value / tallest) * (H - 8))
    bars.append(
      svg('rect', {
        class: 'ap-chart__bar',
        x: (i * slot + slot * 0.15).toFixed(1),
        y: (H - height).toFixed(1),
        width: (slot * 0.7).toFixed(1),
        height: height.toFixed(1),
        role: 'img',
        tabindex: i === buckets.length - 1 ? 0 : -1,
        'aria-label': t('dashboard.usage.chart.bar', { date: when(bucket.start), value: format.number(bucket.value), unit }),
      }),
    )
    running += bucket.value
    points.push(`${((i + 1) * slot).toFixed(1)},${y(running)}`)
  })
  bars.addEventListener('keydown', (event) => {
    const all = [...bars.children] as SVGElement[]
    const at = all.indexOf(event.target as SVGElement)
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: all.length - 1 }[event.key]
    if (to === undefined || !all[to]) return
    event.preventDefault()
    all.forEach((bar, i) => bar.setAttribute('tabindex', i === to ? '0' : '-1'))
    all[to].focus()
  })

  const summaryId = `${id}-summary`
  const lines = svg('g', { role: 'img', 'aria-labelledby': summaryId })
  lines.append(svg('polyline', { class: 'ap-chart__running', points: points.join(' ') }))
  if (report.limit !== null) lines.append(svg('line', { class: 'ap-chart__quota', x1: 0, x2: W, y1: y(report.limit), y2: y(report.limit) }))
  if (showForecast) {
    const last = points[points.length - 1].split(',')
    lines.append(svg('line', { class: 'ap-chart__forecast', x1: last[0], y1: last[1], x2: W, y2: y(report.forecast.total) }))
  }
  const plot = svg('svg', { class: 'ap-chart__svg', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none' })
  plot.append(bars, lines)

  const legend = html('ul', { class: 'ap-chart__legend', 'aria-hidden': 'true' })
  const keys = ['running', report.limit !== null && 'quota', showForecast && 'forecast'] as const
  for (const key of keys) if (key) legend.append(html('li', { class: `ap-chart__key ap-chart__key--${key}` }, t(`dashboard.usage.chart.${key}`)))

  const figure = html(
    'div',
    { class: 'ap-chart__figure', id: `${id}-figure` },
    plot,
    html('div', { class: 'ap-chart__axis', 'aria-hidden': 'true' }, html('span', {}, when(report.period.start)), html('span', {}, when(report.period.end - step))),
    legend,
  )

  const rows = buckets.map((bucket) => html('tr', {}, html('th', { scope: 'row' }, when(bucket.start)), html('td', {}, format.number(bucket.value))))
  const table = html(
    'table',
    { class: 'ap-chart__table', id: `${id}-table`, hidden: true },
    html('caption', {}, t('dashboard.usage.chart.label', { name: options.name })),
    html('thead', {}, html('tr', {}, html('th', { scope: 'col' }, t(`dashboard.usage.chart.${granularity}`)), html('th', { scope: 'col' }, t('dashboard.usage.chart.value', { unit })))),
    html('tbody', {}, ...rows),
  )

  const toggle = html('button', { type: 'button', class: 'ap-button ap-button--link ap-chart__toggle', 'aria-controls': table.id, 'data-ap-focus': `chart-table-${report.metric}` }, t('dashboard.usage.chart.showTable'))
  toggle.addEventListener('click', () => {
    const showTable = table.hidden
    table.hidden = !showTable
    figure.hidden = showTable
    toggle.textContent = t(showTable ? 'dashboard.usage.chart.showChart' : 'dashboard.usage.chart.showTable')
  })

  const controls = html('div', { class: 'ap-chart__controls' })
  if (onPeriod) {
    const group = html('div', { class: 'ap-chart__periods', role: 'group' })
    for (const which of ['current', 'previous'] as const) {
      const button = html('button', { type: 'button', class: 'ap-button ap-button--secondary', 'aria-pressed': String(which === period), 'data-ap-focus': `chart-${which}-${report.metric}` }, t(`dashboard.usage.chart.${which}`))
      button.addEventListener('click', () => which !== period && onPeriod(which))
      group.append(button)
    }
    controls.append(group)
  }
  controls.append(toggle)

  return html(
    'div',
    { class: 'ap-chart', role: 'group', 'aria-label': t('dashboard.usage.chart.label', { name: options.name }) },
    controls,
    html('p', { class: 'ap-chart__summary', id: summaryId }, usageSummary(report, options)),
    figure,
    table,
  )
}

/** What `mountUsageChart` draws from: the client's `usageReport` store and the portal's words. */
export interface UsageChartMount extends Omit<UsageChartOptions, 'period' | 'onPeriod'> {
  usageReport(query: UsageQuery): ReadableAtom<Resource<UsageReport>>
  metric: string
  granularity: 'day' | 'hour'
  /** Ends the store subscription (the view's signal). */
  signal: AbortSignal
}

/**
 * Draws the metric's chart into `host` and keeps it current: the store of the period shown
 * (the toggle switches stores; the previous period loads once, when first asked for).
 * While a report loads, the last chart stays; a failure says so where the chart would be.
 */
export function mountUsageChart(host: HTMLElement, options: UsageChartMount): void {
  // Each period's store stays subscribed once asked for, so toggling back shows it at once.
  const stops = new Map<string, () => void>()
  let shown: 'current' | 'previous' = 'current'
  const render = (period: 'current' | 'previous', state: Resource<UsageReport>) => {
    if (period !== shown) return
    if (state.status === 'error' && !state.data) host.replaceChildren(html('p', { class: 'ap-form__error', role: 'alert' }, state.error.message))
    if (state.status !== 'ready') return
    const onToggle = host.contains(document.activeElement) && document.activeElement?.closest('.ap-chart__periods')
    host.replaceChildren(renderUsageChart(state.data, { ...options, period, onPeriod: show }))
    // The pressed toggle was replaced with the chart: focus goes to the new one of the period shown.
    if (onToggle) (host.querySelector('.ap-chart__periods [aria-pressed="true"]') as HTMLElement | null)?.focus()
  }
  function show(period: 'current' | 'previous') {
    shown = period
    const store = options.usageReport({ metric: options.metric, period, granularity: options.granularity })
    if (stops.has(period)) render(period, store.get())
    else stops.set(period, store.subscribe((state) => render(period, state)))
  }
  show('current')
  options.signal.addEventListener('abort', () => stops.forEach((stop) => stop()), { once: true })
}

/** What the dashboard's door hands over: the meter, and the core's `addEnglish` (this chunk imports nothing from the core at run time). */
export interface UsageDetailsParts {
  meter: UsageMeter
  name: string
  sub: Pick<Subscription, 'current_period_start' | 'current_period_end'>
  /** The subscription's price currency, for the cap. */
  currency: string
  addEnglish(table: Partial<Messages>): void
}

/**
 * Everything under a meter: the chart (buckets are hours when the period is under two days)
 * and, on a metric with a quota, the alerts and, where the plan prices overage (`spend_limit`
 * null or set), the spend cap: ./controls.ts, a chunk of its own.
 */
export function mountUsageDetails(host: HTMLElement, ctx: ViewContext, parts: UsageDetailsParts): void {
  // Not in the turn that renders the account: the chart, its request and the controls' chunk
  // would come between the account's data and its first paint. "Loading…" holds the place.
  whenIdle(ctx.signal, () => mountNow(host, ctx, parts))
}

function mountNow(host: HTMLElement, ctx: ViewContext, { meter, name, sub, currency, addEnglish }: UsageDetailsParts): void {
  addEnglish(usageChartEn)
  const { t, format, signal, client } = ctx
  const chart = html('div', {})
  host.replaceChildren(chart)
  const granularity = sub.current_period_end - sub.current_period_start < 2 * 86_400 ? 'hour' : 'day'
  mountUsageChart(chart, { t, format, signal, locale: ctx.options.get().locale, name, metric: meter.metric, granularity, usageReport: client.stores.usageReport })
  if (meter.limit === null) return
  void import('./controls.js').then((controls) => {
    if (signal.aborted) return
    addEnglish(controls.usageControlsEn)
    const deps = { stores: client.stores, flows: client.flows, t, format, signal, announce: ctx.announce, html }
    if (meter.spend_limit !== undefined) host.append(controls.renderSpendCap(meter, currency, deps))
    host.append(controls.renderUsageAlerts(meter.metric, deps))
  })
}
