import type { BillTo } from '../../api/types.js'
import { h } from '../parts/kit.js'
import type { ViewContext } from '../context.js'
import { countryNamer } from './tax.js'

/** An invoice's bill-to block: the billing details as they were when it was issued (server text, as text). */
export function billToBlock(ctx: ViewContext, billTo: BillTo): HTMLElement {
  const { t } = ctx
  const a = billTo.address
  const place = a && [a.postal_code, a.city].filter(Boolean).join(' ')
  const lines = [billTo.name, billTo.email, a?.line1, a?.line2, place, a?.state, a && countryNamer(ctx.options.get().locale)(a.country)]
  return h(
    'div',
    { class: 'ap-bill-to' },
    h('p', { class: 'ap-bill-to__title' }, t('account.billTo')),
    h('address', { class: 'ap-bill-to__address' }, lines.filter(Boolean).map((line) => h('span', { class: 'ap-bill-to__line' }, line as string))),
    billTo.tax_ids.map((id) => h('p', { class: 'ap-bill-to__tax' }, `${t(`account.tax.${id.type}`)}: ${id.value}`)),
  )
}
