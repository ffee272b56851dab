/**
 * Issue 17 end to end, once per framework, on the demo as `npm start` serves it (strict
 * CSP, real Chromium): editing billing details then seeing them on a new invoice,
 * recovering a past-due customer with Pay now, a billing-only portal (the demo's seller
 * controls switch), and a deep link with syncUrl through back and forward. Axe-clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { type Recorder, closeBrowsers, launchBrowser, recordingContext, seriousA11yViolations, FRAMEWORKS } from './browser.js'
import { type DemoServer, startDemoServer } from './demo-server.js'

const WAIT = { timeout: 10_000 }

afterAll(async () => {
  await closeBrowsers()
})

const portal = (page: Page) => page.locator('#customer-portal')
const heading = (page: Page, name: string) => portal(page).getByRole('heading', { level: 1, name })
const navTo = async (page: Page, name: string) => {
  await portal(page).getByRole('navigation').getByRole('button', { name }).click()
  await heading(page, name).waitFor(WAIT)
}
const accessible = async (page: Page) => expect.soft((await seriousA11yViolations(page)).join('\n'), 'serious or critical axe violations').toBe('')

describe.each(FRAMEWORKS)('%s', (framework) => {
  let server: DemoServer
  let context: BrowserContext
  const recorder: Recorder = { csp: [], pageErrors: [] }

  beforeAll(async () => {
    server = await startDemoServer()
    context = await recordingContext(await launchBrowser(framework), server.url, recorder)
  })

  afterAll(async () => {
    await context?.close()
    await server?.stop()
    expect(recorder.csp).toEqual([])
    expect(recorder.pageErrors).toEqual([])
  })

  async function open(customer: string, query = '', view = 'Dashboard'): Promise<Page> {
    const page = await context.newPage()
    await page.goto(`/${framework}?customer=${customer}${query}`)
    await heading(page, view).waitFor(WAIT)
    return page
  }

  it('edits the billing details, then a new invoice carries them', async () => {
    const page = await open('cus_active', '&open=billing-details', 'Billing')
    const form = portal(page).locator('.ap-details form')
    await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name), WAIT).toBe('name')
    await form.getByLabel('Name', { exact: true }).fill('Ada Lovelace Ltd')
    await form.getByLabel('Country').selectOption('DE')
    await form.getByLabel('Street address').fill('Unter den Linden 1')
    await form.getByLabel('City').fill('Berlin')
    await form.getByLabel('Postal code').fill('10117')
    await form.getByLabel('Tax ID', { exact: true }).fill('DE12')
    await form.getByRole('button', { name: 'Save billing details' }).click()
    // The server's refusal lands on the field.
    await expect.poll(() => form.getByLabel('Tax ID', { exact: true }).getAttribute('aria-invalid'), WAIT).toBe('true')
    await accessible(page)
    await form.getByLabel('Tax ID', { exact: true }).fill('DE123456789')
    await form.getByRole('button', { name: 'Save billing details' }).click()
    await form.getByText('Billing details saved.').waitFor(WAIT)

    // A plan change issues an invoice, which keeps the details of its moment.
    const plans = portal(page).locator('.ap-plan-options')
    await plans.getByRole('button', { name: /^Choose Scale at .+ \/ month$/ }).click()
    await portal(page).getByRole('button', { name: 'Confirm change' }).click()
    await portal(page).locator('.ap-plan-option--current').getByRole('heading', { name: 'Scale' }).waitFor(WAIT)
    await navTo(page, 'Invoices')
    await portal(page).locator('tr.ap-invoice').first().getByRole('button', { name: /^Details/ }).click()
    const billTo = portal(page).locator('.ap-bill-to').first()
    await billTo.waitFor(WAIT)
    await expect.poll(() => billTo.textContent()).toContain('Ada Lovelace Ltd')
    expect(await billTo.textContent()).toContain('EU VAT number: DE123456789')
    await accessible(page)
    await page.close()
  })

  it('recovers a past-due customer: Update payment method, then Pay now', async () => {
    const page = await open('cus_past_due')
    const banner = portal(page).locator('.ap-banner')
    await banner.waitFor(WAIT)
    await accessible(page)
    await banner.getByRole('button', { name: 'Pay now' }).click()
    await banner.getByText('Your card was declined.').waitFor(WAIT)
    await banner.getByRole('button', { name: 'Update payment method' }).click()
    await heading(page, 'Billing').waitFor(WAIT)
    // A working card, not made the default: the open invoice stays until Pay now.
    const form = portal(page).locator('form').filter({ has: page.locator('input[value="pm_card_visa"]') })
    await form.waitFor(WAIT)
    await form.getByRole('button', { name: 'Add card' }).click()
    // The declining card goes; the new one takes over as the default without charging.
    await portal(page).getByRole('button', { name: 'Remove Visa ending in 0341' }).click()
    await portal(page).getByRole('dialog').getByRole('button', { name: 'Remove' }).click()
    await expect.poll(() => portal(page).locator('.ap-method').count(), WAIT).toBe(1)
    const billingBanner = portal(page).locator('.ap-banner')
    await billingBanner.getByRole('button', { name: 'Pay now' }).click()
    await expect.poll(() => billingBanner.count(), WAIT).toBe(0)
    await portal(page).locator('.ap-card').filter({ hasText: 'Subscription' }).getByText('Active').waitFor(WAIT)
    await page.close()
  })

  it('a billing-only portal: no plan changes, no cancel, no API keys', async () => {
    const page = await open('cus_active', '&controls=billing-only')
    await portal(page).locator('.ap-plan__name').waitFor(WAIT)
    expect(await portal(page).getByRole('heading', { name: 'API keys' }).count()).toBe(0)
    await navTo(page, 'Billing')
    await portal(page).getByRole('heading', { name: 'Payment methods' }).waitFor(WAIT)
    await portal(page).getByRole('heading', { name: 'Billing details' }).waitFor(WAIT)
    expect(await portal(page).getByRole('heading', { name: 'Change plan' }).count()).toBe(0)
    expect(await portal(page).getByRole('button', { name: 'Cancel subscription' }).count()).toBe(0)
    await accessible(page)
    await page.close()
  })

  it('a deep link with syncUrl: the flow opens, back and forward follow the hash, through flows opened in the view too', async () => {
    const page = await open('cus_active', '&open=cancel&sync=1', 'Billing')
    const hash = () => new URL(page.url()).hash
    const dialog = portal(page).getByRole('dialog')
    await dialog.waitFor(WAIT)
    expect(hash()).toBe('#billing/cancel')
    // Closing the flow leaves it: the entry is the view's now.
    await dialog.getByRole('button', { name: 'Keep subscription' }).click()
    await expect.poll(hash).toBe('#billing')
    await navTo(page, 'Invoices')
    expect(hash()).toBe('#invoices')
    await page.goBack()
    await heading(page, 'Billing').waitFor(WAIT)
    expect(hash()).toBe('#billing')
    expect(await dialog.count()).toBe(0)
    await page.goForward()
    await heading(page, 'Invoices').waitFor(WAIT)

    // A flow the customer opens in the view is an entry of its own: back closes it, forward
    // reopens it, Escape steps back off it (no dead entry: one more back is the invoices).
    await navTo(page, 'Billing')
    await portal(page).getByRole('button', { name: 'Cancel subscription' }).click()
    await dialog.waitFor(WAIT)
    await expect.poll(hash).toBe('#billing/cancel')
    await page.goBack()
    await dialog.waitFor({ state: 'detached', ...WAIT })
    expect(hash()).toBe('#billing')
    await page.goForward()
    await dialog.waitFor(WAIT)
    expect(hash()).toBe('#billing/cancel')
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached', ...WAIT })
    await expect.poll(hash).toBe('#billing')
    // Choosing a price: its preview is the entry; back closes it.
    await portal(page).getByRole('button', { name: /^Choose Scale/ }).first().click()
    const preview = portal(page).getByRole('region', { name: /^Change to Scale/ })
    await preview.waitFor(WAIT)
    await expect.poll(hash).toMatch(/^#billing\/change-plan\/price_scale_/)
    await page.goBack()
    await preview.waitFor({ state: 'detached', ...WAIT })
    expect(hash()).toBe('#billing')
    await page.goBack()
    await heading(page, 'Invoices').waitFor(WAIT)
    await page.goForward()
    await heading(page, 'Billing').waitFor(WAIT)
    // A shared link opens where it points.
    const shared = await context.newPage()
    await shared.goto(`/${framework}?customer=cus_active&sync=1#billing/change-plan/price_pro_year`)
    await portal(shared).getByRole('heading', { name: /^Change to Pro/ }).waitFor(WAIT)
    await accessible(shared)
    await shared.close()
    await page.close()
  })
})
