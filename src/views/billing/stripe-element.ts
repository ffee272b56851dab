/**
 * Adding a card through Stripe's Payment Element, once `POST /payment-methods/setup`
 * answered `{ provider: 'stripe', client_secret }` (this module is its own chunk, loaded
 * by ./stripe-entry.ts only then). Stripe.js is loaded only then too,
 * through `options.loadStripe` (the seam tests fill with a double; default: a dynamic
 * `import('@stripe/stripe-js/pure')`, so it is never in the initial bundle). The card is
 * confirmed with `confirmSetup({ redirect: 'if_required' })`, then attached with
 * `POST /payment-methods`.
 *
 * Failures are named and stay inside the form: no publishable key -> `invalid_config`;
 * Stripe.js not loading -> `stripe_unavailable` with a Retry; a declined card ->
 * `payment_failed` with Stripe's own message.
 */
// Types only: at run time this module imports nothing but Stripe.js (see ./stripe-entry.ts).
import type { PaymentMethod, PaymentSetup, PortalError } from '../../api/types.js'
import type { PortalConfig, StripeLoader } from '../../types.js'
import type { ViewContext } from '../context.js'
import type { StripeKit } from './stripe-entry.js'

/** How long Stripe.js may take to load before the form says it is unavailable. */
export const STRIPE_LOAD_TIMEOUT_MS = 20_000

/** Stripe's `Appearance`, the part the portal sets. */
export interface StripeAppearance {
  theme: 'stripe' | 'night'
  variables: { colorPrimary: string; colorBackground: string; colorText: string; fontFamily: string; borderRadius: string }
}

/** What the form calls on the object the loader resolves to (Stripe.js's `Stripe`). */
interface StripeJs {
  elements(options: { clientSecret: string; appearance: StripeAppearance }): StripeElements
  confirmSetup(options: {
    elements: StripeElements
    redirect: 'if_required'
    confirmParams?: { return_url?: string }
  }): Promise<{ error?: { type?: string; code?: string; message?: string }; setupIntent?: { payment_method?: string | { id: string } | null } }>
}
interface StripeElements {
  create(type: 'payment'): PaymentElement
}
interface PaymentElement {
  mount(host: HTMLElement): void
  destroy?(): void
}

const isStripeJs = (value: unknown): value is StripeJs =>
  typeof value === 'object' && value !== null && typeof (value as StripeJs).elements === 'function' && typeof (value as StripeJs).confirmSetup === 'function'

/** The default loader: Stripe's own, imported on first use. */
const loadFromStripe: StripeLoader = async (publishableKey) => {
  const { loadStripe } = await import('@stripe/stripe-js/pure')
  return loadStripe(publishableKey)
}

/** A loader's result, or a rejection after `STRIPE_LOAD_TIMEOUT_MS` (a script that never answers must not leave a spinner forever). */
function loadWithTimeout(loader: StripeLoader, publishableKey: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Stripe.js did not load in time')), STRIPE_LOAD_TIMEOUT_MS)
    Promise.resolve()
      .then(() => loader(publishableKey))
      .then(resolve, reject)
      .finally(() => clearTimeout(timer))
  })
}

const LIGHT = { primary: '#1c1c1c', background: '#ffffff', text: '#111827' }
const DARK = { primary: '#15171c', background: '#1a1d23', text: '#e5e7eb' }
const DEFAULT_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
const DEFAULT_RADIUS = '8px'

export interface ComputedLook {
  /** A custom property's value on the form (`''` when unset), e.g. `--ap-primary`. */
  property(name: string): string
  fontFamily: string
}

/**
 * The Payment Element's look from the portal's: `primary` is Stripe's primary colour, the
 * card background (`tertiary`) its background, and the text colour the one the portal
 * uses on that background (`textDarkTertiary`, else computed for contrast). What `config`
 * leaves out comes from the stylesheet's custom properties, then its defaults.
 */
export function stripeAppearance(config: PortalConfig, look: ComputedLook, color: StripeKit['color'], prefersDark = false): StripeAppearance {
  const { DARK_TEXT, LIGHT_TEXT, parseRgb, readableText } = color
  const dark = config.colorScheme === 'dark' || (config.colorScheme === 'auto' && prefersDark)
  const defaults = dark ? DARK : LIGHT
  const pick = (value: string | undefined, property: string, fallback: string) => value?.trim() || look.property(property).trim() || fallback
  const background = pick(config.tertiary, '--ap-tertiary', defaults.background)
  let text: string
  if (config.textDarkTertiary !== undefined) text = config.textDarkTertiary ? DARK_TEXT : LIGHT_TEXT
  else {
    const rgb = config.tertiary ? parseRgb(config.tertiary) : undefined
    text = rgb ? readableText(rgb) : pick(undefined, '--ap-on-tertiary', defaults.text)
  }
  return {
    theme: dark ? 'night' : 'stripe',
    variables: {
      colorPrimary: pick(config.primary, '--ap-primary', defaults.primary),
      colorBackground: background,
      colorText: text,
      fontFamily: look.fontFamily.trim() || pick(undefined, '--ap-font-family', DEFAULT_FONT),
      borderRadius: pick(undefined, '--ap-radius-small', DEFAULT_RADIUS),
    },
  }
}

