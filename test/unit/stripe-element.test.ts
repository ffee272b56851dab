/**
 * The billing view's Stripe card form, through the whole portal against the real handler.
 * Stripe.js is a double injected through `loadStripe` (the documented seam); the setup
 * route answers `{ provider: 'stripe' }` as `stripeBilling` would, and the double's
 * confirmed SetupIntent names a sandbox test card, so `POST /payment-methods` attaches a
 * real card in the SQLite engine and the list really refreshes.
 */
import { afterEach, describe, expect, test, vi } from 'vitest'
import { createPricingPortal } from '../../src/pricing.js'
import type { PortalOptions } from '../../src/types.js'
import { createTestPortal, TEST_PUBLIC_KEY } from '../helpers/portal.js'
import { colorMaths } from '../../src/theme/color.js'
import { colorParts, DARK_TEXT, LIGHT_TEXT } from '../../src/theme/syntax.js'
import { STRIPE_LOAD_TIMEOUT_MS, stripeAppearance as appearanceWith, type ComputedLook, type StripeAppearance } from '../../src/views/billing/stripe-element.js'
import { buttonNamed, mountPortal, text, waitFor, type Harness } from './views/harness.js'

const CLIENT_SECRET = 'seti_123_secret_456'
const PK = 'pk_test_portal'

let portal: Harness | undefined
afterEach(async () => {
  vi.useRealTimers()
  await portal?.close()
  portal = undefined
})

type ConfirmResult = { error?: { type: string; code?: string; message: string }; setupIntent?: { id: string; status: string; payment_method: string | null } }

/** Stripe.js, as far as the form uses it: elements() -> create('payment') -> mount(); confirmSetup(). */
function stripeJsDouble(confirm: () => ConfirmResult = () => ({ setupIntent: { id: 'seti_123', status: 'succeeded', payment_method: 'pm_card_mastercard' } })) {
  const calls = {
    elements: [] as { clientSecret: string; appearance: StripeAppearance }[],
    created: [] as string[],
    mountedIn: [] as HTMLElement[],
    destroyed: 0,
    confirmSetup: [] as { elements: unknown; redirect: string; confirmParams?: { return_url?: string } }[],
  }
  const elements = {
    create(type: string) {
      calls.created.push(type)
      return {
        mount(host: HTMLElement) {
          calls.mountedIn.push(host)
          host.appendChild(document.createElement('div')).className = 'stripe-double-frame'
        },
        destroy() {
          calls.destroyed += 1
        },
      }
    },
  }
  const stripe = {
    elements(options: { clientSecret: string; appearance: StripeAppearance }) {
      calls.elements.push(options)
      return elements
    },
    async confirmSetup(options: (typeof calls.confirmSetup)[number]) {
      calls.confirmSetup.push(options)
      return confirm()
    },
  }
  return { stripe, elements, calls, loadStripe: vi.fn(async (_pk: string): Promise<unknown> => stripe) }
}

/** The billing view of `customer`, with the setup route answering as a Stripe backend does. */
async function billing(customer: string, options: Partial<PortalOptions> = {}) {
  portal = await mountPortal(customer, { view: 'billing', stripePubKey: PK, ...options })
  portal.fail('POST', /^\/payment-methods\/setup$/, () => Response.json({ provider: 'stripe', client_secret: CLIENT_SECRET }))
  const view = portal.root.querySelector<HTMLElement>('.ap-view--billing')!
  await waitFor(() => buttonNamed(view, 'Add payment method') && view.querySelector('.ap-methods'))
  return view
}

const methods = (view: HTMLElement) => [...view.querySelectorAll('.ap-method')].map((m) => text(m.querySelector('.ap-method__card')) + (m.querySelector('.ap-badge') ? ' (default)' : ''))

async function openForm(view: HTMLElement): Promise<HTMLElement> {
  buttonNamed(view, 'Add payment method')!.click()
  return waitFor(() => view.querySelector<HTMLElement>('.ap-add-method .ap-panel'))
}

const submitOf = (panel: HTMLElement) => buttonNamed(panel, 'Add card')!

