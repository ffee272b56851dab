import type { Session, Subscription, UsageMeter } from '../../api/types.js'
import { h } from '../../dom/h.js'
import { addEnglish } from '../../i18n/translate.js'
import type { ViewContext } from '../context.js'
import { metricName } from '../parts/format.js'
import { card, uid } from '../parts/layout.js'
import { loadPart } from '../parts/on-demand.js'

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

/**
 * Meters named by the session's usage, else by the plan's metrics, else by the metric id (as
 * the pricing cards). With a live subscription each meter has its usage details under it
 * (../usage/: the chart, the spend cap and alerts, chunks fetched only then), and the card
 * takes a row of its own.
 */
export function usageCard(ctx: ViewContext, session: Pick<Session, 'usage' | 'plan' | 'subscription' | 'price'>): HTMLElement {
  const { usage, plan, subscription: sub } = session
  const title = ctx.t('dashboard.usage.title')
  if (usage.length === 0) return card(title, h('p', { class: 'ap-muted' }, ctx.t('dashboard.usage.empty')))
  // No live subscription, no period to chart (GET /usage answers 404).
  const live = sub && sub.status !== 'canceled' ? sub : null
  const el = card(
    title,
    h(
      'ul',
      { class: 'ap-meters' },
      usage.map((meter) => {
        const name = meter.name || metricName(meter.metric, plan)
        return meterItem(ctx, meter, name, live && details(ctx, meter, name, live, session.price?.currency ?? 'usd'))
      }),
    ),
  )
  if (live) el.classList.add('ap-card--usage-wide')
  return el
}

/** Made once per view and metric: an account reload (after a cap change) keeps the chart, the forms and focus. */
const made = new WeakMap<AbortSignal, Map<string, HTMLElement>>()

/** The door to ../usage/chart.ts, which draws the rest; the core lends it `addEnglish`. */
function details(ctx: ViewContext, meter: UsageMeter, name: string, sub: Subscription, currency: string): HTMLElement {
  let mine = made.get(ctx.signal)
  if (!mine) made.set(ctx.signal, (mine = new Map()))
  const key = meter.metric + meter.limit
  let host = mine.get(key)
  if (host) return host
  mine.set(key, (host = h('div', { class: 'ap-usage-details' })))
  loadPart(ctx, host, () => import('../usage/chart.js'), (part) => part.mountUsageDetails(host, ctx, { meter, name, sub, currency, addEnglish }), 'dashboard.error')
  return host
}

function meterItem(ctx: ViewContext, meter: UsageMeter, name: string, more: HTMLElement | null): HTMLElement {
  const used = ctx.format.number(meter.used)
  if (meter.limit === null) {
    return h(
      'li',
      { class: 'ap-meter ap-meter--unlimited' },
      h('span', { class: 'ap-meter__name' }, name),
      h('span', { class: 'ap-meter__text' }, ctx.t('dashboard.usage.unlimited', { used, unit: meter.unit })),
      more,
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
    more,
  )
}
