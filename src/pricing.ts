import { atom } from 'nanostores'
import { h } from './dom/h.js'
import { loadFlows } from './flows/lazy.js'
import { safeHref } from './dom/href.js'
import { withEnglish } from './i18n/translate.js'
import { createShell, type WithClient } from './shell/shell.js'
import type { PortalHandle, PortalOptions, PricingOptions } from './types.js'
import { fail, validatePortalOptions } from './validate.js'
import type { View } from './views/context.js'
import { lazyView } from './views/lazy.js'
import { withKit } from './views/parts/core-kit.js'
import { skeleton } from './views/parts/resource.js'
import type { pricingView, PricingSettings } from './views/pricing.js'

/** The cards are a chunk of their own (with the flows' chunk they run): a page that mounts only the customer portal never loads them. */
const loadPricingView = lazyView(() => Promise.all([import('./views/pricing.js').then(withKit), loadFlows()]).then(([m]) => withEnglish(m.english, m.pricingView)))

/** Programmer errors, caught at the call: a TypeError naming the option. On `update`, only the keys present are checked. */
export function validatePricingOptions(options: Partial<PricingOptions>, initial: boolean, el?: unknown): void {
  if (initial && (el as Node | null)?.nodeType !== 1) fail('createPricingPortal(el, options): el', 'an HTMLElement', el)
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options)
  const has = (key: keyof PricingOptions) => options[key] !== undefined
  if ((initial || has('publicKey')) && (typeof options.publicKey !== 'string' || options.publicKey === '')) {
    fail('publicKey', "a non-empty string: your app's public key", options.publicKey)
  }
  // The options both portals share (token, getToken, apiUrl, config, locale, messages...) are checked alike.
  validatePortalOptions(options as Partial<PortalOptions>, false)
  if (has('period') && options.period !== 'month' && options.period !== 'year') fail('period', '"month" or "year"', options.period)
  if (has('plans') && !(Array.isArray(options.plans) && options.plans.every((id) => typeof id === 'string'))) {
    fail('plans', 'an array of plan ids (strings)', options.plans)
  }
  for (const key of ['title', 'description', 'featuredPlanId', 'signupHref', 'onSelect'] as const) {
    const type = key === 'onSelect' ? 'function' : 'string'
    if (has(key) && typeof options[key] !== type) fail(key, `a ${type}`, options[key])
  }
  if (has('signupHref') && safeHref(options.signupHref) === null) fail('signupHref', 'an http(s) or relative URL', options.signupHref)
}

/**
 * Mounts the pricing portal into `el`: plans as cards for a visitor (no token, the
 * public plans of `publicKey`) or for a signed-in customer (a token: their current plan
 * marked, plan changes in place). Same lifecycle as `createPortal`: one instance per
 * mount, `update` applies what changed without a remount, `destroy` leaves nothing.
 */
export function createPricingPortal(el: HTMLElement, options: WithClient<PricingOptions>): PortalHandle<PricingOptions> {
  validatePricingOptions(options, true, el)
  const $settings = atom<PricingSettings>(settings(options))
  const shell = createShell<WithClient<PricingOptions>>(el, {
    options,
    validate: (next) => validatePricingOptions(next, false),
    keep: ['publicKey'],
    className: 'ap-portal ap-portal--pricing',
    view() {
      const loaded = loadPricingView()
      const bind = (render: typeof pricingView): View => (ctx) => render(ctx, $settings)
      return loaded instanceof Promise ? loaded.then(bind) : bind(loaded)
    },
    placeholder(ctx) {
      const body = h('div', { class: 'ap-pricing__body' }, skeleton(ctx, 4))
      const el = h('section', { class: 'ap-pricing', 'aria-label': $settings.get().title || ctx.t('pricing.label') }, body)
      return { el, body, errorTitle: ctx.t('pricing.error') }
    },
    // One view: nothing to navigate to.
    navigate: () => undefined,
  })

  // A shared client may sign in or out by itself.
  const stopSignedIn = shell.client.signedIn.listen(() => $settings.set(settings(shell.opts)))
  return shell.handle(() => $settings.set(settings(shell.opts)), stopSignedIn)
}

/** What the cards render from: the options, and whether a customer is signed in (the client has a token: its own, or a shared one's). */
function settings(opts: WithClient<PricingOptions>): PricingSettings {
  return { ...opts, signedIn: opts.client ? opts.client.signedIn.get() : !!opts.token }
}