describe('the Stripe Payment Element', () => {
  test('is loaded only once the setup answers stripe, and mounts with the SetupIntent and the portal’s look', async () => {
    const double = stripeJsDouble()
    const view = await billing('cus_active', { loadStripe: double.loadStripe, config: { primary: '#0a2540', tertiary: '#fafafa' } })
    expect(double.loadStripe).not.toHaveBeenCalled()

    const panel = await openForm(view)
    await waitFor(() => !submitOf(panel).disabled)
    expect(double.loadStripe).toHaveBeenCalledExactlyOnceWith(PK)
    expect(double.calls.created).toEqual(['payment'])
    expect(double.calls.mountedIn).toEqual([panel.querySelector('.ap-stripe-element')])
    const [{ clientSecret, appearance }] = double.calls.elements
    expect(clientSecret).toBe(CLIENT_SECRET)
    expect(appearance.theme).toBe('stripe')
    expect(appearance.variables).toMatchObject({ colorPrimary: '#0a2540', colorBackground: '#fafafa', colorText: '#111111' })
    expect(appearance.variables.fontFamily).not.toBe('')
    expect(appearance.variables.borderRadius).not.toBe('')
  })

  test('confirms the card, attaches what Stripe returned, makes it default on request and refreshes the list', async () => {
    const double = stripeJsDouble()
    const view = await billing('cus_active', { loadStripe: double.loadStripe })
    expect(methods(view)).toEqual(['Visa ending in 4242 (default)', 'Mastercard ending in 4444'])
    const panel = await openForm(view)
    await waitFor(() => !submitOf(panel).disabled)
    panel.querySelector<HTMLInputElement>('input[name="make_default"]')!.click()
    submitOf(panel).click()

    await waitFor(() => methods(view).length === 3)
    const [confirm] = double.calls.confirmSetup
    expect(confirm.elements).toBe(double.elements)
    expect(confirm.redirect).toBe('if_required')
    const attach = portal!.requests.find((r) => r.method === 'POST' && r.path === '/payment-methods')!
    expect(attach.body).toEqual({ payment_method: 'pm_card_mastercard', make_default: true })
    expect(attach.headers.get('idempotency-key')).toBeTruthy()
    expect(methods(view).filter((m) => m.endsWith('(default)'))).toEqual(['Mastercard ending in 4444 (default)'])
    await waitFor(() => portal!.announced.includes('Mastercard ending in 4444 added.'))
    expect(double.calls.destroyed).toBe(1)
    expect(view.querySelector('.ap-add-method form')).toBeNull()
    expect(portal!.onError).not.toHaveBeenCalled()
  })

  test('shows a declined card’s own Stripe message in the form as payment_failed, and attaches nothing', async () => {
    const message = 'Your card has insufficient funds.'
    const double = stripeJsDouble(() => ({ error: { type: 'card_error', code: 'card_declined', message } }))
    const view = await billing('cus_active', { loadStripe: double.loadStripe })
    const panel = await openForm(view)
    await waitFor(() => !submitOf(panel).disabled)
    submitOf(panel).click()

    await waitFor(() => text(panel.querySelector('.ap-form__error')) === message)
    expect(portal!.onError).toHaveBeenCalledWith({ code: 'payment_failed', message })
    await waitFor(() => portal!.announced.includes(message))
    expect(portal!.requests.some((r) => r.method === 'POST' && r.path === '/payment-methods')).toBe(false)
    expect(submitOf(panel).disabled).toBe(false)
    expect(methods(view)).toHaveLength(2)
  })

  test('leaves an incomplete field to the customer: shown, not reported', async () => {
    const double = stripeJsDouble(() => ({ error: { type: 'validation_error', code: 'incomplete_number', message: 'Your card number is incomplete.' } }))
    const view = await billing('cus_active', { loadStripe: double.loadStripe })
    const panel = await openForm(view)
    await waitFor(() => !submitOf(panel).disabled)
    submitOf(panel).click()
    await waitFor(() => text(panel.querySelector('.ap-form__error')) === 'Your card number is incomplete.')
    expect(portal!.onError).not.toHaveBeenCalled()
  })

  test('says stripe_unavailable with a Retry when the loader fails, and Retry mounts it', async () => {
    const double = stripeJsDouble()
    double.loadStripe.mockRejectedValueOnce(new Error('blocked by the network')).mockResolvedValueOnce(null)
    const view = await billing('cus_active', { loadStripe: double.loadStripe })
    const panel = await openForm(view)

    await waitFor(() => buttonNamed(panel, 'Retry'))
    expect(text(panel.querySelector('[role="alert"]'))).toBe('The secure card form could not be loaded. Check your connection and try again.')
    expect(portal!.onError).toHaveBeenLastCalledWith({ code: 'stripe_unavailable', message: expect.any(String) })
    expect(double.calls.mountedIn).toEqual([])

    // A loader resolving to null (Stripe.js without a window) is the same failure.
    buttonNamed(panel, 'Retry')!.click()
    await waitFor(() => double.loadStripe.mock.calls.length === 2 && buttonNamed(panel, 'Retry'))
    expect(portal!.onError).toHaveBeenCalledTimes(2)

    buttonNamed(panel, 'Retry')!.click()
    await waitFor(() => !submitOf(panel).disabled)
    expect(double.calls.mountedIn).toHaveLength(1)
    expect(panel.querySelector('[role="alert"]')).toBeNull()
    expect(buttonNamed(panel, 'Retry')).toBeUndefined()
  })

  test('keeps the rest of the portal working while Stripe is unavailable', async () => {
    const view = await billing('cus_active', { loadStripe: async () => Promise.reject(new Error('offline')) })
    const panel = await openForm(view)
    await waitFor(() => buttonNamed(panel, 'Retry'))
    const invoices = await portal!.open('invoices')
    await waitFor(() => invoices.querySelectorAll('tbody tr').length > 0)
    expect(portal!.handle.state.get().status).toBe('active')
  })

  test.each([
    ['without stripePubKey', undefined],
    ['with a secret key in place of the publishable one', 'sk_test_oops'],
  ])('names invalid_config %s, in the form and to onError, and never loads Stripe.js', async (_case, stripePubKey) => {
    const double = stripeJsDouble()
    const view = await billing('cus_active', { loadStripe: double.loadStripe, stripePubKey })
    const panel = await openForm(view)
    await waitFor(() => panel.querySelector('[role="alert"]'))
    expect(text(panel.querySelector('[role="alert"]'))).toBe('Card entry is not set up for this portal (it has no Stripe publishable key). Please contact support.')
    expect(portal!.onError).toHaveBeenCalledExactlyOnceWith({ code: 'invalid_config', message: expect.stringContaining('publishable key') })
    expect(double.loadStripe).not.toHaveBeenCalled()
    expect(buttonNamed(panel, 'Retry')).toBeUndefined()
    buttonNamed(panel, 'Close')!.click()
    expect(buttonNamed(view, 'Add payment method')).toBeDefined()
    expect(methods(view)).toHaveLength(2)
  })

  test('without an injected loader, the real @stripe/stripe-js cannot load here: stripe_unavailable, not a crash', async () => {
    const view = await billing('cus_active')
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const panel = await openForm(view)
    // Stripe's own loader injected its script tag (which cannot load on this machine)...
    await waitFor(() => document.querySelector('script[src^="https://js.stripe.com/"]'))
    expect(text(panel.querySelector('[role="status"]'))).toBe('Loading…')
    // ...and the form gives up after its load timeout instead of spinning forever.
    await vi.advanceTimersByTimeAsync(STRIPE_LOAD_TIMEOUT_MS)
    vi.useRealTimers()
    await waitFor(() => buttonNamed(panel, 'Retry'))
    expect(portal!.onError).toHaveBeenCalledWith({ code: 'stripe_unavailable', message: expect.any(String) })
  })

  test('tears the element down when the portal is destroyed mid-form', async () => {
    const double = stripeJsDouble()
    const view = await billing('cus_active', { loadStripe: double.loadStripe })
    const panel = await openForm(view)
    await waitFor(() => !submitOf(panel).disabled)
    portal!.handle.destroy()
    expect(double.calls.destroyed).toBe(1)
  })
})

