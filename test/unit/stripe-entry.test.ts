/**
 * The Stripe card form is its own chunk (src/views/billing/stripe-entry.ts loads it on
 * demand). When that chunk cannot load — offline, or a deploy replaced it — the form says
 * stripe_unavailable with a Retry, like Stripe.js failing to load, and the portal goes on.
 */
import { afterEach, expect, test, vi } from 'vitest'
import { buttonNamed, mountPortal, text, waitFor, type Harness } from './views/harness.js'

let chunkLoads = 0
vi.mock('../../src/views/billing/stripe-element.js', () => {
  chunkLoads += 1
  throw new Error('Failed to fetch dynamically imported module')
})

let portal: Harness | undefined
afterEach(async () => {
  await portal?.close()
  portal = undefined
})

test('a card-form chunk that does not load is stripe_unavailable with a Retry, and the portal goes on', async () => {
  const loadStripe = vi.fn()
  portal = await mountPortal('cus_active', { view: 'billing', stripePubKey: 'pk_test_portal', loadStripe })
  portal.fail('POST', /^\/payment-methods\/setup$/, () => Response.json({ provider: 'stripe', client_secret: 'seti_123_secret_456' }))
  const view = portal.root.querySelector<HTMLElement>('.ap-view--billing')!
  await waitFor(() => buttonNamed(view, 'Add payment method'))
  buttonNamed(view, 'Add payment method')!.click()

  const panel = await waitFor(() => view.querySelector<HTMLElement>('.ap-add-method .ap-panel'))
  await waitFor(() => buttonNamed(panel, 'Retry'))
  expect(text(panel.querySelector('[role="alert"]'))).toBe('The secure card form could not be loaded. Check your connection and try again.')
  expect(portal.onError).toHaveBeenCalledWith({ code: 'stripe_unavailable', message: expect.any(String) })
  expect(loadStripe).not.toHaveBeenCalled()

  const loadsBefore = chunkLoads
  buttonNamed(panel, 'Retry')!.click()
  await waitFor(() => portal!.onError.mock.calls.length === 2)
  expect(chunkLoads).toBeGreaterThan(loadsBefore)

  buttonNamed(panel, 'Cancel')!.click()
  expect(buttonNamed(view, 'Add payment method')).toBeDefined()
  expect(view.querySelectorAll('.ap-method')).toHaveLength(2)
})
