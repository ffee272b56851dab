import { describe, expect, test } from 'vitest'
import type { List } from '../../../src/api/types.js'
import { fillStep, meterLevel } from '../../../src/views/dashboard/usage.js'
import { createPager } from '../../../src/stores/pager.js'
import { safeHref } from '../../../src/dom/href.js'

describe('meters', () => {
  test('warn from 80 % and alarm from 100 %', () => {
    expect(meterLevel(7_999, 10_000)).toBe('ok')
    expect(meterLevel(8_000, 10_000)).toBe('warning')
    expect(meterLevel(9_999, 10_000)).toBe('warning')
    expect(meterLevel(10_000, 10_000)).toBe('danger')
    expect(meterLevel(25_000, 10_000)).toBe('danger')
    expect(meterLevel(0, 0)).toBe('ok')
    expect(meterLevel(1, 0)).toBe('danger')
  })

  test('fill in 5 % steps, clamped to the bar', () => {
    expect(fillStep(8_000, 10_000)).toBe(80)
    expect(fillStep(8_249, 10_000)).toBe(80)
    expect(fillStep(8_250, 10_000)).toBe(85)
    expect(fillStep(50_000, 10_000)).toBe(100)
    expect(fillStep(0, 10_000)).toBe(0)
    expect(fillStep(1, 0)).toBe(100)
  })
})

describe('safeHref', () => {
  test('keeps http(s) and relative links', () => {
    expect(safeHref('https://pay.example.com/i/1')).toBe('https://pay.example.com/i/1')
    expect(safeHref('http://localhost/i/1.pdf')).toBe('http://localhost/i/1.pdf')
    expect(safeHref('/api/portal/invoices/in_1/pdf')).toBe('/api/portal/invoices/in_1/pdf')
    expect(safeHref('invoice.pdf')).toBe('invoice.pdf')
  })

  test('drops script, data and other schemes, however they are disguised', () => {
    for (const url of ['javascript:alert(1)', ' JavaScript:alert(1)', 'java\nscript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:x', 'file:///etc/passwd'])
      expect(safeHref(url), url).toBeNull()
    expect(safeHref(null)).toBeNull()
    expect(safeHref('')).toBeNull()
  })
})

describe('pager', () => {
  const page = (ids: string[], has_more: boolean): List<{ id: string }> => ({ data: ids.map((id) => ({ id })), has_more })

  test('asks after the last id, skips ids already shown, stops at the end', async () => {
    const asked: (string | undefined)[] = []
    const pages = [page(['a', 'b'], true), page(['b', 'c'], false)]
    const pager = createPager(async ({ starting_after: after }) => (asked.push(after), pages.shift()!), { signal: new AbortController().signal })
    await pager.more()
    await pager.more()
    await pager.more() // nothing after the end
    expect(asked).toEqual([undefined, 'b'])
    expect(pager.get()).toEqual({ status: 'ready', data: { data: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], has_more: false } })
  })

  test('one page at a time', async () => {
    let calls = 0
    const pager = createPager(async () => (calls++, page(['a'], true)), { signal: new AbortController().signal })
    await Promise.all([pager.more(), pager.more()])
    expect(calls).toBe(1)
  })

  test('a failure keeps what was loaded and the next call retries from the same place', async () => {
    const asked: (string | undefined)[] = []
    let fail = false
    const errors: string[] = []
    const pager = createPager(
      async ({ starting_after: after }) => {
        asked.push(after)
        if (fail) throw { code: 'server', message: 'boom' }
        return page(after ? ['b'] : ['a'], !after)
      },
      { signal: new AbortController().signal, onError: (e) => errors.push(e.message) },
    )
    await pager.more()
    fail = true
    await pager.more()
    expect(pager.get()).toMatchObject({ data: { data: [{ id: 'a' }] }, status: 'error', error: { message: 'boom' } })
    fail = false
    await pager.more()
    expect(asked).toEqual([undefined, 'a', 'a'])
    expect(pager.get()).toMatchObject({ data: { data: [{ id: 'a' }, { id: 'b' }], has_more: false }, status: 'ready' })
    expect(errors).toEqual(['boom'])
  })

  test('nothing is written after the view is left', async () => {
    const controller = new AbortController()
    let resolve!: (list: List<{ id: string }>) => void
    const pager = createPager(() => new Promise<List<{ id: string }>>((r) => (resolve = r)), { signal: controller.signal })
    const pending = pager.more()
    controller.abort()
    resolve(page(['a'], false))
    await pending
    expect(pager.get().data).toBeUndefined()
  })
})
