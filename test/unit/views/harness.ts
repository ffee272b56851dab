/**
 * Mounts the customer portal for a seeded customer against the real Portal API handler
 * (SQLite, in-process), with a transport that logs every request and can hold or fail
 * chosen routes. Views are reached the way a user reaches them: the portal's own nav.
 */
import { vi } from 'vitest'
import { createPortal } from '../../../src/portal.js'
import type { PortalHandle, PortalOptions, ViewName } from '../../../src/types.js'
import { createHolds } from '../../helpers/holds.js'
import { createTestPortal, type TestPortal, type TestPortalOptions } from '../../helpers/portal.js'

export interface LoggedRequest {
  method: string
  /** Path below the API mount, with its query: `/invoices?limit=10`. */
  path: string
  headers: Headers
  body: unknown
}

type Matcher = { method: string; path: RegExp }

export interface Harness {
  root: HTMLElement
  handle: PortalHandle
  server: TestPortal
  requests: LoggedRequest[]
  /** Requests matching `method` and `path` so far. */
  count(method: string, path: RegExp): number
  /** Answers matching requests with `response()` until the returned function is called. */
  fail(method: string, path: RegExp, response?: () => Response): () => void
  /** Rewrites the real handler's JSON answer to matching requests (e.g. a backend without a feature). */
  patch<T>(method: string, path: RegExp, rewrite: (body: T) => unknown): () => void
  /** Parks matching requests until the returned function lets them through. */
  hold(method: string, path: RegExp): () => void
  /** Clicks the portal's navigation and waits for the view's heading. */
  open(view: ViewName): Promise<HTMLElement>
  /** What the live region said, in order. */
  announced: string[]
  onError: ReturnType<typeof vi.fn>
  close(): Promise<void>
}

const NAV_LABEL: Record<ViewName, string> = { dashboard: 'Dashboard', invoices: 'Invoices', billing: 'Billing' }

/** `arrange` runs before the portal is created: what it sets up (a failure, a rewrite, a hold, the server's data) is what the portal's very first requests meet. */
export async function mountPortal(
  customer: string,
  options: Partial<PortalOptions> & { view?: ViewName; server?: TestPortalOptions; arrange?: (h: Pick<Harness, 'fail' | 'patch' | 'hold' | 'server'>) => unknown } = {},
): Promise<Harness> {
  const { server: serverOptions, arrange, ...portalOptions } = options
  const server = createTestPortal(serverOptions)
  const requests: LoggedRequest[] = []
  const overrides: (Matcher & { respond: (forward: () => Promise<Response>) => Response | Promise<Response> })[] = []
  const holds = createHolds()
  const matches = (m: Matcher, r: LoggedRequest) => m.method === r.method && m.path.test(r.path)

  const transport = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input))
    const logged: LoggedRequest = {
      method: init?.method ?? 'GET',
      path: url.pathname.slice(new URL(server.apiUrl).pathname.length) + url.search,
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    }
    requests.push(logged)
    await holds.passed(logged)
    const forward = () => server.fetch(input, init)
    const override = overrides.find((o) => matches(o, logged))
    return override ? override.respond(forward) : forward()
  }) as typeof fetch

  const fail: Harness['fail'] = (method, path, response = () => Response.json({ error: { code: 'server', message: 'Injected failure' } }, { status: 500 })) =>
    override({ method, path, respond: response })
  const patch: Harness['patch'] = (method, path, rewrite) =>
    override({
      method,
      path,
      respond: async (forward) => {
        const real = await forward()
        return Response.json(rewrite(await real.json()), { status: real.status })
      },
    })
  await arrange?.({ fail, patch, hold: holds.hold, server })

  const root = document.createElement('div')
  document.body.appendChild(root)
  const onError = vi.fn()
  const handle = createPortal(root, {
    token: await server.token(customer),
    apiUrl: server.apiUrl,
    fetch: transport,
    locale: 'en-US',
    defaultView: options.view ?? 'dashboard',
    onError,
    ...portalOptions,
  })
  const announced: string[] = []
  const live = root.querySelector('[aria-live]')
  if (live) new MutationObserver(() => live.textContent && announced.push(live.textContent)).observe(live, { childList: true, characterData: true, subtree: true })

  function override(entry: (typeof overrides)[number]): () => void {
    overrides.push(entry)
    return () => void overrides.splice(overrides.indexOf(entry), 1)
  }

  const harness: Harness = {
    root,
    handle,
    server,
    requests,
    announced,
    onError,
    count: (method, path) => requests.filter((r) => matches({ method, path }, r)).length,
    fail,
    patch,
    hold: holds.hold,
    async open(view) {
      const link = [...root.querySelectorAll<HTMLElement>('nav a, nav button')].find((el) => el.textContent?.trim() === NAV_LABEL[view])
      if (!link) throw new Error(`no navigation entry for ${view}`)
      link.click()
      return waitFor(() => viewEl(root, view))
    },
    async close() {
      handle.destroy()
      root.remove()
      await server.close()
    },
  }
  await waitFor(() => viewEl(root, options.view ?? 'dashboard'))
  return harness
}

export function viewEl(root: HTMLElement, view: ViewName): HTMLElement | null {
  return root.querySelector<HTMLElement>(`.ap-view--${view}`)
}

/** Polls `probe` until it returns something truthy (not a fixed sleep: it returns as soon as the DOM is there). */
/** The mounted portal's dashboard once its first answer is shown: the plan, or the empty state of a customer without one. */
export async function dashboardOf(portal: Harness): Promise<HTMLElement> {
  const view = viewEl(portal.root, 'dashboard')!
  await waitFor(() => view.querySelector('.ap-plan, .ap-empty'))
  return view
}

export async function waitFor<T>(probe: () => T | null | undefined | false, timeout = 4000): Promise<T> {
  // Made here so a timeout points at the test's line, not at this helper.
  const timedOut = new Error(`waitFor timed out: ${probe.toString().slice(0, 200)}`)
  try {
    return await vi.waitFor(
      () => {
        const value = probe()
        if (!value) throw new Error('not yet')
        return value
      },
      { timeout, interval: 5 },
    )
  } catch (error) {
    if (error instanceof Error && error.message !== 'not yet') throw error
    throw timedOut
  }
}

export function text(el: Element | null | undefined): string {
  return (el?.textContent ?? '').replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim()
}

/** A button by its accessible name (aria-label, else its text), inside `scope`. */
export function buttonNamed(scope: ParentNode, name: string | RegExp): HTMLButtonElement | undefined {
  return [...scope.querySelectorAll<HTMLButtonElement>('button')].find((b) => {
    const label = b.getAttribute('aria-label') ?? text(b)
    return typeof name === 'string' ? label === name : name.test(label)
  })
}

/** The open confirm dialog (the shell's), once it is there. */
export async function dialog(root: HTMLElement): Promise<HTMLElement> {
  return waitFor(() => root.querySelector<HTMLElement>('[role="dialog"]'))
}

export async function answerDialog(root: HTMLElement, confirm: boolean): Promise<HTMLElement> {
  const el = await dialog(root)
  const buttons = [...el.querySelectorAll<HTMLButtonElement>('.ap-dialog__actions button')]
  // Cancel first, confirm last (dom/dialog.ts).
  buttons[confirm ? buttons.length - 1 : 0].click()
  return el
}
