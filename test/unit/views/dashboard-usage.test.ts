/**
 * The dashboard's usage card with issue 18's parts, in the mounted portal against the real
 * handler: the chart under the meter (its chunk fetched only for a plan with a metric), the
 * spend cap only where the plan prices overage, the alerts, and a cap that the meter's
 * report follows without losing focus.
 */
import { afterEach, describe, expect, test, vi } from 'vitest'
import { dashboardOf, mountPortal, text, viewEl, waitFor, type Harness } from './harness.js'

let portal: Harness | undefined
afterEach(async () => {
  vi.unstubAllGlobals()
  await portal?.close()
  portal = undefined
})

const mountDashboard = async (customer: string) => dashboardOf((portal = await mountPortal(customer)))

describe('usage card', () => {
  test('cus_active: the chart of the current period under the meter, the cap and the alerts; the card takes its own row', async () => {
    const view = await mountDashboard('cus_active')
    const chart = await waitFor(() => view.querySelector('.ap-meter .ap-chart'))
    expect(chart.getAttribute('aria-label')).toBe('Usage of API calls over time')
    expect(text(chart.querySelector('.ap-chart__summary'))).toMatch(/^200,000 calls this period, on track for [\d,]+; the quota is 250,000\./)
    expect(portal!.count('GET', /^\/usage\?metric=api_calls&period=current&granularity=day$/)).toBe(1)
    expect(view.querySelector('.ap-card--usage-wide')).not.toBeNull()
    const cap = await waitFor(() => view.querySelector('.ap-cap'))
    expect(text(cap.querySelector('legend'))).toBe('Spend cap')
    expect(text(cap.querySelector('.ap-cap__status'))).toBe('No cap: overage is billed at the plan’s price.')
    await waitFor(() => view.querySelector('.ap-alerts__list li'))
    expect(text(view.querySelector('.ap-alerts__list'))).toBe('No alerts yet.')
  })

  test('the previous period: one click, one request, and back without another', async () => {
    const view = await mountDashboard('cus_active')
    const chart = await waitFor(() => view.querySelector('.ap-chart'))
    const previous = [...chart.querySelectorAll<HTMLButtonElement>('.ap-chart__periods button')].find((b) => text(b) === 'Previous period')!
    previous.focus()
    previous.click()
    await waitFor(() => text(view.querySelector('.ap-chart__summary')).includes('previous period'))
    expect(text(view.querySelector('.ap-chart__summary'))).toBe('231,400 calls in the previous period; the quota was 250,000.')
    // Focus stays on the toggle of the period shown.
    expect(document.activeElement?.getAttribute('aria-pressed')).toBe('true')
    expect(text(document.activeElement)).toBe('Previous period')
    ;[...view.querySelectorAll<HTMLButtonElement>('.ap-chart__periods button')].find((b) => text(b) === 'This period')!.click()
    await waitFor(() => text(view.querySelector('.ap-chart__summary')).includes('this period'))
    expect(portal!.count('GET', /^\/usage\?metric=api_calls&period=previous/)).toBe(1)
    expect(portal!.count('GET', /^\/usage\?metric=api_calls&period=current/)).toBe(1)
  })

  test('a cap saved: the account and the report reload, the card’s usage details stay, focus stays on Save', async () => {
    const view = await mountDashboard('cus_active')
    const cap = await waitFor(() => view.querySelector<HTMLFormElement>('.ap-cap'))
    const details = view.querySelector('.ap-usage-details')
    cap.querySelector<HTMLInputElement>('input[value="stop"]')!.checked = true
    const save = cap.querySelector<HTMLButtonElement>('button[type="submit"]')!
    save.focus()
    cap.requestSubmit()
    await waitFor(() => portal!.announced.includes('Spend cap saved.'))
    await waitFor(() => portal!.count('GET', /^\/session$/) >= 2)
    await waitFor(() => !view.querySelector('[aria-busy="true"]'))
    expect(view.querySelector('.ap-cap')).toBe(cap)
    expect(view.querySelector('.ap-usage-details')).toBe(details)
    await waitFor(() => portal!.count('GET', /^\/usage\?/) >= 2)
    expect(text(cap.querySelector('.ap-cap__status'))).toBe('Stops at the quota.')
    expect(document.activeElement).toBe(save)
    expect(portal!.requests.find((r) => r.method === 'POST' && r.path === '/usage-limits')!.body).toEqual({ metric: 'api_calls', max_overage_amount: null })
  })

  test('the chart and the API keys mount once the browser is idle, not in the turn that renders the account (its first paint)', async () => {
    // The browser never idle until the test says so (the shell's idle prefetch waits too).
    const idle: (() => void)[] = []
    vi.stubGlobal('requestIdleCallback', (run: () => void) => idle.push(run))
    vi.stubGlobal('cancelIdleCallback', () => undefined)
    const view = await mountDashboard('cus_active')
    // Both chunks are in (cached by now, so their doors have run): nothing of theirs is drawn or requested yet.
    await Promise.all([import('../../../src/views/usage/chart.js'), import('../../../src/views/dashboard/api-keys-card.js'), import('../../../src/flows/lazy.js').then((m) => m.loadFlows())])
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(text(view.querySelector('.ap-usage-details'))).toBe('Loading…')
    expect(view.querySelector('.ap-chart')).toBeNull()
    expect(portal!.count('GET', /^\/usage\?/)).toBe(0)
    expect(portal!.count('GET', /^\/api-keys/)).toBe(0)
    idle.splice(0).forEach((run) => run())
    await waitFor(() => view.querySelector('.ap-meter .ap-chart') && view.querySelector('.ap-alerts__list li'))
    await waitFor(() => portal!.count('GET', /^\/api-keys/) === 1)
  })

  test('cus_free (no overage priced): the chart and the alerts, no cap to set', async () => {
    const view = await mountDashboard('cus_free')
    await waitFor(() => view.querySelector('.ap-chart'))
    await waitFor(() => view.querySelector('.ap-alerts'))
    expect(view.querySelector('.ap-cap')).toBeNull()
  })

  test('cus_canceled (no live subscription): no chart, no request for usage', async () => {
    const view = await mountDashboard('cus_canceled')
    await new Promise((r) => setTimeout(r, 100))
    expect(view.querySelector('.ap-chart, .ap-usage-details')).toBeNull()
    expect(portal!.count('GET', /^\/usage/)).toBe(0)
  })
})

describe('a backend without usage alerts (stripeBilling answers 404)', () => {
  test('the alerts section hides, and nothing is reported', async () => {
    portal = await mountPortal('cus_active')
    portal.fail('GET', /^\/usage-alerts$/, () => Response.json({ error: { code: 'not_found', message: 'Not found' } }, { status: 404 }))
    const view = viewEl(portal.root, 'dashboard')!
    const alerts = await waitFor(() => view.querySelector<HTMLElement>('.ap-alerts'))
    await waitFor(() => alerts.hidden)
    expect(view.querySelector('.ap-chart')).not.toBeNull()
    expect(portal.onError).not.toHaveBeenCalled()
  })
})
