/**
 * One end-to-end suite, run once per framework: the demo as `npm start` serves it, in
 * real Chromium, under the page's real Content-Security-Policy. Each framework gets its
 * own server over a fresh SQLite file, so its mutations start from the seed.
 */
import { type ExpectStatic, afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page, Response } from 'playwright-core'
import { type Recorder, closeBrowsers, elementScreenshot, launchBrowser, recordingContext, screenshots, seriousA11yViolations, FRAMEWORKS } from './browser.js'
import { type DemoServer, startDemoServer } from './demo-server.js'

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"
/** Long enough for a loaded page and a slow CI machine, short of the test timeout. */
const WAIT = { timeout: 10_000 }

let browser: Browser
const suiteStarted = Date.now()

beforeAll(async () => {
  browser = await launchBrowser()
})

afterAll(async () => {
  await closeBrowsers()
  console.log(`e2e: ${FRAMEWORKS.length} frameworks in ${((Date.now() - suiteStarted) / 1000).toFixed(1)} s`)
})

/** `check`: a concurrent test's own `expect`, which soft assertions need. */
async function expectAccessible(page: Page, check: ExpectStatic = expect): Promise<void> {
  // Soft, so one finding does not hide the flows and findings after it; joined into one
  // string so the failure shows every violation in full.
  check.soft((await seriousA11yViolations(page)).join('\n'), 'serious or critical axe violations').toBe('')
}

/** Screenshots at 1280 and 375 px; the page must not scroll sideways at either width. */
async function shoot(page: Page, name: string, check: ExpectStatic = expect): Promise<void> {
  check.soft(await screenshots(page, name), `${name}: widths at which the page scrolls sideways`).toEqual([])
}

/** The page's customer portal and pricing portal slots. */
const customerPortal = (page: Page) => page.locator('#customer-portal')
const pricingPortal = (page: Page) => page.locator('#pricing-portal')
const viewHeading = (page: Page, name: string) => customerPortal(page).getByRole('heading', { level: 1, name })

async function goToView(page: Page, name: 'Dashboard' | 'Invoices' | 'Billing'): Promise<void> {
  await customerPortal(page).getByRole('navigation').getByRole('link', { name }).or(customerPortal(page).getByRole('navigation').getByRole('button', { name })).click()
  await viewHeading(page, name).waitFor(WAIT)
}

