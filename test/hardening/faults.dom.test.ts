/**
 * The customer portal under faults, against the real handler (test/unit/views/harness.ts)
 * with the transport failing on chosen routes. The views' tests already cover a JSON 500
 * on each load and the API client's retry rules; this adds the rest of the matrix:
 *
 * - network loss, a hung request (10 s timeout), a JSON 503, a proxy's HTML 502, a 200
 *   whose body is not JSON, a 200 whose JSON has another shape, and a 429 past the
 *   client's wait cap, on each view's load:
 *   a clear error with Retry, the shell stays up, and Retry loads the view;
 * - the same faults on a reload (invoices' next page, billing after a change): what was
 *   shown stays, with the error and Retry beside it;
 * - a token that expires while a plan change is in flight: nothing is charged, the
 *   expired panel shows, and with a new token the change goes through once;
 * - a lost answer to Confirm: the client's retry carries the same Idempotency-Key and
 *   the plan changes once (one invoice), also when the user presses Confirm again;
 * - a double click on Choose sends one preview;
 * - a lost answer to Roll: the replay carries no secret, and the card says it was shown.
 *
 * Time is faked (setTimeout, and Date where tokens expire), so retries, backoff and
 * timeouts take no real time.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TEST_ORIGIN } from '../helpers/portal.js'
import { buttonNamed, dialog, mountPortal, text, waitFor, type Harness } from '../unit/views/harness.js'

let portal: Harness | undefined
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
})
afterEach(async () => {
  await portal?.close()
  portal = undefined
  vi.useRealTimers()
})

const scope = (customUid: string) => ({ appId: 'app_demo', customUid })
/** Captured before any test fakes it: the pacing below waits in real time. */
const realSetTimeout = globalThis.setTimeout

/**
 * Moves fake time on in quarter-second steps until `probe` finds something, waiting 10 ms
 * of real time before each step so that the real handler's work (its crypto and SQLite are
 * truly async) finishes first and is never mistaken for a hung request by the client's
 * 10 s timeout. Three attempts that each time out, with backoff, take ~130 steps.
 */
async function runOut<T>(probe: () => T | null | undefined | false): Promise<T> {
  for (let step = 0; step < 400 && !probe(); step++) {
    await new Promise((resolve) => realSetTimeout(resolve, 10))
    await vi.advanceTimersByTimeAsync(250)
  }
  return waitFor(probe)
}

type Respond = (forward: () => Promise<Response>) => Response | Promise<Response>
interface Fault {
  respond: Respond
  /** What the user reads. */
  message: string
}

const html = (status: number) => new Response('<html><body><h1>Bad Gateway</h1></body></html>', { status, headers: { 'content-type': 'text/html' } })
const faults: Record<string, Fault> = {
  'network loss': { respond: () => Promise.reject(new TypeError('Failed to fetch')), message: 'The Portal API could not be reached' },
  'a hung request': { respond: () => new Promise<Response>(() => undefined), message: 'The Portal API did not answer within 10 s' },
  'a JSON 503': { respond: () => Response.json({ error: { code: 'server', message: 'Billing is down for maintenance.' } }, { status: 503 }), message: 'Billing is down for maintenance.' },
  'a proxy’s HTML 502': { respond: () => html(502), message: 'The Portal API answered 502 without an error body' },
  'a 200 that is not JSON': { respond: () => new Response('{"customer": {"name": "Ada', { status: 200, headers: { 'content-type': 'application/json' } }), message: `The Portal API sent a response that is not JSON: is apiUrl (${TEST_ORIGIN}/api/portal) where the Portal API is mounted?` },
  // Found by this suite: views threw rendering it, leaving a skeleton forever and an unhandled rejection.
  'a 200 of another shape': {
    // Objects where the views expect fields: every route's render trips over it.
    respond: () => Response.json({ data: [{}], customer: {}, subscription: {}, plan: {} }),
    message: 'The Portal API sent a response the portal could not read',
  },
  'a 429 past the wait cap': {
    respond: () => Response.json({ error: { code: 'rate_limited', message: 'Too many requests; try again shortly' } }, { status: 429, headers: { 'retry-after': '3600' } }),
    message: 'Too many requests; try again shortly',
  },
}
const faultNames = Object.keys(faults)

/** Installs `fault` on matching requests (the harness hands `respond` the real forward). */
function inject(h: Pick<Harness, 'fail'>, method: string, path: RegExp, fault: Fault): () => void {
  return h.fail(method, path, fault.respond as unknown as () => Response)
}

