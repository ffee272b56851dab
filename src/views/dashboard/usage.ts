import type { Plan, Subscription, UsageMeter } from '../../api/types.js'
import { h, replaceChildren } from '../../dom/h.js'
import { addEnglish } from '../../i18n/translate.js'
import type { PortalStores } from '../../stores/index.js'
import type { ViewContext } from '../context.js'
import type { UsageControlsContext } from '../usage/controls.js'
import { button } from '../parts/buttons.js'
import { card, uid } from '../parts/layout.js'
import { metricName } from '../parts/format.js'

export type MeterLevel = 'ok' | 'warning' | 'danger'

/** Warning from 80 % of the quota, danger from 100 %. */
export function meterLevel(used: number, limit: number): MeterLevel {
  if (limit <= 0) return used > 0 ? 'danger' : 'ok'
  const ratio = used / limit
  return ratio >= 1 ? 'danger' : ratio >= 0.8 ? 'warning' : 'ok'
}

/**
 * The bar's fill in 5 % steps. The width comes from a stylesheet rule per step
 * (`[data-fill="80"]`), so no `style` attribute is needed and a strict CSP holds.
 */
export function fillStep(used: number, limit: number): number {
  if (limit <= 0) return used > 0 ? 100 : 0
  return Math.min(100, Math.max(0, Math.round((used / limit) * 20) * 5))
}

/** Meters named by the session's usage, else by the plan's metrics, else by the metric id (as the pricing cards). */
export function usageCard(ctx: ViewContext, usage: UsageMeter[], plan: Plan | null): HTMLElement {
  if (usage.length === 0) return card(ctx.t('dashboard.usage.title'), h('p', { class: 'ap-muted' }, ctx.t('dashboard.usage.empty')))
  return card(ctx.t('dashboard.usage.title'), h('ul', { class: 'ap-meters' }, usage.map((meter) => meterItem(ctx, meter, meter.name || metricName(meter.metric, plan)))))
}

function meterItem(ctx: ViewContext, meter: UsageMeter, name: string): HTMLElement {
  const used = ctx.format.number(meter.used)
  if (meter.limit === null) {
    return h(
      'li',
      { class: 'ap-meter ap-meter--unlimited' },
      h('span', { class: 'ap-meter__name' }, name),
      h('span', { class: 'ap-meter__text' }, ctx.t('dashboard.usage.unlimited', { used, unit: meter.unit })),
    )
  }
  const text = ctx.t('dashboard.usage.of', { used, limit: ctx.format.number(meter.limit), unit: meter.unit })
  const level = meterLevel(meter.used, meter.limit)
  const nameId = uid('meter')
  return h(
    'li',
    { class: `ap-meter ap-meter--${level}` },
    h('span', { class: 'ap-meter__name', id: nameId }, name),
    h(
      'div',
      {
        class: 'ap-meter__bar',
        role: 'meter',
        'aria-labelledby': nameId,
        'aria-valuemin': '0',
        'aria-valuemax': String(meter.limit),
        // A meter's value stays within its range; the text says by how much it is over.
        'aria-valuenow': String(Math.min(meter.used, meter.limit)),
        'aria-valuetext': text,
      },
      h('span', { class: 'ap-meter__fill', 'data-fill': String(fillStep(meter.used, meter.limit)) }),
    ),
    h('span', { class: 'ap-meter__text' }, text),
  )
}

/** What the usage details draw from: the client's stores and flows (see ../../client.ts). */
export interface UsageDetailsClient {
  stores: UsageControlsContext['stores'] & Pick<PortalStores, 'usageReport'>
  flows: UsageControlsContext['flows']
}

/**
 * Under a meter: the usage chart and, on a metric with a quota, the spend cap and alerts.
 * Both are chunks of their own (../usage/), fetched only when a plan has a metric, so the
 * core carries only this door. Buckets are hours when the period is under two days.
 */
export function usageDetails(ctx: ViewContext, client: UsageDetailsClient, meter: UsageMeter, subscription: Pick<Subscription, 'current_period_start' | 'current_period_end'>, currency: string): HTMLElement {
  const host = h('div', { class: 'ap-usage-details' })
  const load = () => {
    replaceChildren(host, h('p', { class: 'ap-muted', role: 'status' }, ctx.t('state.loading')))
    Promise.all([import('../usage/chart.js'), meter.limit !== null && import('../usage/controls.js')]).then(
      ([chart, controls]) => {
        if (ctx.signal.aborted) return
        addEnglish(chart.usageChartEn)
        const chartHost = h('div')
        replaceChildren(host, chartHost)
        const { t, format, signal } = ctx
        const long = subscription.current_period_end - subscription.current_period_start >= 2 * 86_400
        chart.mountUsageChart(chartHost, { t, format, signal, locale: ctx.options.get().locale, name: meter.name, metric: meter.metric, granularity: long ? 'day' : 'hour', usageReport: client.stores.usageReport })
        if (!controls) return
        addEnglish(controls.usageControlsEn)
        const deps = { ...client, t, format, signal, announce: ctx.announce, html: chart.html }
        host.append(controls.renderSpendCap(meter, currency, deps), controls.renderUsageAlerts(meter.metric, deps))
      },
      // A chunk did not arrive (offline, a deploy replaced it): say so, with Retry.
      () => replaceChildren(host, h('p', { class: 'ap-form__error', role: 'alert' }, ctx.t('dashboard.error')), button(ctx.t('state.retry'), load)),
    )
  }
  load()
  return host
}
