/**
 * The pricing portal against the real Portal API handler over a seeded SQLite file:
 * a visitor (public plans, no token) and signed-in customers (current plan, changes in
 * place through the billing view's flows).
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Plan, Price } from '../../src/api/types.js'
import { createPricingPortal } from '../../src/pricing.js'
import type { SqliteBilling } from '../../src/server/billing/sqlite.js'
import type { PortalHandle, PricingOptions } from '../../src/types.js'
import { createTestPortal, TEST_APP_ID, TEST_PUBLIC_KEY, type TestPortal } from '../helpers/portal.js'
import { buttonNamed, text, waitFor } from './views/harness.js'

interface Logged {
  method: string
  path: string
  headers: Headers
  body?: unknown
}

interface Mounted {
  /** Handler calls still running: a destroyed portal stops waiting, the handler does not. */
  pending: Set<Promise<unknown>>
  root: HTMLElement
  handle: PortalHandle<PricingOptions>
  server: TestPortal
  requests: Logged[]
  onError: ReturnType<typeof vi.fn>
  announced: string[]
}

let open: Mounted[] = []
afterEach(async () => {
  for (const m of open) {
    m.handle.destroy()
    m.root.remove()
    await Promise.allSettled(m.pending)
    await m.server.close()
  }
  open = []
})

/** Mounts against a fresh seeded engine; `customer` signs in with a minted token. */
async function mount(
  options: Partial<PricingOptions> = {},
  { customer, setup, server: serverOptions }: { customer?: string; setup?: (server: TestPortal) => Promise<void>; server?: Parameters<typeof createTestPortal>[0] } = {},
): Promise<Mounted> {
  const server = createTestPortal(serverOptions)
  await setup?.(server)
  const requests: Logged[] = []
  const pending = new Set<Promise<unknown>>()
  const base = new URL(server.apiUrl).pathname
  const transport = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input))
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined
    requests.push({ method: init?.method ?? 'GET', path: url.pathname.slice(base.length) + url.search, headers: new Headers(init?.headers), body })
    // In process, as test/helpers/portal.ts does; the handler runs to its end even when the
    // portal aborts, so the test waits for it before closing the engine.
    const handled = server.handler(new Request(url, { ...init, signal: undefined }))
    pending.add(handled)
    void handled.then(() => pending.delete(handled), () => pending.delete(handled))
    const signal = init?.signal
    return new Promise<Response>((resolve, reject) => {
      const abort = () => reject(new DOMException('The operation was aborted.', 'AbortError'))
      if (signal?.aborted) return abort()
      signal?.addEventListener('abort', abort, { once: true })
      handled.then(resolve, reject)
    })
  }) as typeof fetch
  const root = document.createElement('div')
  document.body.appendChild(root)
  const onError = vi.fn()
  const token = customer ? await server.token(customer) : undefined
  const handle = createPricingPortal(root, { publicKey: TEST_PUBLIC_KEY, token, apiUrl: server.apiUrl, fetch: transport, locale: 'en-US', onError, ...options })
  const announced: string[] = []
  const live = root.querySelector('[aria-live]')!
  new MutationObserver(() => live.textContent && announced.push(live.textContent)).observe(live, { childList: true, characterData: true, subtree: true })
  const m = { pending, root, handle, server, requests, onError, announced }
  open.push(m)
  return m
}

/** A signed-in customer's portal, once its cards are there. */
async function signedIn(customer: string, setup?: (server: TestPortal) => Promise<void>): Promise<Mounted> {
  const m = await mount({}, { customer, setup })
  await loaded(m.root)
  return m
}

const cards = (root: HTMLElement) => [...root.querySelectorAll<HTMLElement>('.ap-plan-card')]
const cardNamed = (root: HTMLElement, id: string) => root.querySelector<HTMLElement>(`.ap-plan-card[data-plan-id="${id}"]`)
const loaded = (root: HTMLElement) => waitFor(() => cards(root).length > 0 && cards(root))
const engine = (server: TestPortal) => server.billing as SqliteBilling

