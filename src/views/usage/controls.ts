/**
 * What the customer sets on a metric's meter (issue 18): the spend cap ("stop at my quota" /
 * "allow up to $X over") and the usage alerts (at 50 / 80 / 100 % of the quota or the cap).
 * Renderers of the `usageAlerts` store and the `setUsageLimit` / `createUsageAlert` /
 * `deleteUsageAlert` flows: no request of their own. A chunk of its own, as ./chart.ts is;
 * it draws with the chart's DOM helper, handed over at run time (no chunk shared by both).
 */
import type { PortalError, SpendLimit, UsageMeter } from '../../api/types.js'
import type { PortalFlows } from '../../flows/index.js'
import type { Formatters } from '../../i18n/format.js'
import { usageControlsEn } from '../../i18n/messages-usage-controls.js'
import type { Translate } from '../../i18n/translate.js'
import type { PortalStores } from '../../stores/index.js'
import type { html } from './chart.js'

export { usageControlsEn }

export interface UsageControlsContext {
  stores: Pick<PortalStores, 'usageAlerts'>
  flows: Pick<PortalFlows, 'setUsageLimit' | 'createUsageAlert' | 'deleteUsageAlert'>
  t: Translate
  format: Formatters
  /** Speaks an outcome in the portal's polite live region. */
  announce(message: string): void
  /** Aborted when the card goes: the flows and the store subscription end with it. */
  signal: AbortSignal
  /** ./chart.ts's `html`. */
  html: typeof html
}

/** The thresholds offered; the server takes any from 1 to 1000. */
export const ALERT_THRESHOLDS = [50, 80, 100]

let ids = 0

/** The cap as the meter says it: "Stops at the quota.", "Stops at $20.00 of overage.", or no cap. */
export function capText(limit: SpendLimit | null | undefined, { t, format }: Pick<UsageControlsContext, 't' | 'format'>): string {
  if (!limit) return t('dashboard.usage.cap.none')
  if (limit.max_overage_amount === null) return t('dashboard.usage.cap.atQuota')
  return t('dashboard.usage.cap.upTo', { amount: format.money(limit.max_overage_amount, limit.currency) })
}

/** A failure shown where it happened (the flow has reported it already); text only. */
function showError(host: HTMLElement, error: PortalError | undefined, ctx: UsageControlsContext) {
  host.textContent = error?.message ?? ''
  if (error) ctx.announce(error.message)
}

/** The spend cap of `meter`, in `currency` (the subscription's price). */
export function renderSpendCap(meter: UsageMeter, currency: string, ctx: UsageControlsContext): HTMLElement {
  const { t, html } = ctx
  const id = `ap-cap-${++ids}`
  const flow = ctx.flows.setUsageLimit()
  ctx.signal.addEventListener('abort', () => flow.destroy(), { once: true })
  // Minor units per major unit, from Intl (JPY 0, USD 2, KWD 3) as the formatters do.
  const exponent = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  const current = meter.spend_limit
  const status = html('p', { class: 'ap-cap__status' }, capText(current, ctx))
  const radio = (value: string, label: string, checked: boolean) =>
    html('label', { class: 'ap-cap__choice' }, html('input', { type: 'radio', name: id, value, checked, 'data-ap-focus': `cap-${value}-${meter.metric}` }), ' ', label)
  const stop = radio('stop', t('dashboard.usage.cap.stop'), current?.max_overage_amount === null)
  const allow = radio('allow', t('dashboard.usage.cap.allow'), typeof current?.max_overage_amount === 'number')
  const amount = html('input', {
    id: `${id}-amount`,
    'data-ap-focus': `cap-amount-${meter.metric}`,
    class: 'ap-input',
    type: 'number',
    min: 0,
    step: 1 / 10 ** exponent,
    inputmode: 'decimal',
    value: typeof current?.max_overage_amount === 'number' ? current.max_overage_amount / 10 ** exponent : undefined,
  })
  const error = html('p', { class: 'ap-form__error', role: 'alert' })
  const save = html('button', { type: 'submit', class: 'ap-button ap-button--primary', 'data-ap-focus': `cap-save-${meter.metric}` }, t('dashboard.usage.cap.save'))
  const form = html(
    'form',
    { class: 'ap-cap', novalidate: true },
    html(
      'fieldset',
      {},
      html('legend', {}, t('dashboard.usage.cap.title')),
      status,
      stop,
      allow,
      html('label', { for: amount.id }, t('dashboard.usage.cap.amount', { currency: currency.toUpperCase() })),
      amount,
    ),
    error,
    save,
  )
  // The `data-ap-focus` keys: when the dashboard re-renders (the account reloads after a cap
  // change), focus comes back to the same control (views/parts/resource.ts).
  // Typing an amount means "allow up to".
  amount.addEventListener('input', () => ((allow.firstChild as HTMLInputElement).checked = true))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const allowing = (allow.firstChild as HTMLInputElement).checked
    const major = Number(amount.value)
    if (allowing && (amount.value === '' || !Number.isFinite(major) || major < 0)) return showError(error, { code: 'invalid_request', message: t('dashboard.usage.cap.invalid') }, ctx)
    if (!allowing && !(stop.firstChild as HTMLInputElement).checked) return
    // Busy, not disabled: a disabled button loses focus when the dashboard re-renders around it
    // (the account reloads after the change); the flow ignores a second run meanwhile.
    save.setAttribute('aria-busy', 'true')
    const state = await flow.run({ metric: meter.metric, max_overage_amount: allowing ? Math.round(major * 10 ** exponent) : null })
    save.removeAttribute('aria-busy')
    if (state.status === 'done') {
      showError(error, undefined, ctx)
      status.textContent = capText(state.result, ctx)
      ctx.announce(t('dashboard.usage.cap.saved'))
    } else if (state.status === 'failed') showError(error, state.error, ctx)
  })
  return form
}

