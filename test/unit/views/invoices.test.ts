import { afterEach, describe, expect, test } from 'vitest'
import type { Invoice, List } from '../../../src/api/types.js'
import { buttonNamed, mountPortal, text, waitFor, type Harness } from './harness.js'

let portal: Harness | undefined
afterEach(async () => {
  await portal?.close()
  portal = undefined
})

const rows = (view: HTMLElement) => [...view.querySelectorAll<HTMLTableRowElement>('tr.ap-invoice')]
const ids = (view: HTMLElement) => rows(view).map((r) => r.dataset.invoiceId!)
const loadMore = (view: HTMLElement) => buttonNamed(view, 'Load more')

async function invoicesOf(customer: string): Promise<HTMLElement> {
  portal = await mountPortal(customer, { view: 'invoices' })
  return portal.root.querySelector<HTMLElement>('.ap-view--invoices')!
}

describe('invoices', () => {
  test('a real table: caption, column headers, a row per invoice with date, number, amount, status and links', async () => {
    const view = await invoicesOf('cus_active')
    const table = await waitFor(() => view.querySelector('table'))
    expect(text(table.querySelector('caption'))).toBe('Your invoices, newest first')
    const headers = [...table.querySelectorAll('thead th')]
    expect(headers.map(text)).toEqual(['Date', 'Number', 'Amount', 'Status', 'Documents'])
    expect(headers.every((th) => th.getAttribute('scope') === 'col')).toBe(true)
    expect(rows(view)).toHaveLength(10)

    const first = rows(view)[0]
    const cells = [...first.children].map(text)
    expect(cells[0]).toMatch(/^\w{3} \d{1,2}, \d{4}$/)
    expect(first.querySelector('th[scope="row"]')).not.toBeNull()
    expect(cells[1]).toMatch(/^DEMO-/)
    expect(cells[2]).toBe('$49.00')
    expect(cells[3]).toBe('Paid')
    // The embedded engine serves no documents: no PDF or View links that would go nowhere.
    expect(first.querySelectorAll('a')).toHaveLength(0)
    // A year of history, newest first.
    const dates = rows(view).map((r) => Date.parse(text(r.children[0])))
    expect([...dates].sort((a, b) => b - a)).toEqual(dates)
  })

  test('narrow containers stack each invoice: every cell names its column (data-label) and the roles keep it a table', async () => {
    const view = await invoicesOf('cus_active')
    const table = await waitFor(() => view.querySelector('table'))
    const headers = [...table.querySelectorAll('thead th')].map(text)
    for (const row of rows(view)) {
      // The stacked layout draws these as the cells' labels; Documents needs none.
      expect([...row.children].map((cell) => cell.getAttribute('data-label'))).toEqual([...headers.slice(0, 4), null])
      expect(row.getAttribute('role')).toBe('row')
      expect([...row.children].map((cell) => cell.getAttribute('role'))).toEqual(['cell', 'rowheader', 'cell', 'cell', 'cell'])
    }
    expect(table.getAttribute('role')).toBe('table')
    expect([...table.querySelectorAll(':scope > thead, :scope > tbody')].map((g) => g.getAttribute('role'))).toEqual(['rowgroup', 'rowgroup'])
    expect([...table.querySelectorAll('thead th')].every((th) => th.getAttribute('role') === 'columnheader')).toBe(true)
    const linesRow = table.querySelector('tr.ap-invoice-lines')!
    expect([linesRow.getAttribute('role'), linesRow.firstElementChild!.getAttribute('role')]).toEqual(['row', 'cell'])
  })

  test('cus_many_invoices: Load more pages by cursor, 10 at a time, without duplicates, and goes away at the end', async () => {
    const view = await invoicesOf('cus_many_invoices')
    await waitFor(() => rows(view).length === 10)
    expect(portal!.requests.filter((r) => r.path.startsWith('/invoices')).map((r) => r.path)).toEqual(['/invoices?limit=10'])

    for (let shown = 10; shown < 250; shown += 10) {
      const last = ids(view).at(-1)
      loadMore(view)!.click()
      await waitFor(() => rows(view).length === shown + 10)
      expect(portal!.requests.at(-1)!.path).toBe(`/invoices?limit=10&starting_after=${last}`)
    }
    expect(new Set(ids(view)).size).toBe(250)
    expect(loadMore(view)).toBeUndefined()
    expect(portal!.count('GET', /^\/invoices\?/)).toBe(25)
    await waitFor(() => portal!.announced.includes('10 more invoices shown.'))
  })

  test('Load more is disabled and busy while its page loads', async () => {
    const view = await invoicesOf('cus_many_invoices')
    await waitFor(() => rows(view).length === 10)
    const release = portal!.hold('GET', /starting_after=/)
    const button = loadMore(view)!
    button.click()
    button.click()
    await waitFor(() => button.getAttribute('aria-busy') === 'true')
    expect(button.disabled).toBe(true)
    release()
    await waitFor(() => rows(view).length === 20 && !button.disabled)
    expect(button.hasAttribute('aria-busy')).toBe(false)
    expect(portal!.count('GET', /starting_after=/)).toBe(1)
  })

  test('lines expand in place, fetched once and cached', async () => {
    const view = await invoicesOf('cus_active')
    await waitFor(() => rows(view).length === 10)
    // The invoice with usage beyond quota (three periods back) has two lines.
    const row = rows(view)[3]
    const toggle = buttonNamed(row, /^Details of invoice /)!
    expect(toggle.getAttribute('aria-expanded')).toBe('false')
    const panel = document.getElementById(toggle.getAttribute('aria-controls')!)!
    expect(panel.hidden).toBe(true)
    expect(row.nextElementSibling).toBe(panel)

    toggle.click()
    expect(toggle.getAttribute('aria-expanded')).toBe('true')
    const lines = await waitFor(() => panel.querySelector('table'))
    expect(panel.hidden).toBe(false)
    expect(lines.querySelectorAll('th[scope="col"]')).toHaveLength(3)
    const lineRows = [...lines.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map(text))
    expect(lineRows).toHaveLength(2)
    expect(lineRows[0][0]).toMatch(/^API calls beyond quota \(12,000 calls\)\w{3} \d{1,2}, \d{4} – \w{3} \d{1,2}, \d{4}$/)
    expect(lineRows[0].slice(1)).toEqual(['12', '$6.00'])
    expect(lineRows[1].slice(1)).toEqual(['1', '$49.00'])
    const id = row.dataset.invoiceId!
    expect(portal!.count('GET', new RegExp(`^/invoices/${id}$`))).toBe(1)

    toggle.click()
    expect(toggle.getAttribute('aria-expanded')).toBe('false')
    expect(panel.hidden).toBe(true)
    toggle.click()
    expect(panel.hidden).toBe(false)
    expect(panel.querySelector('table')).not.toBeNull()
    expect(portal!.count('GET', new RegExp(`^/invoices/${id}$`))).toBe(1)
  })

  test('an opened invoice stays open while more pages load', async () => {
    const view = await invoicesOf('cus_many_invoices')
    await waitFor(() => rows(view).length === 10)
    const toggle = buttonNamed(rows(view)[0], /^Details of invoice /)!
    toggle.click()
    await waitFor(() => view.querySelector('.ap-invoice-lines table'))
    loadMore(view)!.click()
    await waitFor(() => rows(view).length === 20)
    expect(toggle.isConnected).toBe(true)
    expect(toggle.getAttribute('aria-expanded')).toBe('true')
  })

  test('a customer without invoices sees an empty state', async () => {
    const view = await invoicesOf('cus_free')
    const empty = await waitFor(() => view.querySelector('.ap-empty'))
    expect(text(empty)).toContain('No invoices yet')
    expect(view.querySelector('table')).toBeNull()
    expect(view.querySelectorAll('h1')).toHaveLength(1)
  })

  test('skeleton while the first page loads', async () => {
    portal = await mountPortal('cus_active', { view: 'dashboard' })
    const release = portal.hold('GET', /^\/invoices\?/)
    const view = await portal.open('invoices')
    expect(view.querySelector('.ap-skeleton')).not.toBeNull()
    expect(text(view.querySelector('.ap-skeleton'))).toBe('Loading…')
    release()
    await waitFor(() => rows(view).length === 10)
    expect(view.querySelector('.ap-skeleton')).toBeNull()
  })

  test('a failed first page shows the error with Retry, which loads it', async () => {
    portal = await mountPortal('cus_active', { view: 'dashboard' })
    const heal = portal.fail('GET', /^\/invoices\?/)
    const view = await portal.open('invoices')
    const error = await waitFor(() => view.querySelector('.ap-error'))
    expect(error.getAttribute('role')).toBe('alert')
    expect(text(error)).toContain('We couldn’t load your invoices.')
    expect(text(error)).toContain('Injected failure')
    // GETs are retried twice on a 500 before the view hears of it.
    expect(portal.count('GET', /^\/invoices\?/)).toBe(3)
    expect(portal.onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'server', status: 500 }))
    heal()
    buttonNamed(error, 'Retry')!.click()
    await waitFor(() => rows(view).length === 10)
    expect(view.querySelector('.ap-error')).toBeNull()
  })

  test('a failed next page keeps every row shown; Retry loads that page', async () => {
    const view = await invoicesOf('cus_many_invoices')
    await waitFor(() => rows(view).length === 10)
    const shown = ids(view)
    const heal = portal!.fail('GET', /starting_after=/)
    loadMore(view)!.click()
    const error = await waitFor(() => view.querySelector('.ap-table-footer .ap-error'))
    expect(ids(view)).toEqual(shown)
    expect(loadMore(view)).toBeUndefined()
    heal()
    buttonNamed(error, 'Retry')!.click()
    await waitFor(() => rows(view).length === 20)
    expect(ids(view).slice(0, 10)).toEqual(shown)
    expect(view.querySelector('.ap-error')).toBeNull()
    expect(loadMore(view)).toBeDefined()
  })

  test('server text is text, and links that are not http(s) or relative are dropped', async () => {
    portal = await mountPortal('cus_active', { view: 'dashboard' })
    const payload = '<img src=x onerror="window.__xss=1">'
    portal.patch<List<Invoice>>('GET', /^\/invoices\?/, (list) => ({
      ...list,
      data: list.data.map((invoice, i) => ({
        ...invoice,
        number: i === 0 ? payload : invoice.number,
        pdf_url: i === 0 ? 'javascript:alert(1)' : i === 1 ? 'java\nscript:alert(1)' : invoice.pdf_url,
        hosted_url: i === 0 ? 'data:text/html,<b>x</b>' : i === 1 ? 'https://pay.example.com/i/1' : invoice.hosted_url,
      })),
    }))
    const view = await portal.open('invoices')
    await waitFor(() => rows(view).length === 10)
    const [first, second] = rows(view)
    expect(text(first.querySelector('th'))).toBe(payload)
    expect(first.querySelector('img')).toBeNull()
    expect(first.querySelectorAll('a')).toHaveLength(0)
    expect([...second.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual(['https://pay.example.com/i/1'])
    const link = second.querySelector('a')!
    expect(link.getAttribute('target')).toBe('_blank')
    expect(link.getAttribute('rel')).toBe('noopener noreferrer')
    expect(link.getAttribute('aria-label')).toMatch(/^View invoice DEMO-\d+ online \(opens in a new tab\)$/)
  })
})
