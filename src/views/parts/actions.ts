import type { PortalError } from '../../api/types.js'
import type { ActionFlow, Flow } from '../../flows/index.js'
import type { ViewContext } from '../context.js'
import { h, isAbortError, toPortalError, type ButtonVariant } from './kit.js'

/**
 * Buttons that run one request at a time and announce how it went, and the flows they run.
 * Only the views that change the account use them (billing, pricing, the API-keys card:
 * chunks of their own), so this file never weighs on the dashboard's first paint.
 */

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
  /** Shows a failure in place (e.g. in a form); the failure is announced either way (the client has reported it). */
  onError?: (error: PortalError) => void
}

/**
 * A button that runs one request at a time: disabled and `aria-busy` while it runs (a
 * double click sends one request), its outcome announced.
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

/**
 * Runs a flow for a button or a form and announces the outcome. A failure is the flow's
 * (`settled` throws it): the client has reported it already, so here it is only spoken.
 */
export async function runAction(ctx: ViewContext, run: () => Promise<string | void>, onError?: (error: PortalError) => void): Promise<boolean> {
  try {
    const outcome = await run()
    if (!ctx.signal.aborted && outcome) ctx.announce(outcome)
    return true
  } catch (error) {
    if (ctx.signal.aborted || isAbortError(error)) return false
    const portalError = toPortalError(error)
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

/** A flow owned by the view: destroyed with it (its request in flight stops). */
export function own<F extends Flow<{ status: string }>>(ctx: ViewContext, flow: F): F {
  ctx.signal.addEventListener('abort', flow.destroy, { once: true })
  return flow
}

/**
 * A flow's outcome for `runAction`: its `done` state, or its error thrown when it failed
 * (anything else means it was stopped: thrown as an abort, which is not spoken).
 */
export function settled<S extends { status: string }>(state: S): Extract<S, { status: 'done' }> {
  if (state.status === 'failed') throw (state as unknown as { error: PortalError }).error
  if (state.status !== 'done') throw new DOMException('The flow was stopped', 'AbortError')
  return state as Extract<S, { status: 'done' }>
}

/** Runs a fresh action flow once (one per click: two rows' buttons never share one), stopped with the view; its result, or its error thrown. */
export async function runFlow<I, R>(ctx: ViewContext, flow: ActionFlow<I, R>, input: I): Promise<R> {
  ctx.signal.addEventListener('abort', flow.destroy, { once: true })
  try {
    return settled(await flow.run(input)).result
  } finally {
    ctx.signal.removeEventListener('abort', flow.destroy)
    flow.destroy()
  }
}