const views = {
  // Every view waits for the account (its features) before it shows: the dashboard's first load is the portal's first.
  dashboard: { route: /^\/session$/, loaded: '.ap-plan__name', from: 'dashboard' },
  invoices: { route: /^\/invoices\?/, loaded: 'tr.ap-invoice', from: 'dashboard' },
  billing: { route: /^\/plans$/, loaded: '.ap-plan-options', from: 'dashboard' },
} as const

let tried = 0
afterEach(() => void tried++)

describe('a failed load: a clear error with Retry, the shell stays, Retry loads the view', () => {
  const cases = (Object.keys(views) as (keyof typeof views)[]).flatMap((view) => faultNames.map((fault) => [view, fault] as const))
  it.each(cases)('%s under %s', async (name, faultName) => {
    const fault = faults[faultName]
    const { route, loaded, from } = views[name]
    let heal = () => undefined as void
    // A view's first load: the fault is there from the mount when the portal starts on that view.
    portal = await mountPortal('cus_active', { view: from, arrange: (h) => from === name && (heal = inject(h, 'GET', route, fault)) })
    if (from !== name) heal = inject(portal, 'GET', route, fault)
    const view = await portal.open(name)
    const error = await runOut(() => view.querySelector<HTMLElement>('.ap-error'))
    expect(error.getAttribute('role')).toBe('alert')
    expect(text(error.querySelector('.ap-error__title'))).not.toBe('')
    expect(text(error.querySelector('.ap-error__message'))).toBe(fault.message)
    expect(view.querySelector(loaded)).toBeNull()
    // The shell (navigation) stays: a failed load is not a failed session.
    expect(portal.handle.state.get()).toEqual({ status: 'active' })
    expect(portal.root.querySelector('nav')).not.toBeNull()
    expect(portal.onError).toHaveBeenCalledWith(expect.objectContaining({ message: fault.message }))

    heal()
    buttonNamed(error, 'Retry')!.click()
    await waitFor(() => view.querySelector(loaded))
    expect(view.querySelector('.ap-error')).toBeNull()
  })
})

describe('a failed reload keeps what was shown', () => {
  it.each(faultNames)('invoices: the next page under %s keeps every row; Retry loads it', async (faultName) => {
    const fault = faults[faultName]
    portal = await mountPortal('cus_many_invoices', { view: 'invoices' })
    const view = portal.root.querySelector<HTMLElement>('.ap-view--invoices')!
    const rows = () => [...view.querySelectorAll<HTMLElement>('tr.ap-invoice')].map((r) => r.dataset.invoiceId)
    await waitFor(() => rows().length === 10)
    const shown = rows()
    const heal = inject(portal, 'GET', /starting_after=/, fault)
    buttonNamed(view, 'Load more')!.click()
    const error = await runOut(() => view.querySelector<HTMLElement>('.ap-table-footer .ap-error'))
    expect(text(error.querySelector('.ap-error__message'))).toBe(fault.message)
    expect(rows()).toEqual(shown)
    heal()
    buttonNamed(error, 'Retry')!.click()
    await waitFor(() => rows().length === 20)
    expect(rows().slice(0, 10)).toEqual(shown)
    expect(view.querySelector('.ap-error')).toBeNull()
  })

  it.each(faultNames)('billing: the reload after Resume under %s keeps the plans shown; Retry brings the new state', async (faultName) => {
    const fault = faults[faultName]
    portal = await mountPortal('cus_canceling', { view: 'billing' })
    const view = portal.root.querySelector<HTMLElement>('.ap-view--billing')!
    await waitFor(() => view.querySelector('.ap-plan-options') && buttonNamed(view, 'Resume subscription'))
    const plans = text(view.querySelector('.ap-plan-options'))
    const heal = inject(portal, 'GET', /^\/session$/, fault)
    buttonNamed(view, 'Resume subscription')!.click()
    const error = await runOut(() => view.querySelector<HTMLElement>('.ap-stack .ap-error'))
    expect(text(error.querySelector('.ap-error__message'))).toBe(fault.message)
    expect(text(view.querySelector('.ap-plan-options'))).toBe(plans)
    // The change itself went through; only the reload failed.
    expect((await portal.server.billing.getSession(scope('cus_canceling'))).subscription!.cancel_at_period_end).toBe(false)
    heal()
    buttonNamed(error, 'Retry')!.click()
    await waitFor(() => buttonNamed(view, 'Cancel subscription'))
    expect(view.querySelector('.ap-stack .ap-error')).toBeNull()
  })
})

async function invoiceCount(h: Harness, customUid = 'cus_active'): Promise<number> {
  return (await h.server.billing.listInvoices(scope(customUid), { limit: 100 })).data.length
}