describe.each(FRAMEWORKS)('%s', (framework) => {
  let server: DemoServer
  let context: BrowserContext
  const recorder: Recorder = { csp: [], pageErrors: [] }

  beforeAll(async () => {
    server = await startDemoServer()
    // E2E_CHROMIUM may give this front end its own Chromium (.ci/run: one on the bundled one).
    context = await recordingContext(await launchBrowser(framework), server.url, recorder)
  })

  afterAll(async () => {
    await context?.close()
    await server?.stop()
  })

  async function open(customer: string, query = ''): Promise<{ page: Page; response: Response | null }> {
    const page = await context.newPage()
    const response = await page.goto(`/${framework}?customer=${customer}${query}`)
    if (customer !== 'anonymous') await viewHeading(page, 'Dashboard').waitFor(WAIT)
    return { page, response }
  }

  it('serves the page under the strict Content-Security-Policy', async () => {
    const { page, response } = await open('cus_active')
    expect(response?.status()).toBe(200)
    expect(response?.headers()['content-security-policy']).toBe(CSP)
    const index = await page.goto('/')
    expect(index?.headers()['content-security-policy']).toBe(CSP)
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'Archetype Portals demo' }).isVisible()).toBe(true)
    await expectAccessible(page)
    await shoot(page, `${framework}-index`)
    await page.close()
  })

  // Read-only flows, and mutations of customers no other test touches, run side by side:
  // the two short-token tests spend most of their time waiting.
  it.concurrent('dashboard shows the plan, its status and usage against the quota', async ({ expect }) => {
    const { page } = await open('cus_active')
    const portal = customerPortal(page)
    await expect.poll(() => portal.getByText('Pro', { exact: true }).first().isVisible()).toBe(true)
    await expect.poll(() => portal.getByText('Active', { exact: true }).first().isVisible()).toBe(true)
    const meter = portal.locator('[role="meter"], [role="progressbar"], meter, progress').first()
    await meter.waitFor(WAIT)
    const ratio = await meter.evaluate((el) => {
      const get = (name: string) => Number(el.getAttribute(`aria-value${name}`) ?? (el as HTMLMeterElement)[name === 'now' ? 'value' : name === 'max' ? 'max' : 'min'])
      return (get('now') - get('min')) / (get('max') - get('min'))
    })
    expect(ratio).toBeCloseTo(0.8, 1)
    await expectAccessible(page, expect)
    await shoot(page, `${framework}-dashboard`, expect)
    await elementScreenshot(page, portal, `readme-${framework}-dashboard-desktop`, 1280)

    // Rolling an API key asks first, then shows the new key once.
    await portal.getByRole('button', { name: /^Roll / }).first().click()
    const roll = page.getByRole('dialog')
    await roll.waitFor(WAIT)
    await expectAccessible(page, expect)
    await roll.getByRole('button', { name: 'Roll key' }).click()
    await roll.waitFor({ state: 'detached', ...WAIT })
    await portal.getByText('Copy it now: you won’t see it again.').waitFor(WAIT)
    await expectAccessible(page, expect)
    await shoot(page, `${framework}-dashboard-rolled-key`, expect)
    await portal.getByRole('button', { name: 'I’ve saved it' }).click()

    // A theme from the picker reaches the running portal through `update`, without a remount.
    const heading = await viewHeading(page, 'Dashboard').elementHandle()
    // Custom properties inherit, so the heading sees the value set on the portal's root.
    const primary = () => viewHeading(page, 'Dashboard').evaluate((el) => getComputedStyle(el).getPropertyValue('--ap-primary').trim())
    const before = await primary()
    await page.getByLabel('Theme').selectOption('midnight')
    await expect.poll(primary).toBe('#1c1c1c')
    expect(before).not.toBe('#1c1c1c')
    expect(await heading!.evaluate((el) => el.isConnected)).toBe(true)
    await expectAccessible(page, expect)
    await shoot(page, `${framework}-dashboard-dark`, expect)
    await page.close()
  })

  it.concurrent('dashboard creates an API key that calls the metered API, shows it once, and revokes it', async ({ expect }) => {
    // cus_many_invoices: no other test touches its keys.
    const { page } = await open('cus_many_invoices')
    const portal = customerPortal(page)
    await portal.getByRole('button', { name: 'Create key', exact: true }).first().click()
    const name = portal.getByLabel('Key name')
    await name.waitFor(WAIT)
    await expectAccessible(page, expect)
    await name.fill('E2E key')
    await name.press('Enter')
    await portal.getByText('Copy it now: you won’t see it again.').waitFor(WAIT)
    const secret = (await portal.locator('.ap-reveal__secret').textContent()) ?? ''
    expect(secret).toMatch(/^ak_live_[0-9a-f]{32}$/)
    await portal.getByRole('button', { name: 'Copy the new key' }).waitFor(WAIT)
    await expectAccessible(page, expect)
    await shoot(page, `${framework}-dashboard-created-key`, expect)
    // The new key calls the demo's guarded /v1/echo.
    const echo = () => page.request.get('/v1/echo?message=e2e', { headers: { authorization: `Bearer ${secret}` } })
    expect((await echo()).status()).toBe(200)
    await portal.getByRole('button', { name: 'I’ve saved it' }).click()

    await portal.getByRole('button', { name: 'Revoke E2E key' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.waitFor(WAIT)
    await expectAccessible(page, expect)
    await dialog.getByRole('button', { name: 'Revoke key' }).click()
    await dialog.waitFor({ state: 'detached', ...WAIT })
    await portal.getByRole('button', { name: 'Revoke E2E key' }).waitFor({ state: 'detached', ...WAIT })
    // Revoked on the engine the guard watches: refused at once.
    expect((await echo()).status()).toBe(401)
    await page.close()
  })

  it.concurrent('invoices paginate with "Load more" and expand their lines in place', async ({ expect }) => {
    const { page } = await open('cus_many_invoices')
    await goToView(page, 'Invoices')
    const portal = customerPortal(page)
    const rows = portal.locator('tbody > tr[data-invoice-id]')
    await expect.poll(() => rows.count(), WAIT).toBe(10)
    await portal.getByRole('button', { name: 'Load more' }).click()
    await expect.poll(() => rows.count(), WAIT).toBe(20)

    const details = portal.getByRole('button', { name: /Lines of invoice|Details/ }).first()
    await details.click()
    await expect(details.getAttribute('aria-expanded')).resolves.toBe('true')
    const lines = portal.getByRole('table', { name: /Lines of invoice/ }).first()
    await lines.waitFor(WAIT)
    expect(await lines.locator('tbody tr').count()).toBeGreaterThan(0)
    await expectAccessible(page, expect)
    await shoot(page, `${framework}-invoices`, expect)
    await page.close()
  })

  it.concurrent('pricing toggles the billing period and selects a plan', async ({ expect }) => {
    const { page } = await open('anonymous')
    const pricing = pricingPortal(page)
    const yearly = pricing.getByRole('radio', { name: /Yearly/ }).or(pricing.getByRole('switch')).first()
    await yearly.waitFor(WAIT)
    await expect.poll(() => pricing.getByText(/\/ month/).count()).toBeGreaterThan(0)
    await expectAccessible(page, expect)
    await shoot(page, `${framework}-pricing`, expect)
    await elementScreenshot(page, pricing, `readme-${framework}-pricing-desktop`, 1280)
    await yearly.click()
    await expect.poll(() => pricing.getByText(/\/ year/).count(), WAIT).toBeGreaterThan(0)
    await pricing.getByRole('button', { name: /Starter/ }).or(pricing.getByRole('link', { name: /Starter/ })).first().click()
    await expect.poll(() => page.locator('#demo-selection').textContent(), WAIT).toBe('Selected Starter, billed per year.')
    await page.close()
  })

  it.concurrent('pricing, signed in: a paid plan asks for a card first, then previews and changes the plan', async ({ expect }) => {
    const { page } = await open('cus_free')
    const pricing = pricingPortal(page)
    await pricing.getByRole('button', { name: /^Upgrade: Starter, .*month/ }).click()
    const addCard = pricing.getByRole('region', { name: 'Add a card' })
    await addCard.waitFor(WAIT)
    await expectAccessible(page, expect)
    await shoot(page, `${framework}-pricing-needs-card`, expect)
    await addCard.getByRole('button', { name: 'Add card' }).click()
    const preview = pricing.getByRole('region', { name: 'Change to Starter' })
    await preview.waitFor(WAIT)
    await expectAccessible(page, expect)
    await preview.getByRole('button', { name: 'Confirm change' }).click()
    await preview.waitFor({ state: 'detached', ...WAIT })
    await pricing.getByRole('listitem').filter({ hasText: 'Starter' }).getByRole('button', { name: 'Current plan' }).waitFor(WAIT)
    await page.close()
  })

  it.concurrent('a 5-second token expires to the expired panel, reports session_expired, and a new token resumes', async ({ expect }) => {
    const { page } = await open('cus_trialing', '&ttl=5')
    const expired = customerPortal(page).getByText('Your session has expired')
    await expired.waitFor({ timeout: 12_000 })
    await expect.poll(() => page.locator('#demo-errors li').allTextContents()).toContain('session_expired')
    await expectAccessible(page, expect)
    await shoot(page, `${framework}-expired`, expect)
    await page.getByRole('button', { name: 'Mint a new token' }).click()
    await expired.waitFor({ state: 'detached', ...WAIT })
    await viewHeading(page, 'Dashboard').waitFor(WAIT)
    await goToView(page, 'Invoices')
    await page.close()
  })

  it.concurrent('the "token expires in 30 s" switch mints a short token and hands it over without a remount', async ({ expect }) => {
    const { page } = await open('cus_canceled')
    const heading = await viewHeading(page, 'Dashboard').elementHandle()
    const minted = page.waitForRequest((request) => {
      const url = new URL(request.url())
      return url.pathname === '/token' && url.searchParams.get('ttl') === '30'
    })
    await page.getByRole('switch', { name: /Token expires in 30 s/ }).check()
    await minted
    await expect.poll(() => page.locator('#demo-token-status').textContent(), WAIT).toMatch(/\(in (2\d|30) s\)/)
    expect(await heading!.evaluate((el) => el.isConnected), 'the portal was not remounted').toBe(true)
    await goToView(page, 'Invoices')
    await page.close()
  })

  it.concurrent('with getToken the portal renews the 5-second token without showing the panel', async ({ expect }) => {
    const { page } = await open('cus_past_due', '&ttl=5&renew=1')
    let minted = 0
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/token') minted++
    })
    await page.waitForTimeout(8_000)
    expect(minted, 'the token was renewed').toBeGreaterThan(0)
    expect(minted, 'renewal is not a loop').toBeLessThan(10)
    expect(await customerPortal(page).getByText('Your session has expired').count()).toBe(0)
    expect(await page.locator('#demo-errors li').count()).toBe(0)
    await goToView(page, 'Invoices')
    await page.close()
  })

  // cus_active's billing changes build on each other, and keyboard focus wants a quiet page.
  it('billing adds a sandbox card, makes it the default and removes another', async () => {
    const { page } = await open('cus_active')
    await goToView(page, 'Billing')
    const portal = customerPortal(page)
    await portal.getByRole('heading', { name: 'Payment methods' }).waitFor(WAIT)
    await expectAccessible(page)
    await shoot(page, `${framework}-billing`)
    await elementScreenshot(page, portal, `readme-${framework}-billing-mobile`, 375)

    await portal.getByRole('button', { name: 'Add payment method' }).click()
    const form = portal.getByRole('region', { name: 'Add a card' })
    await form.waitFor(WAIT)
    await form.getByRole('radio', { name: /Amex/ }).check()
    await expectAccessible(page)
    await shoot(page, `${framework}-billing-add-card`)
    await form.getByRole('button', { name: 'Add card' }).click()
    const amex = portal.getByRole('listitem').filter({ hasText: 'Amex ending in 8431' })
    const setDefault = amex.getByRole('button', { name: 'Set as default: Amex ending in 8431' })
    await setDefault.click()
    await setDefault.waitFor({ state: 'detached', ...WAIT })
    await amex.getByText('Default', { exact: true }).waitFor(WAIT)

    const other = portal.getByRole('button', { name: /^Remove (?!Amex)/ }).first()
    const otherName = (await other.getAttribute('aria-label')) ?? ''
    await other.click()
    const dialog = page.getByRole('dialog')
    await dialog.waitFor(WAIT)
    await expectAccessible(page)
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click()
    await dialog.waitFor({ state: 'detached', ...WAIT })
    await portal.getByRole('button', { name: otherName, exact: true }).waitFor({ state: 'detached', ...WAIT })
    await page.close()
  })

  it('billing previews and confirms an upgrade, then schedules and undoes a downgrade', async () => {
    const { page } = await open('cus_active')
    await goToView(page, 'Billing')
    const portal = customerPortal(page)

    await portal.getByRole('button', { name: /^Choose Scale at .*month/ }).click()
    const preview = portal.getByRole('region', { name: 'Change to Scale' })
    await preview.waitFor(WAIT)
    await expect(preview.getByText('Due now').isVisible()).resolves.toBe(true)
    await expect(preview.getByText('The change applies now.').isVisible()).resolves.toBe(true)
    await expectAccessible(page)
    await shoot(page, `${framework}-billing-preview`)
    await preview.getByRole('button', { name: 'Confirm change' }).click()
    await preview.waitFor({ state: 'detached', ...WAIT })
    // Scale is now the current plan: it has no Choose button any more, and Pro has one.
    await portal.getByRole('button', { name: /^Choose Pro at .*month/ }).waitFor(WAIT)
    expect(await portal.getByRole('button', { name: /^Choose Scale at .*month/ }).count()).toBe(0)

    await portal.getByRole('button', { name: /^Choose Starter at .*month/ }).click()
    const downgrade = portal.getByRole('region', { name: 'Change to Starter' })
    await downgrade.getByText(/at the end of your billing period/).waitFor(WAIT)
    await downgrade.getByRole('button', { name: 'Confirm change' }).click()
    const undo = portal.getByRole('button', { name: 'Undo the change to Starter' })
    await undo.waitFor(WAIT)
    await expectAccessible(page)
    await undo.click()
    await undo.waitFor({ state: 'detached', ...WAIT })
    await expect.poll(() => portal.getByText(/scheduled for/).count(), WAIT).toBe(0)
    await page.close()
  })

  it('billing cancels at the period end and resumes', async () => {
    const { page } = await open('cus_active')
    await goToView(page, 'Billing')
    const portal = customerPortal(page)
    await portal.getByRole('button', { name: 'Cancel subscription' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.waitFor(WAIT)
    await dialog.getByRole('radio', { name: /At the end of the period/ }).check()
    await expectAccessible(page)
    await shoot(page, `${framework}-billing-cancel-dialog`)
    await dialog.getByRole('button', { name: 'Cancel subscription' }).click()
    await dialog.waitFor({ state: 'detached', ...WAIT })
    const resume = portal.getByRole('button', { name: 'Resume subscription' })
    await resume.waitFor(WAIT)
    await expect.poll(() => portal.getByText(/Your subscription ends on/).first().isVisible()).toBe(true)
    await resume.click()
    await portal.getByRole('button', { name: 'Cancel subscription' }).waitFor(WAIT)
    await page.close()
  })

  it('keyboard only: every action is reachable by Tab, Enter activates, Escape closes dialogs', async () => {
    const { page } = await open('cus_canceling')
    for (const view of ['Dashboard', 'Invoices', 'Billing'] as const) {
      if (view !== 'Dashboard') {
        await tabUntil(page, (el) => el.name === view && el.inPortal)
        await page.keyboard.press('Enter')
        await viewHeading(page, view).waitFor(WAIT)
        await page.waitForLoadState('networkidle')
      }
      const unreached = await unreachableByTab(page, '#customer-portal')
      expect(unreached, `${view}: controls Tab never reaches`).toEqual([])
    }

    // Billing: open the confirmation from the keyboard; Tab stays inside; Escape closes and returns focus.
    await tabUntil(page, (el) => el.inPortal && /Cancel subscription|Resume subscription/.test(el.name))
    const opener = await page.evaluate(() => document.activeElement?.textContent?.trim())
    if (opener === 'Resume subscription') {
      await page.keyboard.press('Enter')
      await customerPortal(page).getByRole('button', { name: 'Cancel subscription' }).waitFor(WAIT)
      await tabUntil(page, (el) => el.inPortal && el.name === 'Cancel subscription')
    }
    await page.keyboard.press('Enter')
    const dialog = page.getByRole('dialog')
    await dialog.waitFor(WAIT)
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab')
      expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true)
    }
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached', ...WAIT })
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Cancel subscription')
    await page.close()
  })

  it('keyboard only: the pricing portal toggles and selects', async () => {
    const { page } = await open('anonymous')
    await pricingPortal(page).getByRole('button').first().waitFor(WAIT)
    expect(await unreachableByTab(page, '#pricing-portal'), 'pricing controls Tab never reaches').toEqual([])
    await tabUntil(page, (el) => el.inPricing && /Starter/.test(el.name))
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator('#demo-selection').textContent(), WAIT).toMatch(/^Selected Starter/)
    await page.close()
  })

  it('saw no Content-Security-Policy violation and no page error', () => {
    expect(recorder.csp).toEqual([])
    expect(recorder.pageErrors).toEqual([])
  })

  it('stops cleanly on Ctrl-C', async () => {
    await context.close()
    expect(await server.stop(), server.output()).toBe(0)
  })
})

