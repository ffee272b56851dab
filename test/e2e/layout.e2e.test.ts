/**
 * Layout in real Chromium, measured rather than eyeballed: what the screenshots once
 * showed wrong (a sideways-scrolling invoice table on a phone, a gap on the dashboard,
 * price rows out of line, stacked dialog buttons, grey pills in the dark nav) stays fixed.
 * Layout is the stylesheet's, the same under every framework: the vanilla page only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Locator, Page } from 'playwright-core'
import { closeBrowsers, launchBrowser } from './browser.js'
import { type DemoServer, startDemoServer } from './demo-server.js'

const WAIT = { timeout: 10_000 }
const PHONE = { width: 375, height: 800 }
const DESKTOP = { width: 1280, height: 900 }

let browser: Browser
let server: DemoServer

beforeAll(async () => {
  ;[browser, server] = await Promise.all([launchBrowser(), startDemoServer()])
})

afterAll(async () => {
  await closeBrowsers()
  await server?.stop()
})

async function open(viewport: { width: number; height: number }, customer: string, view?: 'Invoices' | 'Billing', theme = 'default'): Promise<Page> {
  const context = await browser.newContext({ viewport, reducedMotion: 'reduce' })
  const page = await context.newPage()
  await page.goto(`${server.url}/vanilla?customer=${customer}&theme=${theme}`)
  const portal = page.locator('#customer-portal')
  await portal.locator('.ap-view .ap-card').first().waitFor(WAIT)
  if (view) {
    await portal.getByRole('navigation').getByRole('button', { name: view }).click()
    await portal.getByRole('heading', { level: 1, name: view }).waitFor(WAIT)
  }
  return page
}

async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const found = await locator.boundingBox()
  if (!found) throw new Error(`${locator} has no box: not rendered`)
  return found
}

describe('invoices on a phone', () => {
  it('stack into labelled cards with Status and Details in view, and stay a table for screen readers', async () => {
    const page = await open(PHONE, 'cus_active', 'Invoices')
    try {
      const rows = page.locator('.ap-table--invoices > tbody > tr.ap-invoice')
      await rows.first().waitFor(WAIT)
      const wrap = page.locator('.ap-table-wrap')
      expect(await wrap.evaluate((el) => el.scrollWidth - el.clientWidth), 'the table scrolls sideways').toBeLessThanOrEqual(0)
      const inView = async (target: Locator) => {
        const b = await box(target)
        return b.x >= 0 && b.x + b.width <= PHONE.width
      }
      for (const i of [0, 1, 9]) {
        expect(await inView(rows.nth(i).locator('.ap-badge')), `row ${i}: Status is off-screen`).toBe(true)
        expect(await inView(rows.nth(i).getByRole('button', { name: /^Details of invoice/ })), `row ${i}: Details is off-screen`).toBe(true)
      }
      // Each value shows its column's name beside it (the header row is out of sight).
      const labels = await rows.first().locator(':scope > [data-label]').evaluateAll((cells) => cells.map((c) => getComputedStyle(c, '::before').content))
      expect(labels.map((content) => /^"([^"]*)"/.exec(content)?.[1])).toEqual(['Date', 'Number', 'Amount', 'Status'])

      // Chromium's own accessibility tree: still a table, rows, headers and cells, and a cell
      // is named by its value alone (the drawn label has empty alt text).
      const cdp = await page.context().newCDPSession(page)
      const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: { role?: { value: string }; name?: { value: string } }[] }
      const count = (role: string) => nodes.filter((n) => n.role?.value === role).length
      expect(count('table')).toBe(1)
      expect([count('row'), count('columnheader'), count('rowheader'), count('cell')]).toEqual([11, 5, 10, 40])
      const date = await rows.first().locator(':scope > td').first().innerText()
      expect(nodes.some((n) => n.role?.value === 'cell' && n.name?.value === date)).toBe(true)
    } finally {
      await page.context().close()
    }
  })

  it('on a desktop the same invoices are a table row each, headers in sight', async () => {
    const page = await open(DESKTOP, 'cus_active', 'Invoices')
    try {
      const first = page.locator('.ap-table--invoices > tbody > tr.ap-invoice').first()
      await first.waitFor(WAIT)
      expect(await first.evaluate((el) => getComputedStyle(el).display)).toBe('table-row')
      expect((await box(page.locator('.ap-table--invoices > thead'))).height).toBeGreaterThan(10)
    } finally {
      await page.context().close()
    }
  })
})

describe('dashboard at 1280 px', () => {
  it('plan and upcoming invoice share a row; usage (with its chart) and API keys run full width right under them', async () => {
    const page = await open(DESKTOP, 'cus_active')
    try {
      const card = (title: string) => page.locator('.ap-view--dashboard .ap-card').filter({ has: page.getByRole('heading', { level: 2, name: title, exact: true }) })
      await card('API keys').locator('.ap-key').first().waitFor(WAIT)
      await card('Usage').locator('.ap-chart').waitFor(WAIT)
      const [plan, usage, upcoming, keys] = await Promise.all(['Plan', 'Usage', 'Upcoming invoice', 'API keys'].map((t) => box(card(t))))
      expect(upcoming.y).toBe(plan.y)
      expect(upcoming.height).toBe(plan.height)
      // Each directly under the one before (one grid gap), as wide as the whole row.
      expect(usage.y - (plan.y + plan.height)).toBeLessThanOrEqual(32)
      expect(keys.y - (usage.y + usage.height)).toBeLessThanOrEqual(32)
      for (const wide of [usage, keys]) {
        expect(wide.x).toBe(plan.x)
        expect(Math.abs(wide.x + wide.width - (upcoming.x + upcoming.width))).toBeLessThanOrEqual(1)
      }
    } finally {
      await page.context().close()
    }
  })
})

describe('billing', () => {
  it('Change plan: price rows line up across the plan cards, Current plan badge or Choose', async () => {
    for (const viewport of [DESKTOP, { width: 1000, height: 900 }]) {
      const page = await open(viewport, 'cus_active', 'Billing')
      try {
        const options = page.locator('.ap-plan-option')
        await options.first().waitFor(WAIT)
        const tops = await options.evaluateAll((cards) => cards.map((c) => [...c.querySelectorAll('.ap-price')].map((p) => Math.round(p.getBoundingClientRect().top))))
        const cardTops = await options.evaluateAll((cards) => cards.map((c) => Math.round(c.getBoundingClientRect().top)))
        // Cards on one grid row have the same prices at the same heights.
        const rows = new Map<number, number[][]>()
        tops.forEach((t, i) => rows.set(cardTops[i], [...(rows.get(cardTops[i]) ?? []), t]))
        for (const inRow of rows.values()) for (const t of inRow) expect(t, `${viewport.width} px`).toEqual(inRow[0])
        expect(await page.locator('.ap-plan-option--current .ap-badge').count()).toBe(1)
      } finally {
        await page.context().close()
      }
    }
  })

  it('every field of the billing details stays inside its card on a phone and on a desktop', async () => {
    for (const viewport of [PHONE, DESKTOP]) {
      const page = await open(viewport, 'cus_active', 'Billing')
      try {
        const form = page.locator('.ap-details__form')
        await form.waitFor(WAIT)
        // A select sized by its longest option (a country's name) once widened the form's grid past the card.
        const outside = await form.evaluate((el) => {
          const card = el.closest('.ap-card')!.getBoundingClientRect()
          return [...el.querySelectorAll<HTMLElement>('input, select, button')]
            .filter((c) => { const r = c.getBoundingClientRect(); return r.left < card.left || r.right > card.right + 0.5 })
            .map((c) => c.getAttribute('autocomplete') ?? c.textContent)
        })
        expect(outside, `${viewport.width} px`).toEqual([])
      } finally {
        await page.context().close()
      }
    }
  })

  it('the cancel dialog lays its two buttons in a row on a desktop; on a phone they fit the screen', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const page = await open(viewport, 'cus_active', 'Billing')
      try {
        await page.getByRole('button', { name: 'Cancel subscription' }).click()
        const dialog = page.getByRole('dialog')
        await dialog.waitFor(WAIT)
        const [keep, cancel] = await Promise.all([box(dialog.getByRole('button', { name: 'Keep subscription' })), box(dialog.getByRole('button', { name: 'Cancel subscription' }))])
        if (viewport === DESKTOP) expect(cancel.y).toBe(keep.y)
        for (const b of [keep, cancel]) expect(b.x >= 0 && b.x + b.width <= viewport.width).toBe(true)
        await page.keyboard.press('Escape')
      } finally {
        await page.context().close()
      }
    }
  })
})

describe('navigation on a phone', () => {
  it('only the current item has a pill, in the light and the dark Midnight theme alike', async () => {
    for (const theme of ['default', 'midnight']) {
      const page = await open(PHONE, 'cus_active', undefined, theme)
      try {
        await page.mouse.move(0, 0)
        const backgrounds = await page.locator('#customer-portal .ap-nav__item').evaluateAll((items) =>
          items.map((item) => [item.textContent, item.getAttribute('aria-current'), getComputedStyle(item).backgroundColor]),
        )
        for (const [name, current, background] of backgrounds) {
          if (current === 'page') expect(background, `${theme}: ${name}`).not.toBe('rgba(0, 0, 0, 0)')
          else expect(background, `${theme}: ${name}`).toBe('rgba(0, 0, 0, 0)')
        }
      } finally {
        await page.context().close()
      }
    }
  })
})