test('the pricing portal asks for a card through the same Payment Element before a paid plan', async () => {
  const server = createTestPortal()
  const double = stripeJsDouble()
  const posted: string[] = []
  const transport = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input))
    if (init?.method === 'POST') posted.push(url.pathname.replace(/^.*\/api\/portal/, ''))
    if (url.pathname.endsWith('/payment-methods/setup')) return Response.json({ provider: 'stripe', client_secret: CLIENT_SECRET })
    return server.fetch(input, init)
  }) as typeof fetch
  const root = document.body.appendChild(document.createElement('div'))
  const handle = createPricingPortal(root, {
    publicKey: TEST_PUBLIC_KEY,
    token: await server.token('cus_free'),
    apiUrl: server.apiUrl,
    fetch: transport,
    locale: 'en-US',
    stripePubKey: PK,
    loadStripe: double.loadStripe,
  })
  try {
    const starter = await waitFor(() => root.querySelector<HTMLElement>('.ap-plan-card[data-plan-id="plan_starter"]'))
    buttonNamed(starter, /^Upgrade: Starter/)!.click()
    const panel = await waitFor(() => root.querySelector<HTMLElement>('.ap-pricing__needs-card'))
    await waitFor(() => !submitOf(panel).disabled)
    expect(double.calls.elements[0].clientSecret).toBe(CLIENT_SECRET)
    submitOf(panel).click()
    await waitFor(() => root.querySelector('.ap-preview'))
    expect(posted).toEqual(['/subscription/preview', '/payment-methods/setup', '/payment-methods'])
    expect((await server.billing.listPaymentMethods({ appId: 'app_demo', customUid: 'cus_free' })).data.map((m) => m.brand)).toEqual(['mastercard'])
  } finally {
    handle.destroy()
    root.remove()
    await server.close()
  }
})

