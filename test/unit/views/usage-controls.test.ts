/**
 * The spend cap and the usage alerts (src/views/usage/controls.ts) on the real Portal API
 * handler through a real client: what the customer sets is what the server keeps.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { UsageMeter } from '../../../src/api/types.js'
import type { PortalClient } from '../../../src/client.js'
import { createFormatters } from '../../../src/i18n/format.js'
import { usageControlsEn } from '../../../src/i18n/messages-usage-controls.js'
import { addEnglish, createTranslator } from '../../../src/i18n/translate.js'
import { html } from '../../../src/views/usage/chart.js'
import { capText, renderSpendCap, renderUsageAlerts, type UsageControlsContext } from '../../../src/views/usage/controls.js'
import { setup, until, type Setup } from '../headless/support.js'

let t: Setup
let life: AbortController
beforeEach(() => {
  t = setup()
  life = new AbortController()
  addEnglish(usageControlsEn)
})
afterEach(async () => {
  life.abort()
  await t.close()
})

async function mount(draw: (ctx: UsageControlsContext, meter: UsageMeter, client: PortalClient) => HTMLElement) {
  const client = await t.client('cus_active')
  const session = (await until(client.stores.account, (s) => s.status === 'ready')).data!
  const announced: string[] = []
  const ctx: UsageControlsContext = { stores: client.stores, flows: client.flows, t: createTranslator('en'), format: createFormatters('en'), announce: (m) => announced.push(m), signal: life.signal, html }
  const el = draw(ctx, session.usage[0], client)
  document.body.replaceChildren(el)
  return { el, client, announced }
}

const settle = (ms = 50) => new Promise((r) => setTimeout(r, ms))
async function waitFor<T>(probe: () => T | null | undefined | false, ms = 3000): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const value = probe()
    if (value) return value
    if (Date.now() > until) throw new Error('waitFor timed out')
    await settle(10)
  }
}

describe('spend cap', () => {
  test('"allow up to $X over": minor units reach the server, the status says it, and it is announced', async () => {
    const { el, client, announced } = await mount((ctx, meter) => renderSpendCap(meter, 'usd', ctx))
    expect(el.querySelector('.ap-cap__status')!.textContent).toBe('No cap: overage is billed at the plan’s price.')
    const amount = el.querySelector<HTMLInputElement>('input[type="number"]')!
    amount.value = '12.5'
    amount.dispatchEvent(new Event('input'))
    expect(el.querySelector<HTMLInputElement>('input[value="allow"]')!.checked).toBe(true)
    ;(el as HTMLFormElement).requestSubmit()
    await waitFor(() => announced.includes('Spend cap saved.'))
    expect(el.querySelector('.ap-cap__status')!.textContent).toBe('Stops at $12.50 of overage.')
    const report = await client.api.usage({ metric: 'api_calls' })
    expect(report.spend_limit).toEqual({ max_overage_amount: 1_250, currency: 'USD' })
  })

  test('"stop at my quota" sends null', async () => {
    const { el, client, announced } = await mount((ctx, meter) => renderSpendCap(meter, 'usd', ctx))
    el.querySelector<HTMLInputElement>('input[value="stop"]')!.checked = true
    ;(el as HTMLFormElement).requestSubmit()
    await waitFor(() => announced.includes('Spend cap saved.'))
    expect(el.querySelector('.ap-cap__status')!.textContent).toBe('Stops at the quota.')
    expect((await client.api.usage({ metric: 'api_calls' })).spend_limit).toMatchObject({ max_overage_amount: null })
  })

  test('a negative amount is refused in place, with nothing sent', async () => {
    const { el, announced } = await mount((ctx, meter) => renderSpendCap(meter, 'usd', ctx))
    const amount = el.querySelector<HTMLInputElement>('input[type="number"]')!
    amount.value = '-3'
    amount.dispatchEvent(new Event('input'))
    ;(el as HTMLFormElement).requestSubmit()
    await settle()
    expect(el.querySelector('[role="alert"]')!.textContent).toBe('Enter an amount of 0 or more.')
    expect(announced).toEqual(['Enter an amount of 0 or more.'])
    expect(t.count('POST', /^\/usage-limits$/)).toBe(0)
  })

  test('the server’s refusal is shown as text (a metric the plan lacks)', async () => {
    const { el } = await mount((ctx, meter) => renderSpendCap({ ...meter, metric: 'no_such_metric' }, 'usd', ctx))
    el.querySelector<HTMLInputElement>('input[value="stop"]')!.checked = true
    ;(el as HTMLFormElement).requestSubmit()
    const shown = await waitFor(() => el.querySelector('[role="alert"]')!.textContent)
    expect(shown).toMatch(/no_such_metric/)
  })

  test('capText: none, at the quota, up to an amount', () => {
    const ctx = { t: createTranslator('en'), format: createFormatters('en') }
    expect(capText(undefined, ctx)).toMatch(/^No cap/)
    expect(capText({ max_overage_amount: null, currency: 'usd' }, ctx)).toBe('Stops at the quota.')
    expect(capText({ max_overage_amount: 2_000, currency: 'jpy' }, ctx)).toBe('Stops at ¥2,000 of overage.')
  })
})

describe('usage alerts', () => {
  test('empty, add at 80 % of the quota, listed with a Remove named after it, removed', async () => {
    const { el, client, announced } = await mount((ctx, meter) => renderUsageAlerts(meter.metric, ctx))
    await waitFor(() => el.querySelector('.ap-alerts__list')!.textContent === 'No alerts yet.')
    const [threshold, of] = el.querySelectorAll('select')
    expect(threshold.getAttribute('aria-label')).toBe('Threshold')
    expect([...threshold.options].map((o) => o.value)).toEqual(['50', '80', '100'])
    expect(threshold.value).toBe('80')
    expect(of.value).toBe('quota')
    el.querySelector('form')!.requestSubmit()
    await waitFor(() => announced.includes('Alert added.'))
    const item = await waitFor(() => el.querySelector('.ap-alerts__item'))
    expect(item.querySelector('span')!.textContent).toBe('At 80% of the quota')
    const remove = item.querySelector('button')!
    expect(remove.getAttribute('aria-label')).toBe('Remove the alert: At 80% of the quota')
    expect((await client.api.usageAlerts()).data).toMatchObject([{ threshold_percent: 80, of: 'quota' }])
    remove.click()
    await waitFor(() => announced.includes('Alert removed.'))
    expect(el.querySelector('.ap-alerts__item')).toBeNull()
    expect((await client.api.usageAlerts()).data).toEqual([])
  })

  test('an alert on the cap without a cap: the server’s reason, as text', async () => {
    const { el } = await mount((ctx, meter) => renderUsageAlerts(meter.metric, ctx))
    el.querySelectorAll('select')[1].value = 'cap'
    el.querySelector('form')!.requestSubmit()
    const shown = await waitFor(() => el.querySelector('.ap-alerts > [role="alert"]')!.textContent)
    expect(shown).toMatch(/No spend limit is set/)
  })

  test('leaving (the signal) stops following the store', async () => {
    const { el, client } = await mount((ctx, meter) => renderUsageAlerts(meter.metric, ctx))
    await waitFor(() => el.querySelector('.ap-alerts__list')!.textContent === 'No alerts yet.')
    life.abort()
    await client.api.createUsageAlert({ metric: 'api_calls', threshold_percent: 50, of: 'quota' })
    await client.stores.usageAlerts.reload()
    expect(el.querySelector('.ap-alerts__item')).toBeNull()
  })
})
