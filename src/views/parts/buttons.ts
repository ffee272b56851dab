import { isAbortError, newIdempotencyKey } from '../../api/client.js'
import type { PortalError } from '../../api/types.js'
import { h } from '../../dom/h.js'
import { toPortalError } from '../../session/resource.js'
import type { MutationRequestOptions, ViewContext } from '../context.js'

/** Buttons: plain ones, and the ones that run one request at a time and announce how it went. */

export function button(label: string, onClick: () => void, variant: ButtonVariant = 'secondary', attrs: Record<string, string> = {}): HTMLButtonElement {
  return h('button', { type: 'button', class: `ap-button ap-button--${variant}`, ...attrs, onClick }, label)
}

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'link'

export interface ActionOptions {
  label: string
  /** The accessible name when the visible label alone is ambiguous ("Remove" -> "Remove Visa ending in 4242"). */
  ariaLabel?: string
  variant?: ButtonVariant
  /** Lets a re-render give focus back to this button's replacement (see `bindResource`). */
  focusKey?: string
  /** Asked before the request; resolving false does nothing. Runs before the button turns busy, so focus can return to it. */
  confirm?: () => Promise<boolean>
  /** The request. Resolves to what screen readers should hear, if anything. */
  run: () => Promise<string | void>
  /** Shows a failure in place (e.g. in a form); the failure is announced and reported either way. */
  onError?: (error: PortalError) => void
}

/**
 * A button that runs one request at a time: disabled and `aria-busy` while it runs (a
 * double click sends one request), its outcome announced, its failure reported.
 */
export function actionButton(ctx: ViewContext, options: ActionOptions): HTMLButtonElement {
  let busy = false
  const el = h(
    'button',
    { type: 'button', class: `ap-button ap-button--${options.variant ?? 'secondary'}`, 'aria-label': options.ariaLabel, 'data-ap-focus': options.focusKey, onClick: () => void trigger() },
    options.label,
  )
  async function trigger(): Promise<void> {
    if (busy) return
    busy = true
    try {
      if (options.confirm && !(await options.confirm())) return
      if (ctx.signal.aborted) return
      setBusy(el, true)
      await runAction(ctx, options.run, options.onError)
    } finally {
      busy = false
      setBusy(el, false)
    }
  }
  return el
}

/** Runs a request for a button or a form: announces the outcome and hands failures to the session. */
export async function runAction(ctx: ViewContext, run: () => Promise<string | void>, onError?: (error: PortalError) => void): Promise<boolean> {
  try {
    const outcome = await run()
    if (!ctx.signal.aborted && outcome) ctx.announce(outcome)
    return true
  } catch (error) {
    if (ctx.signal.aborted || isAbortError(error)) return false
    const portalError = toPortalError(error)
    ctx.report(portalError)
    ctx.announce(portalError.message)
    onError?.(portalError)
    return false
  }
}

export function setBusy(el: HTMLButtonElement, busy: boolean): void {
  el.disabled = busy
  if (busy) el.setAttribute('aria-busy', 'true')
  else el.removeAttribute('aria-busy')
}

/** One mutation's request options: its own Idempotency-Key (so the client may retry it safely), stopped with the view. */
export function once(ctx: ViewContext): MutationRequestOptions {
  return { idempotencyKey: newIdempotencyKey(), signal: ctx.signal }
}
