import type { Invoice, InvoiceStatus } from '../api/types.js'
import { badge, button, emptyState, errorPanel, h, replaceChildren, safeHref, skeleton, viewRoot, type Tone } from './parts/kit.js'
import { externalLink } from './parts/external-link.js'
import { invoicesEn } from '../i18n/messages-invoices.js'
import { accountEn } from '../i18n/messages-account.js'
import type { View, ViewContext } from './context.js'
import { payInvoiceButton } from './account/pay.js'
import { linesDisclosure } from './invoices/lines.js'
import { setBusy } from './parts/actions.js'

const COLUMNS = 5
// A narrow container stacks each invoice into a card (views.css), a display change that
// drops table semantics in some browsers: the explicit roles keep the table a table.
const ROW = { role: 'row' }
const GROUP = { role: 'rowgroup' }
const STATUS_TONE: Record<InvoiceStatus, Tone> = { draft: 'neutral', open: 'info', paid: 'success', void: 'neutral', uncollectible: 'danger' }

/**
 * The invoice table. Rows are appended, never re-rendered, so an opened invoice stays
 * open while more pages load; an error keeps every row already shown.
 */
export const invoices: View = (ctx) => {
  const { t } = ctx
  const { el, body } = viewRoot('invoices', t('invoices.title'))
  const invoices = ctx.client.stores.invoices
  const tbody = h('tbody', GROUP)
  const table = h(
    'table',
    { class: 'ap-table ap-table--invoices', role: 'table' },
    h('caption', { class: 'ap-table__caption' }, t('invoices.caption')),
    h(
      'thead',
      GROUP,
      h(
        'tr',
        ROW,
        h('th', { scope: 'col', role: 'columnheader' }, t('invoices.col.date')),
        h('th', { scope: 'col', role: 'columnheader' }, t('invoices.col.number')),
        h('th', { scope: 'col', role: 'columnheader', class: 'ap-num' }, t('invoices.col.amount')),
        h('th', { scope: 'col', role: 'columnheader' }, t('invoices.col.status')),
        h('th', { scope: 'col', role: 'columnheader' }, t('invoices.col.links')),
      ),
    ),
    tbody,
  )
  const tableWrap = h('div', { class: 'ap-table-wrap' }, table)
  const loadMore = button(t('invoices.loadMore'), () => void more())
  const footer = h('div', { class: 'ap-table-footer' })
  let shown = 0
  let firstId: string | undefined

  const count = () => invoices.get().data?.data.length ?? 0
  async function more(): Promise<void> {
    const before = count()
    await invoices.more()
    const after = count()
    if (before > 0 && after > before && !ctx.signal.aborted) ctx.announce(t('invoices.loaded', { count: after - before }))
  }

  const stop = invoices.subscribe((state) => {
    if (ctx.signal.aborted) return
    const retry = () => void more()
    const items = state.data?.data ?? []
    const hasMore = state.data?.has_more ?? true
    // A new list (after a payment, a plan change): drawn again from its first page.
    if (items.length < shown || (shown > 0 && items[0]?.id !== firstId)) {
      tbody.textContent = ''
      shown = 0
    }
    firstId = items[0]?.id
    if (items.length === 0) {
      if (state.status === 'loading') replaceChildren(body, skeleton(ctx, 5))
      else if (state.status === 'error' && state.error) replaceChildren(body, errorPanel(ctx, t('invoices.error'), state.error, retry))
      else replaceChildren(body, emptyState(t('invoices.empty.title'), t('invoices.empty.body')))
      return
    }
    if (!body.contains(tableWrap)) replaceChildren(body, tableWrap, footer)
    const firstNew = shown
    for (const invoice of items.slice(shown)) tbody.append(...invoiceRows(ctx, invoice))
    shown = items.length
    const hadFocus = loadMore.ownerDocument.activeElement === loadMore
    setBusy(loadMore, state.status === 'loading')
    if (state.status === 'error' && state.error) replaceChildren(footer, errorPanel(ctx, t('invoices.error'), state.error, retry))
    else replaceChildren(footer, hasMore && loadMore)
    // The button is gone at the end of the list: focus goes to the first invoice it loaded.
    if (hadFocus && !footer.contains(loadMore)) tbody.querySelectorAll<HTMLElement>('tr:not(.ap-invoice-lines) .ap-disclosure')[firstNew]?.focus()
  })
  ctx.signal.addEventListener('abort', stop, { once: true })
  return { el }
}

function invoiceRows(ctx: ViewContext, invoice: Invoice): HTMLTableRowElement[] {
  const { t, format } = ctx
  const { toggle, row: linesRow } = linesDisclosure(ctx, invoice, COLUMNS)
  const pdf = safeHref(invoice.pdf_url)
  const hosted = safeHref(invoice.hosted_url)
  // Each cell names its column for the stacked layout, where the header row is out of sight.
  const cell = (column: 'date' | 'number' | 'amount' | 'status') => ({ role: 'cell', 'data-label': t(`invoices.col.${column}`) })
  const row = h(
    'tr',
    { class: 'ap-invoice', 'data-invoice-id': invoice.id, ...ROW },
    h('td', cell('date'), format.date(invoice.created)),
    h('th', { ...cell('number'), scope: 'row', role: 'rowheader' }, invoice.number),
    h('td', { ...cell('amount'), class: 'ap-num' }, format.money(invoice.total, invoice.currency)),
    h('td', cell('status'), badge(t(`invoices.status.${invoice.status}`), STATUS_TONE[invoice.status] ?? 'neutral')),
    h(
      'td',
      { role: 'cell' },
      h(
        'div',
        { class: 'ap-invoice__links' },
        toggle,
        invoice.status === 'open' && payInvoiceButton(ctx, invoice),
        pdf && externalLink(pdf, t('invoices.pdf'), t('invoices.pdfLabel', { number: invoice.number })),
        hosted && externalLink(hosted, t('invoices.hosted'), t('invoices.hostedLabel', { number: invoice.number })),
      ),
    ),
  )
  return [row, linesRow]
}

/** The strings that ship in this view's chunk (added to the English table as it loads). */
export const english = [invoicesEn, accountEn]

/** The core's helpers, which this chunk's loader hands over before using it (./parts/kit.ts). */
export { installKit } from './parts/kit.js'
