import type { Invoice, InvoiceLine } from '../../api/types.js'
import { billToBlock } from '../account/bill-to.js'
import type { ViewContext } from '../context.js'
import { setBusy } from '../parts/actions.js'
import { errorPanel, h, replaceChildren, skeleton, uid } from '../parts/kit.js'

/**
 * The disclosure for one invoice's lines: a button (`aria-expanded`) and the row it
 * opens under the invoice. Lines come from the client's store of that invoice, loaded on
 * the first open and kept by the client (opening again, or in another portal, loads nothing).
 */
export function linesDisclosure(ctx: ViewContext, invoice: Invoice, columns: number): { toggle: HTMLButtonElement; row: HTMLTableRowElement } {
  const { t } = ctx
  // Explicit roles: the invoices table's stacked layout changes these elements' display.
  const cell = h('td', { colspan: String(columns), class: 'ap-invoice-lines__cell', role: 'cell' })
  const row = h('tr', { class: 'ap-invoice-lines', id: uid('lines'), hidden: true, role: 'row' }, cell)
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'ap-button ap-button--link ap-disclosure',
      'aria-expanded': 'false',
      'aria-controls': row.id,
      'aria-label': t('invoices.detailsLabel', { number: invoice.number }),
      onClick: () => (row.hidden ? open() : close()),
    },
    t('invoices.details'),
  )
  const full = ctx.client.stores.invoice(invoice.id)
  let stop: (() => void) | undefined

  function close(): void {
    row.hidden = true
    toggle.setAttribute('aria-expanded', 'false')
    stop?.()
    stop = undefined
  }

  function open(): void {
    row.hidden = false
    toggle.setAttribute('aria-expanded', 'true')
    stop ??= full.subscribe((state) => {
      if (ctx.signal.aborted) return
      setBusy(toggle, state.status === 'loading')
      if (state.status === 'error') {
        replaceChildren(cell, errorPanel(ctx, t('invoices.lines.error'), state.error, () => void full.reload()))
        ctx.announce(state.error.message)
      } else if (state.data) replaceChildren(cell, linesTable(ctx, invoice, state.data.lines ?? []), state.data.bill_to && billToBlock(ctx, state.data.bill_to))
      else replaceChildren(cell, skeleton(ctx, 2))
    })
  }
  ctx.signal.addEventListener('abort', () => stop?.(), { once: true })

  return { toggle, row }
}

function linesTable(ctx: ViewContext, invoice: Invoice, lines: InvoiceLine[]): HTMLElement {
  const { t, format } = ctx
  if (lines.length === 0) return h('p', { class: 'ap-muted' }, t('invoices.lines.empty'))
  return h(
    'table',
    { class: 'ap-table ap-table--lines' },
    h('caption', { class: 'ap-sr-only' }, t('invoices.lines.caption', { number: invoice.number })),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { scope: 'col' }, t('invoices.lines.description')),
        h('th', { scope: 'col', class: 'ap-num' }, t('invoices.lines.quantity')),
        h('th', { scope: 'col', class: 'ap-num' }, t('invoices.col.amount')),
      ),
    ),
    h(
      'tbody',
      null,
      lines.map((line) =>
        h(
          'tr',
          null,
          h(
            'td',
            null,
            line.description,
            line.period &&
              h('span', { class: 'ap-muted ap-block' }, t('invoices.lines.period', { start: format.date(line.period.start), end: format.date(line.period.end) })),
          ),
          h('td', { class: 'ap-num' }, format.number(line.quantity)),
          h('td', { class: 'ap-num' }, format.money(line.amount, invoice.currency)),
        ),
      ),
    ),
  )
}