describe('pricing portal: a visitor', () => {
  it('shows the public plans as cards: price, quotas, features, trial badge, the featured plan', async () => {
    const { root, requests } = await mount()
    const shown = await loaded(root)
    expect(shown.map((c) => c.dataset.planId)).toEqual(['plan_free', 'plan_starter', 'plan_pro', 'plan_scale']) // the hidden plan is not listed
    const starter = cardNamed(root, 'plan_starter')!
    expect(text(starter.querySelector('h3'))).toBe('Starter')
    expect(text(starter)).toContain('For side projects and small teams.')
    expect(text(starter.querySelector('.ap-plan-card__price'))).toBe('$19.00 / month')
    expect(text(starter.querySelector('.ap-plan-card__quotas'))).toBe('50,000 API calls / month')
    expect([...starter.querySelectorAll('.ap-plan-card__features li')].map(text)).toContain('Email support')
    expect(text(starter.querySelector('.ap-plan-card__trial'))).toBe('14-day free trial')
    expect(cardNamed(root, 'plan_scale')!.querySelector('.ap-plan-card__trial')).toBeNull()
    expect(text(cardNamed(root, 'plan_scale')!.querySelector('.ap-plan-card__quotas'))).toBe('Unlimited API calls')
    const pro = cardNamed(root, 'plan_pro')!
    expect(pro.classList.contains('ap-plan-card--featured')).toBe(true)
    expect(text(pro)).toContain('Most popular')
    expect(root.querySelectorAll('.ap-plan-card--featured')).toHaveLength(1)
    // One public request, without an Authorization header.
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /public/${TEST_PUBLIC_KEY}/plans`])
    expect(requests[0].headers.has('authorization')).toBe(false)
  })

  it('hands the chosen plan and price to onSelect', async () => {
    const onSelect = vi.fn<(selection: { plan: Plan; price: Price }) => void>()
    const { root } = await mount({ onSelect })
    await loaded(root)
    const cta = buttonNamed(cardNamed(root, 'plan_pro')!, 'Start free trial: Pro, $49.00 / month')!
    expect(text(cta)).toBe('Start free trial')
    cta.click()
    expect(onSelect).toHaveBeenCalledTimes(1)
    const { plan, price } = onSelect.mock.calls[0][0]
    expect(plan.id).toBe('plan_pro')
    expect(price).toMatchObject({ period: 'month', amount: 4900, currency: expect.stringMatching(/^usd$/i) })
    expect(buttonNamed(cardNamed(root, 'plan_scale')!, /^Get started: Scale/)).toBeDefined()
  })

  it('links to signupHref with plan and price added, keeping its own query and fragment', async () => {
    const { root } = await mount({ signupHref: '/signup?ref=pricing#form', period: 'year' })
    await loaded(root)
    const link = cardNamed(root, 'plan_scale')!.querySelector<HTMLAnchorElement>('a.ap-button')!
    const plans = await open[0].server.billing.listPublicPlans(TEST_PUBLIC_KEY)
    const yearly = plans.data.find((p) => p.id === 'plan_scale')!.prices.find((p) => p.period === 'year')!
    expect(link.getAttribute('href')).toBe(`/signup?ref=pricing&plan=plan_scale&price=${encodeURIComponent(yearly.id)}#form`)
    expect(link.getAttribute('aria-label')).toBe('Get started: Scale, $1,990.00 / year')
  })

  it('without onSelect or signupHref, asks the backend for a checkout URL and goes there', async () => {
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => undefined)
    try {
      const { root, requests } = await mount()
      await loaded(root)
      buttonNamed(cardNamed(root, 'plan_scale')!, /^Get started: Scale/)!.click()
      await waitFor(() => assign.mock.calls.length === 1)
      expect(requests.at(-1)).toMatchObject({ method: 'POST', path: `/public/${TEST_PUBLIC_KEY}/checkout` })
      expect(requests.at(-1)!.headers.get('idempotency-key')).toBeTruthy()
      expect(assign.mock.calls[0][0]).toMatch(/\/checkout\?key=pk_demo&price=/)
    } finally {
      assign.mockRestore()
    }
  })

  it('switches monthly / yearly through a radio group that shows the saving', async () => {
    const { root } = await mount()
    await loaded(root)
    const group = root.querySelector<HTMLElement>('[role="radiogroup"]')!
    expect(group.getAttribute('aria-label')).toBe('Billing period')
    const [month, year] = [...group.querySelectorAll<HTMLButtonElement>('[role="radio"]')]
    expect(text(month)).toBe('Monthly')
    // 190.00 a year against 12 × 19.00: 16.7 % saved, for every paid plan.
    expect(text(year)).toBe('Yearly Save 17%')
    expect([month.getAttribute('aria-checked'), year.getAttribute('aria-checked')]).toEqual(['true', 'false'])
    expect([month.tabIndex, year.tabIndex]).toEqual([0, -1])

    year.click()
    const pro = () => cardNamed(root, 'plan_pro')!
    expect(text(pro().querySelector('.ap-plan-card__price'))).toBe('$490.00 / year')
    expect(text(pro().querySelector('.ap-plan-card__saving'))).toBe('Save 17%')
    const checked = () => root.querySelector<HTMLElement>('[role="radio"][aria-checked="true"]')!
    expect(checked().dataset.apFocus).toBe('period-year')

    // Arrow keys move and select; focus follows to the re-rendered radio.
    checked().focus()
    checked().dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }))
    expect(checked().dataset.apFocus).toBe('period-month')
    expect(document.activeElement).toBe(checked())
    expect(text(pro().querySelector('.ap-plan-card__price'))).toBe('$49.00 / month')
    expect(pro().querySelector('.ap-plan-card__saving')).toBeNull()
  })

  it('starts on the period option, and update({ period }) switches it', async () => {
    const { root, handle } = await mount({ period: 'year' })
    await loaded(root)
    expect(text(cardNamed(root, 'plan_starter')!.querySelector('.ap-plan-card__price'))).toBe('$190.00 / year')
    handle.update({ period: 'month' })
    expect(text(cardNamed(root, 'plan_starter')!.querySelector('.ap-plan-card__price'))).toBe('$19.00 / month')
  })

  it('filters and orders plans by the plans option, and featuredPlanId overrides the featured flag', async () => {
    const { root, handle, requests } = await mount({ plans: ['plan_scale', 'nope', 'plan_starter'], featuredPlanId: 'plan_scale' })
    expect((await loaded(root)).map((c) => c.dataset.planId)).toEqual(['plan_scale', 'plan_starter'])
    expect(cardNamed(root, 'plan_scale')!.classList.contains('ap-plan-card--featured')).toBe(true)
    handle.update({ plans: ['plan_free', 'plan_pro'], featuredPlanId: undefined })
    expect(cards(root).map((c) => c.dataset.planId)).toEqual(['plan_free', 'plan_pro'])
    expect(cardNamed(root, 'plan_pro')!.classList.contains('ap-plan-card--featured')).toBe(true)
    expect(requests).toHaveLength(1) // options re-render; they do not reload
  })

  // Issue 13, stumble 4: a typo used to show "No plans are available right now." and say nothing.
  it('reports unknown ids in plans and featuredPlanId once, as invalid_config through onError and a console warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const { root, handle, onError } = await mount({ plans: ['plan_pro', 'plan_prO'], featuredPlanId: 'plan_skale' })
      expect((await loaded(root)).map((c) => c.dataset.planId)).toEqual(['plan_pro'])
      const message = 'Unknown plan ids in plans / featuredPlanId: plan_prO, plan_skale'
      expect(onError).toHaveBeenCalledExactlyOnceWith({ code: 'invalid_config', message })
      expect(handle.error.get()).toEqual({ code: 'invalid_config', message })
      expect(warn).toHaveBeenCalledExactlyOnceWith(message)
      handle.update({ period: 'year' }) // a re-render reports nothing new
      expect(onError).toHaveBeenCalledTimes(1)
      handle.update({ plans: ['plan_free'], featuredPlanId: 'plan_free' })
      handle.update({ plans: ['plan_frree'], featuredPlanId: 'plan_free' })
      await waitFor(() => onError.mock.calls.length === 2)
      expect(onError.mock.lastCall?.[0]).toEqual({ code: 'invalid_config', message: 'Unknown plan ids in plans / featuredPlanId: plan_frree' })
      expect(text(root.querySelector('.ap-empty'))).not.toBe('')
    } finally {
      warn.mockRestore()
    }
  })

  it('formats prices in the plan’s own currency and the locale: a JPY plan, and de-DE', async () => {
    const addYen = async (server: TestPortal) => {
      await engine(server).createPlan(TEST_APP_ID, {
        id: 'plan_yen',
        name: 'Tokyo',
        quotas: { api_calls: 1_000_000 },
        prices: [{ period: 'month', amount: 3000, currency: 'JPY' }],
      })
    }
    const en = await mount({ plans: ['plan_yen', 'plan_starter'] }, { setup: addYen })
    await loaded(en.root)
    const yen = cardNamed(en.root, 'plan_yen')!
    expect(text(yen.querySelector('.ap-plan-card__price'))).toBe('¥3,000 / month') // JPY has no minor unit
    expect(text(yen.querySelector('.ap-plan-card__quotas'))).toBe('1,000,000 API calls / month')
    // Starter has both periods, so the toggle shows; alone, the monthly-only plan needs none.
    expect(en.root.querySelector('[role="radiogroup"]')).not.toBeNull()
    en.handle.update({ plans: ['plan_yen'] })
    expect(en.root.querySelector('[role="radiogroup"]')).toBeNull()

    const de = await mount({ plans: ['plan_yen', 'plan_starter'], locale: 'de-DE' }, { setup: addYen })
    await loaded(de.root)
    expect(text(cardNamed(de.root, 'plan_yen')!.querySelector('.ap-plan-card__price'))).toMatch(/^3\.000 ¥/)
    expect(text(cardNamed(de.root, 'plan_yen')!.querySelector('.ap-plan-card__quotas'))).toMatch(/^1\.000\.000 /)
    expect(text(cardNamed(de.root, 'plan_starter')!.querySelector('.ap-plan-card__price'))).toMatch(/^19,00 \$/)
    // The shipped German table: the toggle, the quota line.
    expect(text(de.root.querySelector('[role="radio"]'))).toBe('Monatlich')
    expect(text(cardNamed(de.root, 'plan_yen')!.querySelector('.ap-plan-card__quotas'))).toBe('1.000.000 API calls / Monat')
  })

  it('names quotas by the backend’s metric names, not guesses from their ids', async () => {
    const setup = async (server: TestPortal) => {
      await engine(server).createMetric(TEST_APP_ID, { key: 'gpu_s', name: 'Seconds of GPU time', unit: 'seconds' })
      await engine(server).createPlan(TEST_APP_ID, { id: 'plan_gpu', name: 'GPU', quotas: { gpu_s: 3_600, api_calls: null }, prices: [{ period: 'month', amount: 900, currency: 'USD' }] })
    }
    const { root } = await mount({ plans: ['plan_gpu'] }, { setup })
    const [card] = await loaded(root)
    expect([...card.querySelectorAll('.ap-plan-card__quotas li')].map(text)).toEqual(['Unlimited API calls', '3,600 Seconds of GPU time / month'])
  })

  it('renders server text as text', async () => {
    const payload = '<img src=x onerror="window.__pwned=1">'
    const setup = async (server: TestPortal) => {
      await engine(server).createPlan(TEST_APP_ID, {
        id: 'plan_xss',
        name: payload,
        description: payload,
        features: [payload],
        prices: [{ period: 'month', amount: 100, currency: 'USD' }],
      })
    }
    const { root } = await mount({ plans: ['plan_xss'] }, { setup })
    const [card] = await loaded(root)
    expect(text(card.querySelector('h3'))).toBe(payload)
    expect(card.querySelector('img')).toBeNull()
  })

  it('shows an unknown public key as an error with Retry, and calls onError with not_found', async () => {
    const { root, onError, requests } = await mount({ publicKey: 'pk_nope' })
    const alert = await waitFor(() => root.querySelector<HTMLElement>('[role="alert"]'))
    expect(text(alert)).toContain('We couldn’t load the plans.')
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError.mock.calls[0][0]).toMatchObject({ code: 'not_found', status: 404 })
    buttonNamed(alert, 'Retry')!.click()
    await waitFor(() => onError.mock.calls.length === 2)
    expect(requests.filter((r) => r.path === '/public/pk_nope/plans')).toHaveLength(2)
  })

  it('recovers when update() gives the right public key', async () => {
    const { root, handle } = await mount({ publicKey: 'pk_nope' })
    await waitFor(() => root.querySelector('[role="alert"]'))
    handle.update({ publicKey: TEST_PUBLIC_KEY })
    expect((await loaded(root)).length).toBe(4)
    expect(root.querySelector('[role="alert"]')).toBeNull()
  })
})