/** Opens the preview of an upgrade to Scale in the billing view. */
async function previewScale(h: Harness): Promise<{ view: HTMLElement; preview: HTMLElement }> {
  const view = h.root.querySelector<HTMLElement>('.ap-view--billing') ?? (await h.open('billing'))
  await waitFor(() => buttonNamed(view, 'Choose Scale at $199.00 / month'))
  buttonNamed(view, 'Choose Scale at $199.00 / month')!.click()
  const preview = await waitFor(() => view.querySelector<HTMLElement>('.ap-preview'))
  return { view, preview }
}
const planName = (view: HTMLElement) => text(view.querySelector('.ap-plan__name'))

describe('mutations under faults', () => {
  it('a token that expires while a plan change is in flight charges nothing; with a new token the change goes through once', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] })
    portal = await mountPortal('cus_active', { view: 'billing' })
    const short = await portal.server.token('cus_active', 120)
    const fresh = await portal.server.token('cus_active', 3600)
    portal.handle.update({ token: short })
    const before = await invoiceCount(portal)
    const { preview } = await previewScale(portal)

    // Confirm is held on its way to the server while the token expires (past the leeway too).
    const release = portal.hold('POST', /^\/subscription$/)
    buttonNamed(preview, 'Confirm change')!.click()
    await waitFor(() => portal!.count('POST', /^\/subscription$/) === 1)
    await vi.advanceTimersByTimeAsync(200_000)
    await waitFor(() => portal!.handle.state.get().status === 'expired')
    expect(text(portal.root.querySelector('.ap-session-panel'))).toContain('Your session has expired')
    expect(portal.onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'session_expired' }))
    // The request reaches the server late, as over a slow network (the browser's abort does
    // not recall it): the server refuses the expired token before any charge.
    const sent = portal.requests.find((r) => r.method === 'POST' && r.path === '/subscription')!
    const late = await portal.server.handler(new Request(`${portal.server.apiUrl}/subscription`, { method: 'POST', headers: sent.headers, body: JSON.stringify(sent.body) }))
    expect(late.status).toBe(401)
    expect(((await late.json()) as { error: { code: string } }).error.code).toBe('session_expired')
    release()
    expect(await invoiceCount(portal)).toBe(before)
    expect((await portal.server.billing.getSession(scope('cus_active'))).plan!.name).toBe('Pro')

    // A new token resumes in place; the user makes the change again, and it is charged once.
    portal.handle.update({ token: fresh })
    expect(portal.handle.state.get()).toEqual({ status: 'active' })
    const again = await previewScale(portal)
    buttonNamed(again.preview, 'Confirm change')!.click()
    await waitFor(() => planName(again.view) === 'Scale')
    expect(await invoiceCount(portal)).toBe(before + 1)
  })

  it('Confirm’s answer lost once: the client’s retry carries the same key, the plan changes once', async () => {
    portal = await mountPortal('cus_active', { view: 'billing' })
    const before = await invoiceCount(portal)
    const { view, preview } = await previewScale(portal)
    let lost = 0
    const heal = portal.fail('POST', /^\/subscription$/, (async (forward: () => Promise<Response>) => {
      if (lost++ > 0) return forward()
      await forward() // the server applied it; the answer never arrived
      return html(502)
    }) as unknown as () => Response)
    buttonNamed(preview, 'Confirm change')!.click()
    await runOut(() => planName(view) === 'Scale')
    heal()
    const sent = portal.requests.filter((r) => r.method === 'POST' && r.path === '/subscription')
    expect(sent).toHaveLength(2)
    expect(new Set(sent.map((r) => r.headers.get('Idempotency-Key'))).size).toBe(1)
    expect(await invoiceCount(portal)).toBe(before + 1)
    await waitFor(() => portal!.announced.includes('Your plan is now Scale.'))
  })

  it('every answer to Confirm lost: a clear error; pressing Confirm again reuses the key and the plan changes once', async () => {
    portal = await mountPortal('cus_active', { view: 'billing' })
    const before = await invoiceCount(portal)
    const { view, preview } = await previewScale(portal)
    const heal = portal.fail('POST', /^\/subscription$/, (async (forward: () => Promise<Response>) => {
      await forward()
      return html(502)
    }) as unknown as () => Response)
    const confirm = buttonNamed(preview, 'Confirm change')!
    confirm.click()
    await runOut(() => text(preview.querySelector('.ap-form__error')) === 'The Portal API answered 502 without an error body')
    expect(confirm.disabled).toBe(false)
    // Applied once on the server, whatever the three lost answers.
    expect(await invoiceCount(portal)).toBe(before + 1)

    heal()
    confirm.click()
    await waitFor(() => planName(view) === 'Scale')
    const keys = portal.requests.filter((r) => r.method === 'POST' && r.path === '/subscription').map((r) => r.headers.get('Idempotency-Key'))
    expect(keys).toHaveLength(4)
    expect(new Set(keys).size).toBe(1)
    expect(await invoiceCount(portal)).toBe(before + 1)
  })

  it('a double click on Choose sends one preview', async () => {
    portal = await mountPortal('cus_active', { view: 'billing' })
    const view = portal.root.querySelector<HTMLElement>('.ap-view--billing')!
    const release = portal.hold('POST', /^\/subscription\/preview$/)
    await waitFor(() => buttonNamed(view, 'Choose Scale at $199.00 / month'))
    const choose = buttonNamed(view, 'Choose Scale at $199.00 / month')!
    choose.click()
    choose.click()
    choose.dispatchEvent(new MouseEvent('click', { bubbles: true }))
    release()
    await waitFor(() => view.querySelector('.ap-preview'))
    expect(portal.count('POST', /^\/subscription\/preview$/)).toBe(1)
  })

  it('a removal whose answer is lost is retried with its key: one card removed, the other kept', async () => {
    portal = await mountPortal('cus_active', { view: 'billing' })
    const view = portal.root.querySelector<HTMLElement>('.ap-view--billing')!
    await waitFor(() => view.querySelectorAll('.ap-method').length === 2)
    let lost = 0
    portal.fail('DELETE', /^\/payment-methods\//, (async (forward: () => Promise<Response>) => {
      if (lost++ > 0) return forward()
      await forward()
      return Promise.reject(new TypeError('Failed to fetch'))
    }) as unknown as () => Response)
    buttonNamed(view, 'Remove Mastercard ending in 4444')!.click()
    const asked = await dialog(portal.root)
    ;[...asked.querySelectorAll<HTMLButtonElement>('.ap-dialog__actions button')].at(-1)!.click()
    await runOut(() => view.querySelectorAll('.ap-method').length === 1)
    const deletes = portal.requests.filter((r) => r.method === 'DELETE')
    expect(deletes).toHaveLength(2)
    expect(deletes[0].headers.get('Idempotency-Key')).toBe(deletes[1].headers.get('Idempotency-Key'))
    // The replay answered as the first run did: no 404 for a card already gone.
    expect(view.querySelector('.ap-error')).toBeNull()
    expect((await portal.server.billing.listPaymentMethods(scope('cus_active'))).data.map((m) => m.brand)).toEqual(['visa'])
  })

  it('a roll whose answer is lost: the retry gets the key without its secret, and the card says so instead of showing an empty secret', async () => {
    portal = await mountPortal('cus_active')
    const view = portal.root.querySelector<HTMLElement>('.ap-view--dashboard')!
    await waitFor(() => view.querySelectorAll('.ap-key').length === 2)
    const before = (await portal.server.billing.listApiKeys(scope('cus_active')))!.data.map((k) => k.masked)
    let lost = 0
    portal.fail('POST', /^\/api-keys\/.+\/roll$/, (async (forward: () => Promise<Response>) => {
      if (lost++ > 0) return forward()
      await forward() // rolled on the server; the answer with the secret never arrived
      return Promise.reject(new TypeError('Failed to fetch'))
    }) as unknown as () => Response)
    buttonNamed(view, 'Roll Production')!.click()
    const asked = await dialog(portal.root)
    ;[...asked.querySelectorAll<HTMLButtonElement>('.ap-dialog__actions button')].at(-1)!.click()
    const panel = await runOut(() => view.querySelector<HTMLElement>('.ap-reveal'))
    const rolls = portal.requests.filter((r) => r.method === 'POST')
    expect(rolls).toHaveLength(2)
    expect(rolls[0].headers.get('Idempotency-Key')).toBe(rolls[1].headers.get('Idempotency-Key'))
    expect(panel.querySelector('.ap-reveal__secret')).toBeNull()
    expect(text(panel)).toContain('The secret of Production was already shown')
    await waitFor(() => portal!.announced.some((m) => m.startsWith('The secret of Production was already shown')))
    // Rolled once: one of the two keys changed.
    const after = (await portal.server.billing.listApiKeys(scope('cus_active')))!.data.map((k) => k.masked)
    expect(after.filter((m) => !before.includes(m))).toHaveLength(1)
  })
})

describe('summary', () => {
  it('prints what was tried', () => {
    console.log(`faults: ${tried} fault scenarios (${faultNames.length} fault kinds × 3 view loads, × 2 reloads, and 6 mutation cases), each a clear error and a working retry`)
    expect(tried).toBeGreaterThanOrEqual(faultNames.length * 5 + 6)
  })
})
