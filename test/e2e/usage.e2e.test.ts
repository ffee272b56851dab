/**
 * Issue 18 end to end, per front end: cus_active's usage chart on the dashboard (the seeded
 * month), its table, a spend cap the API-key guard then enforces (429 spend_limit_reached on
 * the demo's `/v1/echo`), and an alert whose `onUsageAlert` the demo server prints. Writes
 * the chart's screenshots, light and dark, at 1280 and 375 px (docs/screenshots/ keeps copies).
 */
import { copyFileSync, mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Recorder, closeBrowsers, elementScreenshot, launchBrowser, recordingContext, SCREENSHOT_DIR, seriousA11yViolations, FRAMEWORKS } from './browser.js'
import { type DemoServer, startDemoServer } from './demo-server.js'

const WAIT = { timeout: 10_000 }
const root = resolve(import.meta.dirname, '../..')

afterAll(() => closeBrowsers())

describe.each(FRAMEWORKS)('%s', (framework) => {
  let server: DemoServer
  let context: BrowserContext
  const recorder: Recorder = { csp: [], pageErrors: [] }

  beforeAll(async () => {
    server = await startDemoServer()
    // E2E_CHROMIUM may give this front end its own Chromium, as in the other suites.
    context = await recordingContext(await launchBrowser(framework), server.url, recorder)
  })
  afterAll(async () => {
    await context?.close()
    await server?.stop()
  })

  async function dashboard(theme = 'default'): Promise<Page> {
    const page = await context.newPage()
    await page.goto(`/${framework}?customer=cus_active&theme=${theme}`)
    await page.locator('#customer-portal').getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor(WAIT)
    return page
  }
  const chart = (page: Page) => page.locator('#customer-portal .ap-chart')

  /** A key of cus_active's, made through the Portal API as the portal's Create key does. */
  async function apiKey(): Promise<string> {
    const { data } = await (await fetch(`${server.url}/token?customer=cus_active`)).json()
    const made = await fetch(`${server.url}/api/portal/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${data.token}`, 'content-type': 'application/json', 'idempotency-key': `e2e-${Date.now()}` },
      body: JSON.stringify({ name: 'e2e' }),
    })
    return (await made.json()).secret
  }
  const echo = (key: string) => fetch(`${server.url}/v1/echo?message=hi`, { headers: { authorization: `Bearer ${key}` } })

  it('draws the seeded month: bars named by day and value, the summary, the quota line and the forecast; axe clean', async () => {
    const page = await dashboard()
    await chart(page).waitFor(WAIT)
    const summary = await chart(page).locator('.ap-chart__summary').textContent()
    expect(summary).toMatch(/^200,000 calls this period, on track for [\d,]+; the quota is 250,000\./)
    expect(await chart(page).locator('[role="img"][aria-labelledby]').count()).toBe(1)
    expect(await chart(page).locator('.ap-chart__bar').count()).toBeGreaterThanOrEqual(10)
    expect(await chart(page).locator('.ap-chart__quota').count()).toBe(1)
    expect(await chart(page).locator('.ap-chart__forecast').count()).toBe(1)
    // The last bar is the tab stop; Home moves to the first day, named by its value.
    await chart(page).locator('.ap-chart__bar[tabindex="0"]').focus()
    await page.keyboard.press('Home')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/^\w{3} \d{1,2}: [\d,]+ calls$/)
    expect((await seriousA11yViolations(page)).join('\n')).toBe('')
    await page.close()
  })

  it('"Show as table" shows the same numbers; the previous period is one click away', async () => {
    const page = await dashboard()
    await chart(page).getByRole('button', { name: 'Show as table' }).click()
    const cells = await chart(page).locator('table tbody td').allTextContents()
    const bars = await chart(page).locator('.ap-chart__bar').evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')!.split(': ')[1].replace(' calls', '')))
    expect(cells).toEqual(bars)
    expect(cells.reduce((sum, cell) => sum + Number(cell.replace(/,/g, '')), 0)).toBe(200_000)
    await chart(page).getByRole('button', { name: 'Show as chart' }).click()
    await chart(page).getByRole('button', { name: 'Previous period' }).click()
    await chart(page).locator('.ap-chart__summary', { hasText: 'in the previous period' }).waitFor(WAIT)
    expect(await chart(page).locator('.ap-chart__summary').textContent()).toBe('231,400 calls in the previous period; the quota was 250,000.')
    await page.close()
  })

  it('screenshots of the chart, light and dark, at 1280 and 375 px', async () => {
    for (const theme of ['default', 'midnight']) {
      const page = await dashboard(theme)
      await chart(page).waitFor(WAIT)
      for (const width of [1280, 375]) {
        const name = `usage-chart-${theme === 'default' ? 'light' : 'dark'}-${width}`
        await elementScreenshot(page, page.locator('#customer-portal .ap-card--usage-wide'), `${framework}-${name}`, width)
        if (framework === 'vanilla') {
          mkdirSync(resolve(root, 'docs/screenshots'), { recursive: true })
          copyFileSync(resolve(SCREENSHOT_DIR, `${framework}-${name}.png`), resolve(root, `docs/screenshots/${name}.png`))
        }
      }
      await page.close()
    }
  })

  it('an alert at 80 % of the quota: listed, and the next metered call fires onUsageAlert', async () => {
    const page = await dashboard()
    const alerts = page.locator('#customer-portal .ap-alerts')
    await alerts.getByRole('button', { name: 'Add alert' }).click()
    await alerts.getByText('At 80% of the quota').waitFor(WAIT)
    expect(server.output()).not.toMatch(/usage alert:/)
    expect((await echo(await apiKey())).status).toBe(200)
    const deadline = Date.now() + 8_000
    while (!/usage alert: cus_active reached 80% of the quota on api_calls/.test(server.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(server.output()).toMatch(/usage alert: cus_active reached 80% of the quota on api_calls \(200001 of 250000\)/)
    await page.close()
  })

  it('"Stop at my quota": at the quota the guard refuses with 429 spend_limit_reached', async () => {
    const page = await dashboard()
    const cap = page.locator('#customer-portal .ap-cap')
    await cap.getByLabel('Stop at my quota').check()
    await cap.getByRole('button', { name: 'Save cap' }).click()
    await cap.getByText('Stops at the quota.').waitFor(WAIT)
    // Another engine on the same file (a second instance, as in production) fills the quota.
    const { openSqliteBilling } = await import(pathToFileURL(resolve(root, 'dist/server.js')).href)
    const other = openSqliteBilling({ filename: server.dbFile })
    const { used } = await other.check({ appId: 'app_demo', customUid: 'cus_active' }, 'api_calls', { amount: 0 })
    await other.track({ appId: 'app_demo', customUid: 'cus_active' }, 'api_calls', 250_000 - used)
    await other.close?.()
    // A fresh key and the guard's 5 s cache of the customer's usage past: it sees the quota reached.
    await new Promise((r) => setTimeout(r, 5_500))
    const refused = await echo(await apiKey())
    expect(refused.status).toBe(429)
    expect((await refused.json()).error.code).toBe('spend_limit_reached')
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(refused.headers.get('ratelimit-policy')).toBe('"api_calls";q=250000')
    await page.close()
    expect(recorder.csp).toEqual([])
    expect(recorder.pageErrors).toEqual([])
  }, 30_000)
})