describe('pricing portal: a signed-in customer', () => {
  it('marks the current plan and labels the others as upgrades or downgrades', async () => {
    // A visitor who signs in: update({ token }) switches to the customer's plans.
    const { root, server, requests, handle } = await mount()
    await loaded(root)
    handle.update({ token: await server.token('cus_active') })
    await waitFor(() => root.querySelector('.ap-plan-card--current'))
    const pro = cardNamed(root, 'plan_pro')!
    expect(text(pro.querySelector('.ap-plan-card__head'))).toContain('Current plan')
    const current = pro.querySelector<HTMLButtonElement>('.ap-plan-card__actions button')!
    expect(text(current)).toBe('Current plan')
    expect(current.disabled).toBe(true)
    expect(text(cardNamed(root, 'plan_scale')!.querySelector('.ap-plan-card__actions button'))).toBe('Upgrade')
    expect(text(cardNamed(root, 'plan_starter')!.querySelector('.ap-plan-card__actions button'))).toBe('Downgrade')
    // No trial for a customer who already subscribes.
    expect(root.querySelector('.ap-plan-card__trial')).toBeNull()
    const authed = requests.filter((r) => r.headers.get('authorization')?.startsWith('Bearer '))
    expect(authed.map((r) => r.path).sort()).toEqual(['/plans', '/session'])
    expect(requests).toHaveLength(3)
  })

  it('previews an upgrade, then confirms it in place', async () => {
    const { root, server, announced, requests } = await signedIn('cus_active')
    buttonNamed(cardNamed(root, 'plan_scale')!, /^Upgrade: Scale/)!.click()
    const preview = await waitFor(() => root.querySelector<HTMLElement>('.ap-preview'))
    expect(text(preview.querySelector('h3'))).toBe('Change to Scale')
    expect(text(preview)).toContain('The change applies now.')
    expect(text(preview.querySelector('.ap-preview__due'))).toMatch(/^\$\d[\d,]*\.\d\d$/)
    expect(document.activeElement).toBe(preview.querySelector('h3'))
    buttonNamed(preview, 'Confirm change')!.click()
    await waitFor(() => cardNamed(root, 'plan_scale')?.classList.contains('ap-plan-card--current'))
    expect(root.querySelector('.ap-preview')).toBeNull()
    // The confirm button is gone: focus lands on the new plan's heading (its action is the disabled "Current plan").
    await waitFor(() => document.activeElement === cardNamed(root, 'plan_scale')!.querySelector('h3'))
    const session = await server.billing.getSession({ appId: TEST_APP_ID, customUid: 'cus_active' })
    expect(session.plan?.id).toBe('plan_scale')
    await waitFor(() => announced.includes('Your plan is now Scale.'))
    // Confirm sent the preview's moment, and the change was priced as of it.
    const { body } = requests.find((r) => r.method === 'POST' && r.path === '/subscription')!
    expect(body).toEqual({ price_id: 'price_scale_month', proration_date: expect.any(Number) })
    const [newest] = (await server.billing.listInvoices({ appId: TEST_APP_ID, customUid: 'cus_active' }, { limit: 1 })).data
    const { lines } = await server.billing.getInvoice({ appId: TEST_APP_ID, customUid: 'cus_active' }, newest.id)
    expect(lines![0].period?.start).toBe((body as { proration_date: number }).proration_date)
  })

  it("offers only the changes the server allows: no Downgrade under changePlan: 'upgrades_only'", async () => {
    const m = await mount({}, { customer: 'cus_active', server: { handler: { features: { changePlan: 'upgrades_only' } } } })
    await loaded(m.root)
    await waitFor(() => buttonNamed(cardNamed(m.root, 'plan_scale')!, /^Upgrade: Scale/))
    expect(buttonNamed(cardNamed(m.root, 'plan_starter')!, /^Downgrade/)).toBeUndefined()
    expect(cardNamed(m.root, 'plan_starter')!.querySelector('button')).toBeNull()
  })

  it('schedules a downgrade for the period end, and undoes it', async () => {
    const { root, server, announced, requests } = await signedIn('cus_active')
    buttonNamed(cardNamed(root, 'plan_starter')!, /^Downgrade: Starter/)!.click()
    const preview = await waitFor(() => root.querySelector<HTMLElement>('.ap-preview'))
    expect(text(preview.querySelector('.ap-preview__effective'))).toMatch(/^The change applies on .+, at the end of your billing period\.$/)
    buttonNamed(preview, 'Confirm change')!.click()
    const note = await waitFor(() => cardNamed(root, 'plan_starter')!.querySelector<HTMLElement>('.ap-plan-card__scheduled'))
    const undo = buttonNamed(note, 'Undo the change to Starter')!
    await waitFor(() => document.activeElement === undo) // focus follows the change to its Undo
    const scope = { appId: TEST_APP_ID, customUid: 'cus_active' }
    const { subscription } = await server.billing.getSession(scope)
    expect(text(note.querySelector('p'))).toMatch(/^Starts on /)
    expect(subscription?.scheduled_change).not.toBeNull()
    expect(cardNamed(root, 'plan_pro')!.classList.contains('ap-plan-card--current')).toBe(true) // still on Pro until then

    undo.click()
    await waitFor(() => !cardNamed(root, 'plan_starter')!.querySelector('.ap-plan-card__scheduled'))
    expect(document.activeElement).toBe(cardNamed(root, 'plan_starter')!.querySelector('.ap-plan-card__actions button')) // back on Downgrade
    expect(requests.some((r) => r.method === 'DELETE' && r.path === '/subscription/scheduled-change')).toBe(true)
    expect((await server.billing.getSession(scope)).subscription?.scheduled_change).toBeNull()
    expect(text(cardNamed(root, 'plan_starter')!.querySelector('.ap-plan-card__actions button'))).toBe('Downgrade')
    await waitFor(() => announced.includes('The scheduled change is undone. You stay on Pro.'))
  })

  it('starts a trial without a card for a customer with no subscription', async () => {
    const { root, server, requests } = await signedIn('cus_new', async (s) => {
      await engine(s).createCustomer(TEST_APP_ID, { customUid: 'cus_new', email: 'new@example.com' })
    })
    expect(text(cardNamed(root, 'plan_pro')!.querySelector('.ap-plan-card__trial'))).toBe('14-day free trial')
    buttonNamed(cardNamed(root, 'plan_pro')!, /^Start free trial: Pro/)!.click()
    const preview = await waitFor(() => root.querySelector<HTMLElement>('.ap-preview'))
    expect(text(preview.querySelector('.ap-preview__due'))).toBe('$0.00')
    buttonNamed(preview, 'Confirm change')!.click()
    await waitFor(() => cardNamed(root, 'plan_pro')?.classList.contains('ap-plan-card--current'))
    const { subscription } = await server.billing.getSession({ appId: TEST_APP_ID, customUid: 'cus_new' })
    expect(subscription).toMatchObject({ status: 'trialing', plan_id: 'plan_pro' })
    expect(requests.some((r) => r.path.startsWith('/payment-methods'))).toBe(false)
  })

  it('asks for a payment method first when a paid plan needs one, then previews and confirms', async () => {
    const { root, server, requests } = await signedIn('cus_free')
    buttonNamed(cardNamed(root, 'plan_starter')!, /^Upgrade: Starter/)!.click()
    const form = await waitFor(() => root.querySelector<HTMLFormElement>('.ap-pricing__needs-card form'))
    expect(text(root.querySelector('.ap-pricing__needs-card .ap-notice'))).toBe('Starter is a paid plan. Add a payment method first; you confirm the change next.')
    expect(root.querySelector('.ap-preview')).toBeNull()
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/subscription/preview', '/payment-methods/setup'])
    form.requestSubmit()
    const preview = await waitFor(() => root.querySelector<HTMLElement>('.ap-preview'))
    expect(root.querySelector('.ap-pricing__needs-card')).toBeNull()
    buttonNamed(preview, 'Confirm change')!.click()
    await waitFor(() => cardNamed(root, 'plan_starter')?.classList.contains('ap-plan-card--current'))
    const scope = { appId: TEST_APP_ID, customUid: 'cus_free' }
    expect((await server.billing.listPaymentMethods(scope)).data).toHaveLength(1)
    expect((await server.billing.getSession(scope)).plan?.id).toBe('plan_starter')
  })

  it('relies on the preview’s needs_card: a trial switch needs no card, a paid start does', async () => {
    const server = createTestPortal()
    try {
      const plans = await server.billing.listPublicPlans(TEST_PUBLIC_KEY)
      const monthly = (id: string) => plans.data.find((p) => p.id === id)!.prices.find((p) => p.period === 'month')!.id
      const preview = (customUid: string, plan: string) => server.billing.previewSubscriptionChange({ appId: TEST_APP_ID, customUid }, monthly(plan))
      expect((await preview('cus_free', 'plan_starter')).needs_card).toBe(true)
      expect((await preview('cus_trialing', 'plan_scale')).needs_card).toBe(false) // the trial runs on
      expect((await preview('cus_active', 'plan_starter')).needs_card).toBe(false) // scheduled, nothing charged now
    } finally {
      await server.close()
    }
  })

  it('goes back to the card when the customer gives up adding a payment method', async () => {
    const { root } = await signedIn('cus_free')
    const cta = buttonNamed(cardNamed(root, 'plan_starter')!, /^Upgrade: Starter/)!
    cta.click()
    const panel = await waitFor(() => root.querySelector<HTMLElement>('.ap-pricing__needs-card'))
    buttonNamed(panel, 'Cancel')!.click()
    expect(root.querySelector('.ap-pricing__needs-card')).toBeNull()
    expect(document.activeElement?.getAttribute('data-ap-focus')).toBe(cta.getAttribute('data-ap-focus'))
  })

  it('shows the expired panel at the token’s exp, and a new token brings the plans back', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] })
    try {
      const { root, handle, server, onError } = await signedIn('cus_active')
      await vi.advanceTimersByTimeAsync(3600_000) // the minted token's lifetime, no request needed
      expect(handle.state.get()).toEqual({ status: 'expired' })
      expect(text(root.querySelector('.ap-session-panel h1'))).toBe('Your session has expired')
      expect(cards(root)).toHaveLength(0)
      expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'session_expired' }))
      handle.update({ token: await server.token('cus_active') })
      expect(handle.state.get()).toEqual({ status: 'active' })
      await waitFor(() => root.querySelector('.ap-plan-card--current'))
      expect(root.querySelector('.ap-session-panel')).toBeNull()
    } finally {
      vi.useRealTimers()
    }
  })

  it('signs out to the public plans when the token is taken away', async () => {
    const { root, handle, requests } = await signedIn('cus_active')
    handle.update({ token: undefined })
    await waitFor(() => !root.querySelector('.ap-plan-card--current') && cards(root).length === 4 && root.querySelector('.ap-plan-card__trial'))
    expect(requests.at(-1)).toMatchObject({ path: `/public/${TEST_PUBLIC_KEY}/plans` })
    expect(handle.state.get()).toEqual({ status: 'active' })
  })
})

