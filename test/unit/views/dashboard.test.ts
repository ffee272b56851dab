import { afterEach, describe, expect, test } from 'vitest'
import { de } from '../../../src/i18n/de.js'
import type { Session } from '../../../src/api/types.js'
import type { SqliteBilling } from '../../../src/server/billing/sqlite.js'
import { answerDialog, buttonNamed, dashboardOf, mountPortal, text, viewEl, waitFor, type Harness } from './harness.js'

let portal: Harness | undefined
afterEach(async () => {
  await portal?.close()
  portal = undefined
})

const mountDashboard = async (customer: string) => dashboardOf((portal = await mountPortal(customer)))

describe('dashboard', () => {
  test('cus_active: plan, price, renewal, usage at 80 % as a warning meter, upcoming invoice', async () => {
    const view = await mountDashboard('cus_active')
    expect(view.querySelectorAll('h1')).toHaveLength(1)
    expect(text(view.querySelector('h1'))).toBe('Dashboard')
    expect(text(view.querySelector('.ap-customer'))).toBe('Ada Lovelace ada@example.com')
    expect(text(view.querySelector('.ap-plan__name'))).toBe('Pro')
    expect(text(view.querySelector('.ap-plan .ap-badge'))).toBe('Active')
    expect(text(view.querySelector('.ap-plan__price'))).toBe('$49.00 / month')
    expect(text(view.querySelector('.ap-plan__date'))).toMatch(/^Renews on \w{3} \d{1,2}, \d{4}$/)

    const meter = view.querySelector('[role="meter"]')!
    expect(meter.getAttribute('aria-valuemin')).toBe('0')
    expect(meter.getAttribute('aria-valuemax')).toBe('250000')
    expect(meter.getAttribute('aria-valuenow')).toBe('200000')
    expect(meter.getAttribute('aria-valuetext')).toBe('200,000 of 250,000 calls')
    expect(text(document.getElementById(meter.getAttribute('aria-labelledby')!))).toBe('API calls')
    expect(meter.closest('.ap-meter')!.classList.contains('ap-meter--warning')).toBe(true)
    expect(meter.querySelector('.ap-meter__fill')!.getAttribute('data-fill')).toBe('80')
    expect(text(meter.closest('.ap-meter')!.querySelector('.ap-meter__text'))).toBe('200,000 of 250,000 calls')

    expect(text(view.querySelector('.ap-upcoming'))).toMatch(/^\$\d[\d,]*\.\d\d on \w{3} \d{1,2}, \d{4}$/)
    expect(view.querySelector('[style]')).toBeNull()
  })

  test('plan, usage and the upcoming invoice share the summary row; API keys follow them, full width, in reading order too', async () => {
    const view = await mountDashboard('cus_active')
    await waitFor(() => view.querySelector('.ap-key'))
    const titles = (el: Element) => [...el.querySelectorAll(':scope > .ap-card > .ap-card__title')].map(text)
    expect(titles(view.querySelector('.ap-grid')!)).toEqual(['Plan', 'Usage', 'Upcoming invoice'])
    // Not in the grid: the tall key list no longer sets a row's height beside the short cards.
    expect(titles(view.querySelector('.ap-view__body')!)).toEqual(['API keys'])
  })

  test('the customer, plan and usage names from the server are text, never markup', async () => {
    const payload = '<img src=x onerror="window.__xss=1">'
    // Arranged before the mount: a view mounted first loads the account (its features), so the dashboard's first load is the portal's.
    portal = await mountPortal('cus_active', {
      arrange: (h) =>
        h.patch<Session>('GET', /^\/session$/, (session) => ({
          ...session,
          customer: { ...session.customer, name: payload, email: `${payload}@example.com` },
          plan: { ...session.plan!, name: payload },
          usage: session.usage.map((u) => ({ ...u, name: payload, unit: payload })),
        })),
    })
    const view = await portal.open('dashboard')
    await waitFor(() => view.querySelector('.ap-plan'))
    expect(text(view.querySelector('.ap-customer__name'))).toBe(payload)
    expect(text(view.querySelector('.ap-plan__name'))).toBe(payload)
    expect(text(view.querySelector('.ap-meter__name'))).toBe(payload)
    expect(view.querySelector('img')).toBeNull()
    expect((window as { __xss?: number }).__xss).toBeUndefined()
  })

  test('a meter the session leaves unnamed is named by the plan’s metrics', async () => {
    // Arranged before the mount: a view mounted first loads the account (its features), so the dashboard's first load is the portal's.
    portal = await mountPortal('cus_active', { arrange: (h) => h.patch<Session>('GET', /^\/session$/, (session) => ({
      ...session,
      usage: session.usage.map((u) => ({ ...u, name: '' })),
      plan: { ...session.plan!, metrics: { api_calls: { name: 'Requests', unit: 'calls' } } },
    })) })
    const view = await portal.open('dashboard')
    const meter = await waitFor(() => view.querySelector('[role="meter"]'))
    expect(text(document.getElementById(meter.getAttribute('aria-labelledby')!))).toBe('Requests')
  })

  test('skeleton while loading; a failed load shows the error with Retry, which loads it', async () => {
    // Arranged before the mount: a view mounted first loads the account (its features), so the dashboard's first load is the portal's.
    let release = () => undefined as void
    portal = await mountPortal('cus_active', { arrange: (h) => (release = h.hold('GET', /^\/session$/)) })
    let view = await portal.open('dashboard')
    expect(text(view.querySelector('.ap-skeleton'))).toBe('Loading…')
    expect(view.querySelectorAll('h1')).toHaveLength(1)
    release()
    await waitFor(() => view.querySelector('.ap-plan'))
    expect(view.querySelector('.ap-skeleton')).toBeNull()

    await portal.open('invoices')
    const heal = portal.fail('GET', /^\/session$/)
    view = await portal.open('dashboard')
    const error = await waitFor(() => view.querySelector('.ap-error'))
    expect(text(error)).toContain('We couldn’t load your dashboard.')
    expect(portal.onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'server' }))
    heal()
    buttonNamed(error, 'Retry')!.click()
    await waitFor(() => view.querySelector('.ap-plan'))
    expect(view.querySelector('.ap-error')).toBeNull()
  })

  test('in German: strings from the locale table, money and numbers in its format', async () => {
    portal = await mountPortal('cus_active', { locale: 'de-DE' })
    const view = portal.root.querySelector<HTMLElement>('.ap-view--dashboard')!
    await waitFor(() => view.querySelector('.ap-plan'))
    expect(text(view.querySelector('h1'))).toBe('Übersicht')
    expect(text(view.querySelector('.ap-plan .ap-badge'))).toBe('Aktiv')
    expect(text(view.querySelector('.ap-plan__price'))).toBe('49,00 $ / Monat')
    expect(view.querySelector('[role="meter"]')!.getAttribute('aria-valuetext')).toBe('200.000 von 250.000 calls')
  })

  const day = (unixSeconds: number) => new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' }).format(new Date(unixSeconds * 1000))

  test.each([
    ['cus_trialing', 'Trial', 'ap-badge--info', 'Trial ends on', 'trial_end'],
    ['cus_past_due', 'Past due', 'ap-badge--danger', 'Renews on', 'current_period_end'],
    ['cus_canceling', 'Canceling', 'ap-badge--warning', 'Ends on', 'current_period_end'],
    ['cus_canceled', 'Canceled', 'ap-badge--neutral', 'Canceled on', 'ended_at'],
    ['cus_free', 'Active', 'ap-badge--success', 'Renews on', 'current_period_end'],
  ] as const)('%s: status badge and its date', async (customer, badge, tone, words, field) => {
    const view = await mountDashboard(customer)
    const el = view.querySelector('.ap-plan .ap-badge')!
    expect(text(el)).toBe(badge)
    expect(el.classList.contains(tone)).toBe(true)
    const { subscription } = await portal!.server.billing.getSession({ appId: 'app_demo', customUid: customer })
    expect(text(view.querySelector('.ap-plan__date'))).toBe(`${words} ${day(subscription![field]!)}`)
  })

  test('a canceled subscription from a backend that sends no end date shows no date rather than a wrong one', async () => {
    // Arranged before the mount: a view mounted first loads the account (its features), so the dashboard's first load is the portal's.
    portal = await mountPortal('cus_canceled', { arrange: (h) => h.patch<Session>('GET', /^\/session$/, ({ subscription, ...rest }) => {
      const { canceled_at: _c, ended_at: _e, ...older } = subscription!
      return { ...rest, subscription: older }
    }) })
    const view = await portal.open('dashboard')
    await waitFor(() => view.querySelector('.ap-plan'))
    expect(text(view.querySelector('.ap-plan .ap-badge'))).toBe('Canceled')
    expect(view.querySelector('.ap-plan__date')).toBeNull()
  })

  test('cus_past_due: the failed-payment banner (issue 17) leads to billing', async () => {
    const view = await mountDashboard('cus_past_due')
    const notice = await waitFor(() => view.querySelector<HTMLElement>('.ap-banner.ap-notice--danger'))
    expect(text(notice)).toContain('Payment failed')
    // One way to update the card on the page: the plan card keeps no notice of its own.
    expect(view.querySelectorAll('.ap-notice--danger')).toHaveLength(1)
    buttonNamed(notice, 'Update payment method')!.click()
    await waitFor(() => viewEl(portal!.root, 'billing'))
  })

  test('a scheduled downgrade is noticed, with a way to manage it', async () => {
    // Arranged before the mount: a view mounted first loads the account (its features), so the dashboard's first load is the portal's.
    portal = await mountPortal('cus_active', { arrange: (h) => h.server.billing.changeSubscription({ appId: 'app_demo', customUid: 'cus_active' }, 'price_starter_month') })
    const view = await portal.open('dashboard')
    const notice = await waitFor(() => view.querySelector('.ap-plan')?.closest('.ap-card')?.querySelector('.ap-notice'))
    expect(text(notice)).toMatch(/^A plan change is scheduled for \w{3} \d{1,2}, \d{4}\./)
    expect(text(view.querySelector('.ap-plan__name'))).toBe('Pro')
    buttonNamed(notice, 'Manage plan')!.click()
    await waitFor(() => viewEl(portal!.root, 'billing'))
  })

  test('unlimited quota reads "Unlimited" and has no meter', async () => {
    // Arranged before the mount: a view mounted first loads the account (its features), so the dashboard's first load is the portal's.
    portal = await mountPortal('cus_active', { arrange: (h) => h.server.billing.changeSubscription({ appId: 'app_demo', customUid: 'cus_active' }, 'price_scale_month') })
    const view = await portal.open('dashboard')
    await waitFor(() => view.querySelector('.ap-meter'))
    expect(text(view.querySelector('.ap-plan__name'))).toBe('Scale')
    expect(view.querySelector('[role="meter"]')).toBeNull()
    expect(text(view.querySelector('.ap-meter--unlimited .ap-meter__text'))).toMatch(/^[\d,]+ calls · Unlimited$/)
  })

  test('a customer without a subscription sees an empty state that leads to choosing a plan', async () => {
    portal = await mountPortal('cus_active')
    await (portal.server.billing as SqliteBilling).createCustomer('app_demo', { customUid: 'cus_new', name: 'New', email: 'new@example.com' })
    portal.handle.update({ token: await portal.server.token('cus_new') })
    // update({ token }) on an active session does not remount: open the view afresh.
    await portal.open('invoices')
    const view = await portal.open('dashboard')
    const empty = await waitFor(() => view.querySelector('.ap-empty'))
    expect(text(empty)).toContain('No plan yet')
    expect(view.querySelector('.ap-upcoming')).toBeNull()
    buttonNamed(empty, 'Choose a plan')!.click()
    const billing = await waitFor(() => viewEl(portal!.root, 'billing'))
    expect(billing.querySelector('h1')).toBe(document.activeElement)
  })
})

