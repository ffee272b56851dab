/**
 * What every framework page shares: the demo's own state (customer, token, theme,
 * the errors the portal reported) and the controls in the page's header. The
 * framework pages only read `demo` and pass it to their adapter, the way an app would.
 */
import { atom } from 'nanostores'
import type { PortalConfig, PortalError, PortalOptions } from '@archetypeapi/portals'

export const CUSTOMERS = [
  'cus_active',
  'cus_trialing',
  'cus_past_due',
  'cus_canceling',
  'cus_canceled',
  'cus_free',
  'cus_many_invoices',
] as const

export const PUBLIC_KEY = 'pk_demo'
export const LOGO_URL = '/demo/logo.svg'

/** Two or three `config` presets, one dark; applied with `update({ config })`. */
export const THEMES: Record<string, { label: string; config: PortalConfig }> = {
  default: { label: 'Default (light)', config: { colorScheme: 'light' } },
  ocean: {
    label: 'Ocean',
    config: { primary: '#0b5cad', secondary: '#f3f7fb', tertiary: '#ffffff', accent: '#0b7a55', colorScheme: 'light' },
  },
  midnight: {
    label: 'Midnight (dark)',
    // The original docs' example config, with an accent that keeps 4.5:1 on the dark cards.
    config: {
      primary: '#1c1c1c',
      secondary: '#262626',
      tertiary: '#383838',
      accent: '#34d399',
      textDarkPrimary: false,
      textDarkSecondary: false,
      textDarkTertiary: false,
      colorScheme: 'dark',
    },
  },
}

export interface DemoState {
  /** `null`: an anonymous visitor, who only sees the pricing portal. */
  customer: string | null
  token: string | null
  /** Unix seconds of the newest token. */
  expiresAt: number | null
  theme: string
  config: PortalConfig
  /** Present while "renew silently" is on. */
  getToken: (() => Promise<string>) | undefined
}

export const demo = atom<DemoState>({
  customer: null,
  token: null,
  expiresAt: null,
  theme: 'default',
  config: { ...THEMES.default.config, returnHref: '/' },
  getToken: undefined,
})

const params = new URLSearchParams(location.search)
/** `?ttl=5` shortens the short-lived token (the end-to-end suite's expiry test); default 30 s. */
const SHORT_TTL = clampTtl(Number(params.get('ttl') ?? '30'))

/**
 * The customer portal's extra options from the page's query: `?controls=<preset>` talks to
 * a handler with the seller's controls (demo/server.mjs), `?open=<flow>` (with `&price=`
 * for a plan) starts in a flow, `?sync=1` keeps the view and flow in the URL hash.
 */
export const portalLinks: Pick<PortalOptions, 'apiUrl' | 'open' | 'syncUrl'> = {
  ...(params.get('controls') ? { apiUrl: `/api/controls/${encodeURIComponent(params.get('controls')!)}` } : {}),
  ...(params.get('open') ? { open: (params.get('price') ? { flow: 'change-plan', priceId: params.get('price')! } : params.get('open')) as PortalOptions['open'] } : {}),
  ...(params.get('sync') === '1' ? { syncUrl: true } : {}),
}

function clampTtl(value: number): number {
  return Number.isInteger(value) && value >= 1 && value <= 3600 ? value : 30
}

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id)
  if (!el) throw new Error(`demo page is missing #${id}`)
  return el as T
}

interface Minted {
  token: string
  expires_at: number
}

/** `GET /token?customer=…`: the route from the original docs' Express example. */
async function mint(customer: string, ttl: number | null): Promise<Minted> {
  const query = new URLSearchParams({ customer })
  if (ttl !== null) query.set('ttl', String(ttl))
  const response = await fetch(`/token?${query}`)
  if (!response.ok) throw new Error(`GET /token answered ${response.status}`)
  const body = (await response.json()) as { data?: Minted } & Partial<Minted>
  const minted = body.data ?? body
  if (typeof minted.token !== 'string' || typeof minted.expires_at !== 'number') throw new Error('GET /token answered without a token')
  return { token: minted.token, expires_at: minted.expires_at }
}

function set(patch: Partial<DemoState>): void {
  demo.set({ ...demo.get(), ...patch })
}