describe('pricing portal: options and lifecycle', () => {
  it('throws a TypeError naming the option', () => {
    const el = document.createElement('div')
    const ok: PricingOptions = { publicKey: 'pk_demo' }
    const bad = (options: unknown, target: unknown = el) => () => createPricingPortal(target as HTMLElement, options as PricingOptions)
    expect(bad(ok, null)).toThrow(/createPricingPortal\(el, options\): el must be an HTMLElement/)
    expect(bad({})).toThrow(/publicKey must be a non-empty string/)
    expect(bad({ publicKey: '' })).toThrow(/publicKey/)
    expect(bad({ ...ok, period: 'week' })).toThrow(/period must be "month" or "year"/)
    expect(bad({ ...ok, plans: 'pro' })).toThrow(/plans must be an array of plan ids/)
    expect(bad({ ...ok, plans: ['pro', 3] })).toThrow(/plans must be an array of plan ids/)
    expect(bad({ ...ok, signupHref: 'javascript:alert(1)' })).toThrow(/signupHref must be an http\(s\) or relative URL/)
    expect(bad({ ...ok, onSelect: 'go' })).toThrow(/onSelect must be a function/)
    expect(bad({ ...ok, title: 5 })).toThrow(/title must be a string/)
    expect(bad({ ...ok, token: 'not-a-jwt' })).toThrow(/token/)
    expect(bad({ ...ok, config: 5 })).toThrow(/config must be an object/)
    expect(el.childElementCount).toBe(0)
  })

  it('sets config colours as custom properties on its root, and update({ config }) changes them', async () => {
    const { root, handle } = await mount({ config: { primary: '#1c1c1c', accent: 'rebeccapurple' } })
    const portal = root.querySelector<HTMLElement>('.ap-portal')!
    expect(portal.style.getPropertyValue('--ap-primary')).toBe('#1c1c1c')
    expect(portal.style.getPropertyValue('--ap-accent')).toBe('rebeccapurple')
    handle.update({ config: { primary: '#ffffff' } })
    // Applied whole once the colour maths' chunk is in.
    await vi.waitFor(() => expect(portal.style.getPropertyValue('--ap-primary')).toBe('#ffffff'))
    expect(portal.style.getPropertyValue('--ap-accent')).toBe('')
  })

  it('update() validates too, and leaves the portal as it was on a bad option', async () => {
    const { root, handle } = await mount()
    await loaded(root)
    expect(() => handle.update({ period: 'week' as 'month' })).toThrow(/period/)
    expect(cards(root)).toHaveLength(4)
  })

  it('shows the title and description as the section’s heading', async () => {
    const { root, handle } = await mount({ title: 'Pricing', description: 'Pay for what you use.' })
    await loaded(root)
    const section = root.querySelector<HTMLElement>('section.ap-pricing')!
    expect(text(root.querySelector('h2.ap-pricing__title'))).toBe('Pricing')
    expect(section.getAttribute('aria-label')).toBe('Pricing')
    expect(text(root.querySelector('.ap-pricing__description'))).toBe('Pay for what you use.')
    handle.update({ title: undefined, description: undefined })
    expect(root.querySelector('.ap-pricing__title')).toBeNull()
    expect(section.getAttribute('aria-label')).toBe('Plans')
  })

  it('update({ locale }) loads that locale’s strings and re-renders in it', async () => {
    const { root, handle, requests } = await mount()
    await loaded(root)
    handle.update({ locale: 'fr-FR' })
    await waitFor(() => text(root.querySelector('[role="radio"]')) === 'Mensuel')
    expect(text(cardNamed(root, 'plan_starter')!.querySelector('.ap-plan-card__price'))).toMatch(/^19,00 \$/)
    expect(root.querySelector('.ap-portal')!.getAttribute('lang')).toBe('fr-FR')
    expect(requests).toHaveLength(2) // a remount loads once more
  })

  it('destroy() removes the DOM and stops requests in flight', async () => {
    const { root, handle } = await mount()
    handle.destroy()
    expect(root.childElementCount).toBe(0)
    handle.update({ period: 'year' }) // a no-op after destroy
    expect(root.childElementCount).toBe(0)
  })
})
