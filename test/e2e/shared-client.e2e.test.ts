/**
 * Two portals on one client, in real Chromium under the demo's strict CSP: the vanilla page
 * of a signed-in customer mounts the customer portal and the pricing portal over one
 * `createPortalClient` (demo/pages/vanilla.ts). They share one session and one request per
 * resource, and a plan changed in the pricing cards shows in the customer portal's
 * dashboard without a reload. (/headless covers the hooks beside a stock portal.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { type Recorder, closeBrowsers, launchBrowser, recordingContext, seriousA11yViolations } from './browser.js'
import { type DemoServer, startDemoServer } from './demo-server.js'

const WAIT = { timeout: 10_000 }
let server: DemoServer
let context: BrowserContext
let page: Page
const recorder: Recorder = { csp: [], pageErrors: [] }
/** Every Portal API request the page makes, as `METHOD /path`. */
const requests: string[] = []

beforeAll(async () => {
  server = await startDemoServer()
  context = await recordingContext(await launchBrowser('vanilla'), server.url, recorder)
  page = await context.newPage()
  page.on('request', (request) => {
    const url = new URL(request.url())
    if (url.pathname.startsWith('/api/portal/')) requests.push(`${request.method()} ${url.pathname}`)
  })
  const response = await page.goto('/vanilla?customer=cus_active')
  expect(response?.status()).toBe(200)
})

afterAll(async () => {
  await context?.close()
  await server?.stop()
  await closeBrowsers()
})

const customer = () => page.locator('#customer-portal')
const pricing = () => page.locator('#pricing-portal')

it('both portals show the same customer from one request per resource', async () => {
  await customer().getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor(WAIT)
  await expect.poll(() => customer().getByText('Pro', { exact: true }).first().isVisible(), WAIT).toBe(true)
  await pricing().getByRole('listitem').filter({ hasText: 'Pro' }).getByRole('button', { name: 'Current plan' }).waitFor(WAIT)
  const reads = requests.filter((request) => request.startsWith('GET '))
  expect(reads).toContain('GET /api/portal/session')
  expect(reads).toContain('GET /api/portal/plans')
  // Each resource once for both portals: one session, not one per portal.
  expect(reads.filter((request, i) => reads.indexOf(request) !== i)).toEqual([])
  expect((await seriousA11yViolations(page)).join('\n')).toBe('')
})

it('a plan changed in the pricing portal shows in the customer portal without a reload', async () => {
  const url = page.url()
  const navigations = await page.evaluate(() => performance.getEntriesByType('navigation').length)
  await pricing().getByRole('button', { name: /^Upgrade: Scale, .*month/ }).click()
  const preview = pricing().getByRole('region', { name: 'Change to Scale' })
  await preview.waitFor(WAIT)
  await preview.getByRole('button', { name: 'Confirm change' }).click()
  await preview.waitFor({ state: 'detached', ...WAIT })
  await pricing().getByRole('listitem').filter({ hasText: 'Scale' }).getByRole('button', { name: 'Current plan' }).waitFor(WAIT)
  // The dashboard's plan card follows the shared account store.
  await expect.poll(() => customer().getByText('Scale', { exact: true }).first().isVisible(), WAIT).toBe(true)
  expect(await customer().getByText('Pro', { exact: true }).count()).toBe(0)
  expect(page.url()).toBe(url)
  expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(navigations)
  expect(recorder.csp).toEqual([])
  expect(recorder.pageErrors).toEqual([])
})