describe('API keys', () => {
  test('masked keys; Roll asks first, then shows the new key once with Copy', async () => {
    const view = await mountDashboard('cus_active')
    const keys = await waitFor(() => view.querySelectorAll('.ap-key').length === 2 && view.querySelectorAll('.ap-key'))
    const masked = [...keys].map((k) => text(k.querySelector('.ap-key__masked')))
    expect(masked.every((m) => m.includes('…'))).toBe(true)
    expect([...keys].map((k) => text(k.querySelector('.ap-key__name'))).sort()).toEqual(['Production', 'Staging'])
    const production = () => [...view.querySelectorAll('.ap-key')].find((k) => text(k.querySelector('.ap-key__name')) === 'Production')!
    const before = text(production().querySelector('.ap-key__masked'))

    // Declining the dialog rolls nothing.
    buttonNamed(view, 'Roll Production')!.click()
    await answerDialog(portal!.root, false)
    expect(portal!.count('POST', /^\/api-keys\/.+\/roll$/)).toBe(0)
    await waitFor(() => !buttonNamed(view, 'Roll Production')!.disabled)

    const release = portal!.hold('POST', /^\/api-keys\/.+\/roll$/)
    buttonNamed(view, 'Roll Production')!.click()
    const dialog = await answerDialog(portal!.root, true)
    expect(text(dialog)).toContain('Roll Production?')
    await waitFor(() => buttonNamed(view, 'Roll Production')!.getAttribute('aria-busy') === 'true')
    expect(buttonNamed(view, 'Roll Production')!.disabled).toBe(true)
    release()

    const panel = await waitFor(() => view.querySelector('.ap-reveal'))
    const secret = text(panel.querySelector('.ap-reveal__secret'))
    expect(secret.length).toBeGreaterThan(20)
    expect(secret).not.toContain('…')
    expect(text(panel)).toContain('you won’t see it again')
    expect(portal!.count('POST', /^\/api-keys\/.+\/roll$/)).toBe(1)
    expect(portal!.requests.find((r) => r.method === 'POST')!.headers.get('Idempotency-Key')).toBeTruthy()
    await waitFor(() => portal!.announced.includes('Key rolled. Copy the new key now.'))
    // The masked value in the list is the new key's.
    const newMasked = text(production().querySelector('.ap-key__masked'))
    expect(newMasked).not.toBe(before)
    expect(secret.endsWith(newMasked.split('…')[1])).toBe(true)

    // Copy through the Clipboard API.
    let copied = ''
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async (s: string) => void (copied = s) } })
    buttonNamed(panel, 'Copy the new key')!.click()
    await waitFor(() => text(panel.querySelector('.ap-reveal__status')) === 'Copied to the clipboard.')
    expect(copied).toBe(secret)
    // Where the clipboard refuses, the key is selected and the user told how to copy it.
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async () => Promise.reject(new Error('denied')) } })
    buttonNamed(panel, 'Copy the new key')!.click()
    await waitFor(() => text(panel.querySelector('.ap-reveal__status')).startsWith('Copying isn’t available here'))
    expect(document.getSelection()?.toString()).toBe(secret)

    // Dismissed, the secret is gone from the page; nothing shows it again.
    buttonNamed(panel, 'I’ve saved it')!.click()
    expect(view.querySelector('.ap-reveal')).toBeNull()
    expect(portal!.root.textContent).not.toContain(secret)
    await portal!.open('invoices')
    const again = await portal!.open('dashboard')
    await waitFor(() => again.querySelectorAll('.ap-key').length === 2)
    expect(portal!.root.textContent).not.toContain(secret)
  })

  test('Create key asks for a name, shows the secret once with Copy, and lists the new key', async () => {
    const view = await mountDashboard('cus_trialing')
    await waitFor(() => text(view).includes('You have no API keys yet.'))
    buttonNamed(view, 'Create key')!.click()
    const form = await waitFor(() => view.querySelector<HTMLFormElement>('.ap-reveal-host form'))
    const input = form.querySelector<HTMLInputElement>('input')!
    expect(document.activeElement).toBe(input)
    expect(text(form.querySelector(`label[for="${input.id}"]`))).toBe('Key name')
    // An empty name sends nothing.
    form.requestSubmit()
    expect(portal!.count('POST', /^\/api-keys$/)).toBe(0)

    input.value = '  CI runner  '
    const release = portal!.hold('POST', /^\/api-keys$/)
    form.requestSubmit()
    const submit = buttonNamed(form, 'Create key')!
    await waitFor(() => submit.disabled)
    release()
    const panel = await waitFor(() => view.querySelector('.ap-reveal'))
    const secret = text(panel.querySelector('.ap-reveal__secret'))
    expect(secret).toMatch(/^ak_live_[0-9a-f]{32}$/)
    expect(text(panel)).toContain('New key for CI runner')
    expect(text(panel)).toContain('you won’t see it again')
    expect(buttonNamed(panel, 'Copy the new key')).toBeTruthy()
    const sent = portal!.requests.find((r) => r.method === 'POST')!
    expect(sent.body).toEqual({ name: 'CI runner' })
    expect(sent.headers.get('Idempotency-Key')).toBeTruthy()
    await waitFor(() => portal!.announced.includes('Key created. Copy it now.'))
    expect(text(view.querySelector('.ap-key__name'))).toBe('CI runner')
    expect(text(view.querySelector('.ap-key__masked'))).not.toContain(secret)
    // The server agrees: the key verifies, and belongs to this customer.
    expect(await portal!.server.billing.verifyApiKey(secret)).toMatchObject({ customUid: 'cus_trialing' })
  })

  test('past the seller’s maximum, the form says why in the server’s words', async () => {
    const view = await mountDashboard('cus_trialing')
    // The card has its list (empty) before the keys are made behind its back.
    await waitFor(() => text(view).includes('You have no API keys yet.'))
    for (let i = 0; i < 10; i++) await portal!.server.billing.createApiKey({ appId: 'app_demo', customUid: 'cus_trialing' }, `Key ${i}`)
    buttonNamed(view, 'Create key')!.click()
    const form = await waitFor(() => view.querySelector<HTMLFormElement>('.ap-reveal-host form'))
    form.querySelector<HTMLInputElement>('input')!.value = 'One too many'
    form.requestSubmit()
    await waitFor(() => text(form.querySelector('.ap-form__error')).includes('10 API keys'))
    expect(view.querySelector('.ap-reveal')).toBeNull()
    buttonNamed(form, 'Cancel')!.click()
    expect(view.querySelector('.ap-reveal-host form')).toBeNull()
    expect(document.activeElement).toBe(buttonNamed(view, 'Create key'))
  })

  test('Revoke asks first, then removes the key, which stops verifying', async () => {
    const view = await mountDashboard('cus_active')
    await waitFor(() => view.querySelectorAll('.ap-key').length === 2)
    const keys = await portal!.server.billing.listApiKeys({ appId: 'app_demo', customUid: 'cus_active' })
    const staging = keys!.data.find((k) => k.name === 'Staging')!

    buttonNamed(view, 'Revoke Staging')!.click()
    await answerDialog(portal!.root, false)
    expect(portal!.count('DELETE', /^\/api-keys\//)).toBe(0)
    await waitFor(() => !buttonNamed(view, 'Revoke Staging')!.disabled)

    buttonNamed(view, 'Revoke Staging')!.click()
    const dialog = await answerDialog(portal!.root, true)
    expect(text(dialog)).toContain('Revoke Staging?')
    expect(text(dialog)).toContain('stops working at once')
    await waitFor(() => view.querySelectorAll('.ap-key').length === 1)
    expect(portal!.count('DELETE', new RegExp(`^/api-keys/${staging.id}$`))).toBe(1)
    await waitFor(() => portal!.announced.includes('Key Staging revoked.'))
    expect(document.activeElement).toBe(buttonNamed(view, 'Create key'))
    const left = await portal!.server.billing.listApiKeys({ appId: 'app_demo', customUid: 'cus_active' })
    expect(left!.data.map((k) => k.name)).toEqual(['Production'])
  })

  test('its strings, which ship with its chunk, follow the locale and the messages overrides', async () => {
    portal = await mountPortal('cus_active', { locale: 'de', messages: { 'dashboard.keys.revoke': 'Sperren' } })
    const view = portal.root.querySelector<HTMLElement>('.ap-view--dashboard')!
    const key = await waitFor(() => view.querySelector('.ap-key'))
    expect(text(key.querySelector('.ap-key__actions'))).toBe(`${de['dashboard.keys.roll']}Sperren`)
  })

  test('a customer without keys sees an empty state', async () => {
    const view = await mountDashboard('cus_trialing')
    await waitFor(() => text(view).includes('You have no API keys yet.'))
    expect(view.querySelector('.ap-key')).toBeNull()
  })

  test('hidden when the backend keeps no keys', async () => {
    // Arranged before the mount: a view mounted first loads the account (its features), so the dashboard's first load is the portal's.
    portal = await mountPortal('cus_active', { arrange: (h) => h.patch<Session>('GET', /^\/session$/, (session) => ({ ...session, api_keys_enabled: false })) })
    const view = await portal.open('dashboard')
    await waitFor(() => view.querySelector('.ap-plan'))
    expect(text(view)).not.toContain('API keys')
    expect(portal.count('GET', /^\/api-keys/)).toBe(0)
  })

  test('hidden when the keys route answers 404, without reaching onError', async () => {
    portal = await mountPortal('cus_active', { view: 'invoices' })
    portal.fail('GET', /^\/api-keys$/, () => Response.json({ error: { code: 'not_found', message: 'No such resource' } }, { status: 404 }))
    const view = await portal.open('dashboard')
    await waitFor(() => portal!.count('GET', /^\/api-keys$/) === 1 && view.querySelector('.ap-plan'))
    const card = [...view.querySelectorAll<HTMLElement>('.ap-card')].find((c) => text(c.querySelector('h2')) === 'API keys')!
    await waitFor(() => card.hidden)
    expect(portal.onError).not.toHaveBeenCalled()
  })
})