/** The `onError` every page passes: logs the code where a tester and a reader can see it. */
export function reportError(error: PortalError | string): void {
  const code = typeof error === 'string' ? error : error.code
  if (code === '') return // React's errorHandler clears with "".
  const item = document.createElement('li')
  item.textContent = code
  byId('demo-errors').append(item)
  byId('demo-errors-empty').hidden = true
  if (code === 'session_expired') byId('demo-new-token').hidden = false
}

/** The selection an anonymous visitor made in the pricing portal. */
export function reportSelection(selection: { plan: { name: string }; price: { period: string } }): void {
  byId('demo-selection').textContent = `Selected ${selection.plan.name}, billed per ${selection.price.period}.`
}

/** Wires the header controls and mints the first token. Call once, before rendering. */
export async function startDemo(): Promise<void> {
  const requested = params.get('customer') ?? 'cus_active'
  const customer = requested === 'anonymous' ? null : requested
  const theme = params.get('theme') && params.get('theme')! in THEMES ? params.get('theme')! : 'default'
  const shortSwitch = byId<HTMLInputElement>('demo-short-token')
  const renewSwitch = byId<HTMLInputElement>('demo-renew')
  const themeSelect = byId<HTMLSelectElement>('demo-theme')
  const customerSelect = byId<HTMLSelectElement>('demo-customer')
  byId('demo-ttl').textContent = String(SHORT_TTL)
  shortSwitch.checked = params.has('ttl')
  renewSwitch.checked = params.get('renew') === '1'
  // An anonymous visitor has no token to expire or renew.
  shortSwitch.disabled = renewSwitch.disabled = !customer
  themeSelect.value = theme
  customerSelect.value = customer ?? 'anonymous'
  for (const link of document.querySelectorAll<HTMLAnchorElement>('a[data-keep-customer]')) {
    link.search = `?customer=${encodeURIComponent(customer ?? 'anonymous')}`
  }
  document.documentElement.dataset.theme = theme
  set({ customer, theme, config: { ...THEMES[theme].config, returnHref: '/' } })

  const ttl = () => (shortSwitch.checked ? SHORT_TTL : null)
  const renew = async (): Promise<string> => {
    const minted = await mint(customer!, ttl())
    set({ expiresAt: minted.expires_at })
    return minted.token
  }
  const mintInto = async () => {
    if (!customer) return
    const minted = await mint(customer, ttl())
    set({ token: minted.token, expiresAt: minted.expires_at })
  }
  const syncUrl = () => {
    const next = new URLSearchParams(location.search)
    if (shortSwitch.checked) next.set('ttl', String(SHORT_TTL))
    else next.delete('ttl')
    if (renewSwitch.checked) next.set('renew', '1')
    else next.delete('renew')
    next.set('theme', themeSelect.value)
    history.replaceState(null, '', `?${next}`)
  }

  themeSelect.addEventListener('change', () => {
    // The page around the portal follows, so a dark portal does not sit on a white page.
    document.documentElement.dataset.theme = themeSelect.value
    set({ theme: themeSelect.value, config: { ...THEMES[themeSelect.value].config, returnHref: '/' } })
    syncUrl()
  })
  shortSwitch.addEventListener('change', () => {
    syncUrl()
    void mintInto()
  })
  renewSwitch.addEventListener('change', () => {
    syncUrl()
    set({ getToken: renewSwitch.checked ? renew : undefined })
  })
  byId('demo-new-token').addEventListener('click', async () => {
    await mintInto()
    byId('demo-new-token').hidden = true
  })
  showExpiry()
  if (renewSwitch.checked) set({ getToken: renew })
  await mintInto()
}

/** "Token expires at 14:03:07 (in 27 s)", ticking; not a live region on purpose. */
function showExpiry(): void {
  const status = byId('demo-token-status')
  const render = () => {
    const { customer, expiresAt } = demo.get()
    if (!customer) status.textContent = 'Anonymous visitor: no token.'
    else if (expiresAt === null) status.textContent = 'Minting a token…'
    else {
      const left = expiresAt - Math.floor(Date.now() / 1000)
      const at = new Date(expiresAt * 1000).toLocaleTimeString()
      status.textContent = left > 0 ? `Token expires at ${at} (in ${formatLeft(left)}).` : `Token expired at ${at}.`
    }
  }
  demo.subscribe(render)
  setInterval(render, 1000)
}

function formatLeft(seconds: number): string {
  return seconds >= 120 ? `${Math.round(seconds / 60)} min` : `${seconds} s`
}
