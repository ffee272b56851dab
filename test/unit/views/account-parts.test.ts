/**
 * The account's parts (billing details card, failed-payment banner, Pay on an invoice,
 * bill-to block) rendered from a real client's stores and flows over the real handler.
 * Each part gets the context a view hands it; the portal-level wiring is in account.test.ts.
 */
import { atom } from 'nanostores'
import { afterEach, describe, expect, test, vi } from 'vitest'
import type { BillingDetails, Invoice, List, PortalFeatures } from '../../../src/api/types.js'
import { createPortalClient } from '../../../src/headless.js'
import { createFormatters } from '../../../src/i18n/format.js'
import { accountEn } from '../../../src/i18n/messages-account.js'
import { addEnglish, createTranslator, loadLocale } from '../../../src/i18n/translate.js'
import { paymentBanner } from '../../../src/views/account/banner.js'
import { billToBlock } from '../../../src/views/account/bill-to.js'
import type { AccountContext } from '../../../src/views/account/context.js'
import { billingDetailsCard } from '../../../src/views/account/details-card.js'
import { payInvoiceButton } from '../../../src/views/account/pay.js'
import { taxIdTypesFor } from '../../../src/views/account/tax.js'
import { withKit } from '../../../src/views/parts/core-kit.js'
import * as accountChunk from '../../../src/views/account/banner.js'
import { createTestPortal, type TestPortal } from '../../helpers/portal.js'
import { buttonNamed, text, waitFor } from './harness.js'