describe('the recorder', () => {
  it('does catch a CSP violation and an axe finding (so zero above means zero)', async () => {
    const server = await startDemoServer()
    const recorder: Recorder = { csp: [], pageErrors: [] }
    const context = await recordingContext(browser, server.url, recorder)
    const page = await context.newPage()
    await page.goto('/')
    await page.evaluate(() => {
      const style = document.createElement('style')
      style.textContent = 'body { color: red }'
      document.head.append(style)
    })
    await expect.poll(() => recorder.csp.map((v) => v.directive)).toContain('style-src-elem')

    // And axe, as the suite runs it, reports a serious violation that is really there.
    await page.evaluate(() => {
      const faint = document.createElement('p')
      faint.textContent = 'Barely readable'
      faint.style.color = '#eeeeee' // CSSOM, which the CSP allows
      document.body.append(faint)
    })
    expect((await seriousA11yViolations(page)).join('\n')).toMatch(/^serious color-contrast/)
    await context.close()
    await server.stop()
  })
})

interface Focused {
  name: string
  inPortal: boolean
  inPricing: boolean
}

/** Presses Tab until the focused element matches; fails after a full lap of the page. */
async function tabUntil(page: Page, match: (el: Focused) => boolean): Promise<void> {
  for (let i = 0; i < 150; i++) {
    await page.keyboard.press('Tab')
    const el = await page.evaluate(() => {
      const active = document.activeElement as HTMLElement | null
      return {
        name: (active?.getAttribute('aria-label') ?? active?.textContent ?? '').trim(),
        inPortal: !!active?.closest('#customer-portal'),
        inPricing: !!active?.closest('#pricing-portal'),
      }
    })
    if (match(el)) return
  }
  throw new Error('Tab never reached the control')
}