describe('stripeAppearance', () => {
  const stripeAppearance = (config: Parameters<typeof appearanceWith>[0], look: ComputedLook, prefersDark?: boolean) =>
    appearanceWith(config, look, colorMaths({ colorParts, DARK_TEXT, LIGHT_TEXT }), prefersDark)
  const look = (properties: Record<string, string> = {}, fontFamily = '') => ({ property: (name: string) => properties[name] ?? '', fontFamily })

  test('maps primary, the card background and its readable text colour, font and radius', () => {
    expect(stripeAppearance({ primary: '#1c1c1c', tertiary: '#383838' }, look({ '--ap-radius-small': '0.5rem' }, 'Inter, sans-serif'))).toEqual({
      theme: 'stripe',
      variables: { colorPrimary: '#1c1c1c', colorBackground: '#383838', colorText: '#ffffff', fontFamily: 'Inter, sans-serif', borderRadius: '0.5rem' },
    })
  })

  test('follows textDarkTertiary when it is given', () => {
    expect(stripeAppearance({ tertiary: '#383838', textDarkTertiary: true }, look()).variables.colorText).toBe('#111111')
  })

  test('takes what config leaves out from the stylesheet’s custom properties, then defaults', () => {
    const fromCss = stripeAppearance({}, look({ '--ap-primary': ' #15171c', '--ap-tertiary': '#1a1d23', '--ap-on-tertiary': '#e5e7eb' }))
    expect(fromCss.variables).toMatchObject({ colorPrimary: '#15171c', colorBackground: '#1a1d23', colorText: '#e5e7eb' })
    const defaults = stripeAppearance({}, look())
    expect(defaults.variables).toMatchObject({ colorPrimary: '#1c1c1c', colorBackground: '#ffffff', colorText: '#111827', borderRadius: '8px' })
    expect(defaults.variables.fontFamily).toContain('system-ui')
  })

  test('uses Stripe’s night theme for the dark colour scheme, and for auto when the system prefers dark', () => {
    expect(stripeAppearance({ colorScheme: 'dark' }, look()).theme).toBe('night')
    expect(stripeAppearance({ colorScheme: 'auto' }, look(), true).theme).toBe('night')
    expect(stripeAppearance({ colorScheme: 'auto' }, look(), false).theme).toBe('stripe')
  })
})
