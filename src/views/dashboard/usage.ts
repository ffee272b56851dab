import type { Plan, UsageMeter } from '../../api/types.js'
import { h } from '../../dom/h.js'
import type { ViewContext } from '../context.js'
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
