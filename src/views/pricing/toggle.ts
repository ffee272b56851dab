import type { Period } from '../../api/types.js'
import { h } from '../parts/kit.js'
import type { Translate } from '../context.js'

const ARROWS = ['ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp']

/**
 * Monthly / Yearly as a radio group: one tab stop, arrow keys move and select (the
 * WAI-ARIA radio group pattern), `aria-checked` on the chosen one. The saving rides in
 * the Yearly radio's name, so it is heard with it. Stateless: the view re-renders it
 * with the new period, and `data-ap-focus` carries focus over to the new buttons.
 */
export function periodToggle(t: Translate, period: Period, saving: string | null, onChange: (period: Period) => void): HTMLElement {
  const radio = (value: Period, ...label: (string | HTMLElement | null)[]) =>
    h(
      'button',
      {
        type: 'button',
        role: 'radio',
        class: 'ap-toggle__option',
        'aria-checked': String(value === period),
        tabindex: value === period ? '0' : '-1',
        'data-ap-focus': `period-${value}`,
        onClick: () => value !== period && onChange(value),
      },
      ...label,
    )
  const month = radio('month', t('pricing.period.month'))
  const year = radio('year', t('pricing.period.year'), saving && ' ', saving && h('span', { class: 'ap-toggle__saving' }, saving))
  const onKeydown = (event: KeyboardEvent) => {
    if (!ARROWS.includes(event.key)) return
    event.preventDefault()
    // Two options: every arrow moves to the other one (wrapping, as the pattern says).
    // Focus first, so the re-render hands it to the new button of the same key.
    const next = period === 'month' ? year : month
    next.focus()
    onChange(period === 'month' ? 'year' : 'month')
  }
  return h('div', { class: 'ap-toggle', role: 'radiogroup', 'aria-label': t('pricing.period.label'), onKeydown }, month, year)
}