/** The alerts set on `metric`, each with Remove, and a form to add one. */
export function renderUsageAlerts(metric: string, ctx: UsageControlsContext): HTMLElement {
  const { t, format, html } = ctx
  const id = `ap-alerts-${++ids}`
  const create = ctx.flows.createUsageAlert()
  const remove = ctx.flows.deleteUsageAlert()
  const section = html('section', { class: 'ap-alerts', 'aria-labelledby': `${id}-title` })
  const list = html('ul', { class: 'ap-alerts__list' })
  const error = html('p', { class: 'ap-form__error', role: 'alert' })
  const name = (percent: number, of: 'quota' | 'cap') => t(of === 'cap' ? 'dashboard.usage.alerts.ofCap' : 'dashboard.usage.alerts.ofQuota', { percent: format.number(percent) })

  const stop = ctx.stores.usageAlerts.subscribe(({ data, error: failure }) => {
    // A backend without alerts (stripeBilling answers 404): the section hides.
    section.hidden = failure?.code === 'not_found'
    const mine = data?.data.filter((alert) => alert.metric === metric) ?? []
    list.replaceChildren(
      ...(data && mine.length === 0 ? [html('li', { class: 'ap-muted' }, t('dashboard.usage.alerts.empty'))] : []),
      ...mine.map((alert) => {
        const label = name(alert.threshold_percent, alert.of)
        const button = html('button', { type: 'button', class: 'ap-button ap-button--link', 'aria-label': t('dashboard.usage.alerts.removeLabel', { alert: label }) }, t('dashboard.usage.alerts.remove'))
        button.addEventListener('click', async () => {
          button.disabled = true
          const state = await remove.run(alert.id)
          if (state.status === 'done') ctx.announce(t('dashboard.usage.alerts.removed'))
          else if (state.status === 'failed') (showError(error, state.error, ctx), (button.disabled = false))
        })
        return html('li', { class: 'ap-alerts__item' }, html('span', {}, label), ' ', button)
      }),
    )
  })
  ctx.signal.addEventListener('abort', () => (stop(), create.destroy(), remove.destroy()), { once: true })

  const select = (label: string, options: [string, string][]) => {
    const el = html('select', { class: 'ap-input', 'aria-label': label, 'data-ap-focus': `alert-${label}-${metric}` })
    el.append(...options.map(([value, text]) => html('option', { value }, text)))
    return el
  }
  const threshold = select(
    t('dashboard.usage.alerts.threshold'),
    ALERT_THRESHOLDS.map((p) => [String(p), `${format.number(p)} %`]),
  )
  threshold.value = '80'
  const of = select(t('dashboard.usage.alerts.of'), [
    ['quota', t('dashboard.usage.alerts.quota')],
    ['cap', t('dashboard.usage.alerts.cap')],
  ])
  const add = html('button', { type: 'submit', class: 'ap-button ap-button--secondary', 'data-ap-focus': `alert-add-${metric}` }, t('dashboard.usage.alerts.add'))
  const form = html('form', { class: 'ap-alerts__add' }, threshold, ' ', of, ' ', add)
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    add.setAttribute('aria-busy', 'true')
    const state = await create.run({ metric, threshold_percent: Number(threshold.value), of: of.value as 'quota' | 'cap' })
    add.removeAttribute('aria-busy')
    if (state.status === 'done') (showError(error, undefined, ctx), ctx.announce(t('dashboard.usage.alerts.added')))
    else if (state.status === 'failed') showError(error, state.error, ctx)
  })

  section.append(
    html('h4', { id: `${id}-title`, class: 'ap-alerts__title' }, t('dashboard.usage.alerts.title')),
    html('p', { class: 'ap-muted' }, t('dashboard.usage.alerts.hint')),
    list,
    form,
    error,
  )
  return section
}
