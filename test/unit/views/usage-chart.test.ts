/**
 * The usage chart (src/views/usage/chart.ts) drawn from real `GET /usage` reports of the
 * seeded cus_active: bars, the quota line, the forecast, the summary, the table toggle,
 * the keyboard, and the five locales.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { UsageReport } from '../../../src/api/types.js'
import { createFormatters } from '../../../src/i18n/format.js'
import { usageChartEn } from '../../../src/i18n/messages-usage-chart.js'
import { addEnglish, createTranslator, loadLocale } from '../../../src/i18n/translate.js'
import { renderUsageChart, usageSummary } from '../../../src/views/usage/chart.js'
import { setup, until, type Setup } from '../headless/support.js'

let t: Setup
beforeEach(() => {
  t = setup()
  addEnglish(usageChartEn)
})
afterEach(() => t.close())

async function report(query: { period?: 'current' | 'previous'; granularity?: 'day' | 'hour' } = {}): Promise<UsageReport> {
  const client = await t.client('cus_active')
  return (await until(client.stores.usageReport({ metric: 'api_calls', ...query }), (s) => s.status === 'ready')).data!
}

function draw(data: UsageReport, locale = 'en', extra: Partial<Parameters<typeof renderUsageChart>[1]> = {}) {
  const el = renderUsageChart(data, { t: createTranslator(locale), format: createFormatters(locale), locale, name: 'API calls', ...extra })
  document.body.replaceChildren(el)
  return el
}

const plain = (s: string | null | undefined) => (s ?? '').replace(/[\u202f\u00a0]/g, ' ')

describe('usage chart', () => {
  test('a bar per day with its value as its name, the running total, the quota line and the dashed forecast', async () => {
    const data = await report()
    const el = draw(data)
    const bars = [...el.querySelectorAll('.ap-chart__bar')]
    expect(bars).toHaveLength(data.buckets.length)
    const first = data.buckets[0]
    const day = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(first.start * 1000))
    expect(bars[0].getAttribute('aria-label')).toBe(`${day}: ${first.value.toLocaleString('en')} calls`)
    // The tallest bar fills the plot (less its headroom); the others are in proportion.
    const tallest = Math.max(...data.buckets.map((b) => b.value))
    const heights = bars.map((b) => Number(b.getAttribute('height')))
    expect(Math.max(...heights)).toBeCloseTo(152, 0)
    expect(heights[0]).toBeCloseTo((first.value / tallest) * 152, 0)
    // The quota sits at 250,000 on the total's scale, the forecast ends above the total at the right edge.
    const quota = el.querySelector('.ap-chart__quota')!
    const forecast = el.querySelector('.ap-chart__forecast')!
    const running = el.querySelector('.ap-chart__running')!.getAttribute('points')!.split(' ')
    const lastY = Number(running[running.length - 1].split(',')[1])
    expect(Number(forecast.getAttribute('x2'))).toBe(600)
    expect(Number(forecast.getAttribute('y2'))).toBeLessThan(lastY)
    expect(Number(forecast.getAttribute('y1'))).toBe(lastY)
    const top = Math.max(data.total, data.limit!, data.forecast.total) * 1.05
    expect(Number(quota.getAttribute('y1'))).toBeCloseTo(160 - (250_000 / top) * 160, 0)
  })

  test('role="img" named by the summary sentence, which says total, forecast and quota', async () => {
    const data = await report()
    const el = draw(data)
    const summary = el.querySelector('.ap-chart__summary')!
    const img = el.querySelector('[role="img"][aria-labelledby]')!
    expect(img.getAttribute('aria-labelledby')).toBe(summary.id)
    expect(summary.textContent).toMatch(new RegExp(`^200,000 calls this period, on track for ${data.forecast.total.toLocaleString('en')}; the quota is 250,000\\.`))
    expect(el.getAttribute('aria-label')).toBe('Usage of API calls over time')
  })

  test('the overage the forecast would cost is said; the previous period has no forecast', async () => {
    const data = await report()
    const over = { ...data, forecast: { ...data.forecast, total: 300_000, overage_amount: 2_500, currency: 'usd' } }
    expect(usageSummary(over, { t: createTranslator('en'), format: createFormatters('en') })).toMatch(/At this rate, the overage will cost \$25\.00\.$/)
    const previous = await report({ period: 'previous' })
    const el = draw(previous, 'en', { period: 'previous' })
    expect(el.querySelector('.ap-chart__forecast')).toBeNull()
    expect(el.querySelector('.ap-chart__summary')!.textContent).toBe('231,400 calls in the previous period; the quota was 250,000.')
  })

  test('no quota: no quota line, and the summary does not mention one', async () => {
    const data = { ...(await report()), limit: null }
    const el = draw(data)
    expect(el.querySelector('.ap-chart__quota')).toBeNull()
    expect(el.querySelector('.ap-chart__summary')!.textContent).not.toMatch(/quota/)
  })

  test('"Show as table" swaps the drawing for a table of the same numbers, and back', async () => {
    const data = await report()
    const el = draw(data)
    const toggle = [...el.querySelectorAll('button')].find((b) => b.textContent === 'Show as table')!
    const table = el.querySelector('table')!
    expect(table.hidden).toBe(true)
    expect(toggle.getAttribute('aria-controls')).toBe(table.id)
    toggle.click()
    expect(table.hidden).toBe(false)
    expect((el.querySelector('.ap-chart__figure') as HTMLElement).hidden).toBe(true)
    expect(toggle.textContent).toBe('Show as chart')
    const rows = [...table.querySelectorAll('tbody tr')]
    expect(rows).toHaveLength(data.buckets.length)
    expect(rows.map((r) => r.querySelector('td')!.textContent)).toEqual(data.buckets.map((b) => b.value.toLocaleString('en')))
    expect([...table.querySelectorAll('thead th')].map((th) => th.textContent)).toEqual(['Day (UTC)', 'Usage (calls)'])
    toggle.click()
    expect(table.hidden).toBe(true)
    expect(toggle.textContent).toBe('Show as table')
  })

  test('bars are one tab stop; arrows, Home and End move focus from bar to bar', async () => {
    const data = await report()
    const el = draw(data)
    const bars = [...el.querySelectorAll<SVGElement>('.ap-chart__bar')]
    const stops = () => bars.filter((b) => b.getAttribute('tabindex') === '0')
    expect(stops()).toEqual([bars[bars.length - 1]])
    const key = (target: Element, k: string) => target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }))
    bars[bars.length - 1].focus()
    key(bars[bars.length - 1], 'ArrowLeft')
    expect(document.activeElement).toBe(bars[bars.length - 2])
    expect(stops()).toEqual([bars[bars.length - 2]])
    key(bars[bars.length - 2], 'Home')
    expect(document.activeElement).toBe(bars[0])
    key(bars[0], 'ArrowLeft') // nothing before the first
    expect(document.activeElement).toBe(bars[0])
    key(bars[0], 'End')
    expect(document.activeElement).toBe(bars[bars.length - 1])
  })

  test('hours when asked: a bar per hour, labelled with the hour', async () => {
    const data = await report({ granularity: 'hour' })
    const el = draw(data)
    expect(el.querySelectorAll('.ap-chart__bar')).toHaveLength(data.buckets.length)
    expect(el.querySelector('thead th')!.textContent).toBe('Hour (UTC)')
    const bucket = data.buckets.find((b) => b.value > 0)!
    const label = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', hour: 'numeric', timeZone: 'UTC' }).format(new Date(bucket.start * 1000))
    expect(plain([...el.querySelectorAll('.ap-chart__bar')].map((b) => b.getAttribute('aria-label')).find((l) => plain(l).startsWith(plain(label))))).toBe(plain(`${label}: ${bucket.value.toLocaleString('en')} calls`))
  })

  test('the period toggle says which is shown and asks for the other', async () => {
    const asked: string[] = []
    const el = draw(await report(), 'en', { onPeriod: (p) => asked.push(p) })
    const [current, previous] = [...el.querySelectorAll('.ap-chart__periods button')]
    expect(current.getAttribute('aria-pressed')).toBe('true')
    expect(previous.getAttribute('aria-pressed')).toBe('false')
    ;(current as HTMLButtonElement).click()
    ;(previous as HTMLButtonElement).click()
    expect(asked).toEqual(['previous'])
  })

  test.each([
    ['de', 'calls in diesem Zeitraum', '200.000'],
    ['es', 'calls en este periodo', '200.000'],
    ['fr', 'calls sur cette période', '200 000'],
    ['ja', 'この期間は200,000 calls', '200,000'],
  ])('%s: translated words, local numbers and dates', async (locale, words, total) => {
    await loadLocale(locale)
    const data = await report()
    const el = draw(data, locale)
    const summary = plain(el.querySelector('.ap-chart__summary')!.textContent)
    expect(summary).toContain(words)
    expect(summary).toContain(total)
    const day = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(data.buckets[0].start * 1000))
    expect(plain(el.querySelector('.ap-chart__bar')!.getAttribute('aria-label'))).toContain(plain(day))
    expect(el.querySelector('.ap-chart__toggle')!.textContent).not.toBe('Show as table')
  })
})
