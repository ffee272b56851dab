/**
 * /headless in real Chromium under the demo's strict CSP: a plan card, usage meter and
 * invoice list built only from the React hooks (demo/pages/headless.tsx), beside the stock
 * <CustomerPortal> given the same client. Changing plan through the custom card's
 * useChangePlan updates the card without a reload.
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

beforeAll(async () => {
  server = await startDemoServer()
  context = await recordingContext(await launchBrowser('react'), server.url, recorder)
  page = await context.newPage()
  const response = await page.goto('/headless?customer=cus_active')
  expect(response?.status()).toBe(200)
})

afterAll(async () => {
  await context?.close()
  await server?.stop()
  await closeBrowsers()
})

const custom = () => page.locator('#headless-custom')
const stock = () => page.locator('#customer-portal')

it('shows the plan, usage and invoices from the hooks beside the stock portal', async () => {
  await expect.poll(() => custom().getByRole('heading', { level: 2, name: 'Pro' }).count(), WAIT).toBe(1)
  await stock().getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor(WAIT)
  expect(await stock().textContent()).toContain('Pro')
  expect(await custom().locator('meter').count()).toBe(1)
  await expect.poll(() => custom().locator('.hl-invoices li').count(), WAIT).toBe(10)
  expect((await seriousA11yViolations(page)).join('\n')).toBe('')
})

it('changes plan through the custom card (useChangePlan) and the card follows without a reload', async () => {
  const url = page.url()
  await custom().getByRole('button', { name: 'Switch to Scale' }).click()
  await custom().getByRole('button', { name: 'Confirm' }).click()
  await custom().getByRole('heading', { level: 2, name: 'Scale' }).waitFor(WAIT)
  expect(page.url()).toBe(url)
  expect(recorder.csp).toEqual([])
  expect(recorder.pageErrors).toEqual([])
})

// TODO(s3-headless): unskip once createPortal takes `client` (issue 14): the stock portal on
// the same client then shows the new plan too, with no reload.
it.skip('the stock portal sharing the client shows the new plan too', async () => {
  await expect.poll(() => stock().textContent(), WAIT).toContain('Scale')
})