interface Mounted {
  el: HTMLElement
  server: TestPortal
  ctx: AccountContext
  announced: string[]
  /** The Portal API as the customer (for arranging and checking). */
  call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function mount(customer: string, make: (ctx: AccountContext) => HTMLElement, options: { locale?: string; features?: Omit<Partial<PortalFeatures>, 'plans'> } = {}): Promise<Mounted> {
  const locale = options.locale ?? 'en-US'
  // What loading the chunks does (the core's helpers, their `english` lists).
  withKit(accountChunk)
  addEnglish(accountEn)
  await loadLocale(locale)
  const server = createTestPortal({ handler: options.features ? { features: options.features } : {} })
  const token = await server.token(customer)
  const client = createPortalClient({ token, apiUrl: server.apiUrl, fetch: server.fetch })
  const life = new AbortController()
  const announced: string[] = []
  const ctx = {
    client,
    t: createTranslator(locale),
    format: createFormatters(locale),
    announce: (message: string) => announced.push(message),
    report: vi.fn(),
    confirm: async () => true,
    navigate: vi.fn(),
    options: atom({ config: {}, locale }),
    signal: life.signal,
  } as unknown as AccountContext
  const el = make(ctx)
  document.body.appendChild(el)
  cleanups.push(async () => {
    life.abort()
    client.destroy()
    el.remove()
    await server.close()
  })
  const call = async <T>(method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` }
    if (body !== undefined) headers['content-type'] = 'application/json'
    const answer = await server.fetch(`${server.apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    return { status: answer.status, body: (await answer.json()) as T }
  }
  return { el, server, ctx, announced, call }
}

const input = (el: HTMLElement, name: string) => el.querySelector<HTMLInputElement & HTMLSelectElement>(`[name="${name}"]`)!
function type(el: HTMLElement, name: string, value: string): void {
  const field = input(el, name)
  field.value = value
  field.dispatchEvent(new Event(field.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }))
}
const options = (select: HTMLSelectElement) => [...select.options].map((o) => o.value)

describe('billing details card', () => {
  test('shows the stored details, saves an edit with a tax ID, and announces it', async () => {
    const m = await mount('cus_active', billingDetailsCard)
    const form = await waitFor(() => m.el.querySelector('form'))
    expect(input(form, 'name').value).toBe('Ada Lovelace')
    expect(input(form, 'email').value).toBe('ada@example.com')
    // The country is a select of ISO codes, named in the portal's language.
    const country = input(form, 'address.country')
    expect(country.tagName).toBe('SELECT')
    expect(text([...country.options].find((o) => o.value === 'DE'))).toBe('Germany')
    expect(country.options.length).toBe(250)

    type(form, 'name', 'Ada Lovelace Ltd')
    type(form, 'address.country', 'DE')
    type(form, 'address.line1', 'Unter den Linden 1')
    type(form, 'address.city', 'Berlin')
    type(form, 'address.postal_code', '10117')
    expect(options(input(form, 'tax_ids[0].type'))).toEqual(['eu_vat'])
    type(form, 'tax_ids[0].value', 'DE123456789')
    buttonNamed(form, 'Save billing details')!.click()

    await waitFor(() => m.announced.includes('Billing details saved.'))
    const stored = (await m.call<BillingDetails>('GET', '/customer')).body
    expect(stored).toMatchObject({
      name: 'Ada Lovelace Ltd',
      address: { line1: 'Unter den Linden 1', line2: null, city: 'Berlin', postal_code: '10117', state: null, country: 'DE' },
      tax_ids: [{ type: 'eu_vat', value: 'DE123456789' }],
    })
    expect(text(form.querySelector('.ap-form__status'))).toBe('Billing details saved.')
  })

  test('a refusal the server pins on a field is shown on that field, which takes focus', async () => {
    const m = await mount('cus_active', billingDetailsCard)
    const form = await waitFor(() => m.el.querySelector('form'))
    type(form, 'address.country', 'GB')
    type(form, 'address.line1', '12 Analytical Row')
    type(form, 'address.city', 'London')
    type(form, 'tax_ids[0].value', 'GB12')
    buttonNamed(form, 'Save billing details')!.click()

    const value = input(form, 'tax_ids[0].value')
    await waitFor(() => value.getAttribute('aria-invalid') === 'true')
    const error = form.querySelector<HTMLElement>(`#${value.getAttribute('aria-describedby')}`)!
    expect(error.hidden).toBe(false)
    expect(text(error)).toMatch(/tax_ids\[0\]\.value.*GB then 9 or 12 digits/)
    expect(document.activeElement).toBe(value)
    expect(m.announced.at(-1)).toMatch(/^Check the highlighted field: /)
    expect((await m.call<BillingDetails>('GET', '/customer')).body.tax_ids).toEqual([])

    // Fixed and saved: the field is clean again.
    type(form, 'tax_ids[0].value', 'GB123456789')
    buttonNamed(form, 'Save billing details')!.click()
    await waitFor(() => m.announced.includes('Billing details saved.'))
    expect(value.hasAttribute('aria-invalid')).toBe(false)
    expect(error.hidden).toBe(true)
  })

  test('the tax ID types follow the country; countries are named in the portal’s language', async () => {
    expect(taxIdTypesFor('FR')).toEqual(['eu_vat'])
    expect(taxIdTypesFor('CH')).toEqual(['ch_vat'])
    expect(taxIdTypesFor('US')).toEqual(['us_ein'])
    expect(taxIdTypesFor('SG')).toHaveLength(10)
    const m = await mount('cus_active', billingDetailsCard, { locale: 'de-DE' })
    const form = await waitFor(() => m.el.querySelector('form'))
    const country = input(form, 'address.country')
    expect(text([...country.options].find((o) => o.value === 'DE'))).toBe('Deutschland')
    expect(text(form.querySelector('button[type="submit"]'))).toBe('Rechnungsdaten speichern')
    type(form, 'address.country', 'JP')
    expect(options(input(form, 'tax_ids[0].type'))).toEqual(['jp_cn'])
    expect(text(input(form, 'tax_ids[0].type').options[0])).toBe('japanische Unternehmensnummer')
  })
})

describe('bill-to block', () => {
  test('the invoice’s copy of the details, as text, the country named', async () => {
    const m = await mount('cus_active', (ctx) =>
      billToBlock(ctx, {
        name: 'Ada <b>Lovelace</b> Ltd',
        email: 'billing@ada.example',
        address: { line1: '12 Analytical Row', line2: null, city: 'London', postal_code: 'N1 9GU', state: null, country: 'GB' },
        tax_ids: [{ type: 'gb_vat', value: 'GB123456789' }],
      }),
    )
    expect([...m.el.querySelectorAll('.ap-bill-to__line')].map(text)).toEqual(['Ada <b>Lovelace</b> Ltd', 'billing@ada.example', '12 Analytical Row', 'N1 9GU London', 'United Kingdom'])
    expect(m.el.querySelector('b')).toBeNull()
    expect(text(m.el.querySelector('.ap-bill-to__tax'))).toBe('UK VAT number: GB123456789')
    expect(text(m.el.querySelector('.ap-bill-to__title'))).toBe('Bill to')
  })
})

describe('failed-payment banner', () => {
  const banner = (update = vi.fn()) => (ctx: AccountContext) => paymentBanner(ctx, { watchInvoices: true, updatePaymentMethod: update })
  const openInvoice = async (m: Mounted) => (await m.call<List<Invoice>>('GET', '/invoices')).body.data.find((i) => i.status === 'open')!

  test('says what failed; Pay now shows the decline; with a working card it pays and leaves', async () => {
    const update = vi.fn()
    const m = await mount('cus_past_due', banner(update))
    const section = await waitFor(() => m.el.querySelector<HTMLElement>('.ap-banner'))
    const open = await openInvoice(m)
    const amount = m.ctx.format.money(open.total, open.currency)
    expect(text(section.querySelector('h2'))).toBe('Payment failed')
    expect(text(section)).toContain(`We couldn’t collect ${amount} for invoice ${open.number} of ${m.ctx.format.date(open.created)}.`)

    buttonNamed(section, 'Update payment method')!.click()
    expect(update).toHaveBeenCalledOnce()

    buttonNamed(section, 'Pay now')!.click()
    const error = await waitFor(() => section.querySelector<HTMLElement>('.ap-form__error:not([hidden])'))
    expect(text(error)).toBe('Your card was declined.')
    expect(error.getAttribute('role')).toBe('alert')
    expect(m.announced.at(-1)).toBe('Your card was declined.')
    expect(buttonNamed(section, 'Pay now')!.disabled).toBe(false)

    // The customer fixes the card elsewhere (a working card becomes the default without collecting).
    const methods = (await m.call<List<{ id: string; is_default: boolean }>>('GET', '/payment-methods')).body.data
    await m.call('POST', '/payment-methods', { payment_method: 'pm_card_visa', make_default: false })
    await m.call('DELETE', `/payment-methods/${methods.find((x) => x.is_default)!.id}`)

    buttonNamed(section, 'Pay now')!.click()
    await waitFor(() => m.announced.includes(`Invoice ${open.number} is paid.`))
    await waitFor(() => !m.el.querySelector('.ap-banner'))
    expect((await m.call<{ subscription: { status: string } }>('GET', '/session')).body.subscription.status).toBe('active')
  })

  test('nothing is shown when nothing is owed', async () => {
    const m = await mount('cus_active', banner())
    await waitFor(() => m.ctx.client.stores.invoices.get().status === 'ready')
    expect(m.el.querySelector('.ap-banner')).toBeNull()
    expect(m.el.childElementCount).toBe(0)
  })

  test('what the seller turned off is not offered: no Update without payment methods, no invoices read without invoices', async () => {
    const m = await mount('cus_past_due', banner(), { features: { paymentMethods: false, invoices: false } })
    const section = await waitFor(() => m.el.querySelector<HTMLElement>('.ap-banner'))
    expect(text(section)).toContain('Your last payment failed.')
    expect(buttonNamed(section, 'Update payment method')).toBeUndefined()
    expect(buttonNamed(section, 'Pay now')).toBeUndefined()
    expect(m.ctx.client.stores.invoices.lc).toBe(0)
  })
})

describe('Pay on an invoice', () => {
  test('pays an open invoice; a decline is shown beside the button', async () => {
    const m = await mount('cus_past_due', () => document.createElement('div'))
    const open = (await m.call<List<Invoice>>('GET', '/invoices')).body.data.find((i) => i.status === 'open')!
    m.el.append(payInvoiceButton(m.ctx, open))
    const pay = buttonNamed(m.el, `Pay invoice ${open.number}`)!
    expect(text(pay)).toBe('Pay')
    pay.click()
    await waitFor(() => text(m.el.querySelector('.ap-form__error')) === 'Your card was declined.')
    const methods = (await m.call<List<{ id: string; is_default: boolean }>>('GET', '/payment-methods')).body.data
    await m.call('POST', '/payment-methods', { payment_method: 'pm_card_visa', make_default: false })
    await m.call('DELETE', `/payment-methods/${methods.find((x) => x.is_default)!.id}`)
    pay.click()
    await waitFor(() => m.announced.includes(`Invoice ${open.number} is paid.`))
    expect(m.el.querySelector<HTMLElement>('.ap-form__error')!.hidden).toBe(true)
    expect((await m.call<Invoice>('GET', `/invoices/${open.id}`)).body.status).toBe('paid')
  })
})