/** Widgets with one Tab stop whose members are reached by arrow keys (roving tabindex). */
const COMPOSITE = '[role="radiogroup"], [role="tablist"], [role="menu"], [role="menubar"], [role="listbox"], [role="toolbar"], [role="grid"], [role="tree"]'

/**
 * Tabs once round the whole page and returns the visible, enabled controls inside
 * `scope` that never received focus. A radio group or other composite widget is one Tab
 * stop: reaching any member reaches the group.
 */
async function unreachableByTab(page: Page, scope: string): Promise<string[]> {
  const total = await page.evaluate(
    ({ selector, composite }) => {
      const candidates = document.querySelectorAll<HTMLElement>(`${selector} :is(a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex])`)
      let n = 0
      let groups = 0
      for (const el of candidates) {
        el.removeAttribute('data-e2e-reached')
        el.removeAttribute('data-e2e-control')
        const native = el.matches('a[href], button, input, select, textarea, summary')
        const group = el.closest(composite) ?? (el instanceof HTMLInputElement && el.type === 'radio' && el.name ? el.form ?? el.parentElement?.closest('fieldset') : null)
        // A focus target such as a view heading (tabindex -1, not a control) is not an action.
        if (!native && el.tabIndex < 0 && !group) continue
        const visible = el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'
        const enabled = !(el as HTMLButtonElement).disabled && !el.closest('[inert]')
        if (!visible || !enabled) continue
        el.setAttribute('data-e2e-control', String(n++))
        if (group) {
          if (!group.hasAttribute('data-e2e-group')) group.setAttribute('data-e2e-group', String(groups++))
          el.setAttribute('data-e2e-in-group', group.getAttribute('data-e2e-group')!)
        }
      }
      ;(document.activeElement as HTMLElement | null)?.blur()
      return n
    },
    { selector: scope, composite: COMPOSITE },
  )
  expect(total, `no controls found in ${scope}`).toBeGreaterThan(0)
  await page.evaluate(() => document.querySelectorAll('[data-e2e-lap]').forEach((el) => el.removeAttribute('data-e2e-lap')))
  let leftPage = 0
  for (let i = 0; i < 300; i++) {
    await page.keyboard.press('Tab')
    // Past the last control focus leaves the page, then wraps to the first one; the lap
    // ends when focus comes back to a control already visited.
    const done = await page.evaluate(() => {
      const active = document.activeElement
      if (!active || active === document.body) return 'body'
      if (active.hasAttribute('data-e2e-lap')) return 'revisit'
      active.setAttribute('data-e2e-lap', '')
      const group = active.getAttribute('data-e2e-in-group')
      if (group !== null) for (const member of document.querySelectorAll(`[data-e2e-in-group="${group}"]`)) member.setAttribute('data-e2e-reached', '')
      active.setAttribute('data-e2e-reached', '')
      return 'control'
    })
    if (done === 'revisit' || (done === 'body' && leftPage++ > 1)) break
  }
  return page.evaluate(
    (selector) =>
      [...document.querySelectorAll<HTMLElement>(`${selector} [data-e2e-control]:not([data-e2e-reached])`)].map(
        (el) => `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim()}"`,
      ),
    scope,
  )
}