function computedLook(el: HTMLElement): ComputedLook {
  const view = el.ownerDocument.defaultView
  const style = view && el.isConnected ? view.getComputedStyle(el) : null
  return { property: (name) => style?.getPropertyValue(name) ?? '', fontFamily: style?.fontFamily ?? '' }
}

export interface StripeFormHandlers {
  /** Attaches the PaymentMethod Stripe confirmed (the add-payment-method flow): the method, or the server's reason thrown. */
  attach(paymentMethod: string, makeDefault: boolean): Promise<PaymentMethod>
  /** The card is saved (the flow has reloaded the list). */
  added(method: PaymentMethod): void
  close(): void
}

/** The Stripe card form's content (the caller puts it in its panel). */
export function stripeForm(ctx: ViewContext, setup: Extract<PaymentSetup, { provider: 'stripe' }>, handlers: StripeFormHandlers, kit: StripeKit): HTMLElement {
  const { t } = ctx
  const { h, replaceChildren, button, runAction, setBusy, uid, cardLabel } = kit
  const errorId = uid('stripe-error')
  const host = h('div', { class: 'ap-stripe-element' })
  const status = h('p', { class: 'ap-muted', role: 'status' })
  const error = h('p', { class: 'ap-form__error', id: errorId })
  const makeDefault = h('input', { type: 'checkbox', name: 'make_default' })
  const submit = h('button', { type: 'submit', class: 'ap-button ap-button--primary', 'aria-describedby': errorId, disabled: true }, t('billing.add.submit'))
  const actions = h('div', { class: 'ap-actions' })
  const form = h(
    'form',
    { class: 'ap-form', onSubmit: (event) => void confirm(event) },
    status,
    host,
    h('label', { class: 'ap-choice' }, makeDefault, ' ', t('billing.add.makeDefault')),
    error,
    actions,
  )
  let stripe: StripeJs | null = null
  let elements: StripeElements | null = null
  let element: PaymentElement | null = null
  let busy = false
  let closed = false

  function teardown(): void {
    closed = true
    element?.destroy?.()
    element = null
  }
  ctx.signal.addEventListener('abort', teardown, { once: true })
  const close = () => {
    teardown()
    handlers.close()
  }

  /** A failure that stops the form: its message in place, reported once, a Retry when retrying can help. */
  function fail(failure: PortalError, retry: boolean): void {
    status.textContent = ''
    error.textContent = failure.message
    error.setAttribute('role', 'alert')
    ctx.report(failure)
    replaceChildren(actions, retry && button(t('state.retry'), () => void mount(), 'primary'), button(t(retry ? 'billing.add.cancel' : 'billing.add.close'), close))
  }

  async function mount(): Promise<void> {
    const { stripePubKey, loadStripe, config } = ctx.options.get()
    error.textContent = ''
    error.removeAttribute('role')
    replaceChildren(actions, submit, button(t('billing.add.cancel'), close))
    if (!stripePubKey || !/^pk_/.test(stripePubKey)) {
      // A secret key must never be passed here; refuse anything but a publishable one.
      return fail({ code: 'invalid_config', message: t('billing.add.noPubKey') }, false)
    }
    status.textContent = t('state.loading')
    let loaded: unknown = null
    try {
      loaded = await loadWithTimeout(loadStripe ?? loadFromStripe, stripePubKey)
    } catch {
      loaded = null
    }
    if (closed || ctx.signal.aborted) return
    if (!isStripeJs(loaded)) return fail({ code: 'stripe_unavailable', message: t('billing.add.stripeUnavailable') }, true)
    stripe = loaded
    try {
      elements = stripe.elements({ clientSecret: setup.client_secret, appearance: stripeAppearance(config, computedLook(form), kit.color, prefersDark(form)) })
      element = elements.create('payment')
      element.mount(host)
    } catch {
      return fail({ code: 'stripe_unavailable', message: t('billing.add.stripeUnavailable') }, true)
    }
    status.textContent = ''
    submit.disabled = false
  }

  async function confirm(event: Event): Promise<void> {
    event.preventDefault()
    if (busy || !stripe || !elements) return
    busy = true
    error.textContent = ''
    setBusy(submit, true)
    const confirmed = await stripe
      .confirmSetup({ elements, redirect: 'if_required', confirmParams: { return_url: form.ownerDocument.defaultView?.location.href } })
      .catch((thrown: unknown) => ({ error: { type: 'api_error', message: thrown instanceof Error ? thrown.message : String(thrown) }, setupIntent: undefined }))
    if (closed || ctx.signal.aborted) return
    const pm = confirmed.setupIntent?.payment_method
    if (confirmed.error || !pm) {
      const message = confirmed.error?.message || t('state.error.title')
      error.textContent = message
      ctx.announce(message)
      // An incomplete field is the customer's to fix (Stripe marks it too); anything else is a failed payment method.
      if (confirmed.error?.type !== 'validation_error') ctx.report({ code: 'payment_failed', message })
    } else {
      await runAction(
        ctx,
        async () => {
          const method = await handlers.attach(typeof pm === 'string' ? pm : pm.id, makeDefault.checked)
          teardown()
          handlers.added(method)
          return t('billing.methods.added', { card: cardLabel(ctx, method) })
        },
        (failure) => {
          error.textContent = failure.message
        },
      )
    }
    busy = false
    setBusy(submit, false)
  }

  void mount()
  return form
}

function prefersDark(el: HTMLElement): boolean {
  return el.ownerDocument.defaultView?.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false
}
