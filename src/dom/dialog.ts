import type { h as H } from './h.js'

export interface ConfirmOptions {
  title: string
  body?: string | Node
  confirmLabel: string
  cancelLabel?: string
  destructive?: boolean
  /** The portal flow this dialog is (`'cancel'`): marked `data-ap-flow` for the deep-link router, which closes it (as Cancel) with an `ap-close` event on back/forward. */
  flow?: string
}

let ids = 0

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'

/**
 * A modal confirmation inside `root`: `role="dialog"` + `aria-modal`, the rest of the
 * portal made `inert`, Tab kept inside, Escape or the backdrop cancels, and focus goes
 * back to whatever had it. Resolves true on confirm; false on cancel or when `signal`
 * aborts (the portal was destroyed), in which case the dialog is simply removed.
 *
 * `h` comes from the caller (the shell): this module is a chunk, and one that imports
 * nothing of the core leaves `h` in the core's one file (test/unit/views/kit.test.ts).
 */
export function confirmDialog(h: typeof H, root: HTMLElement, options: ConfirmOptions, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false)
    const doc = root.ownerDocument
    const opener = doc.activeElement instanceof HTMLElement ? doc.activeElement : null
    const id = `ap-dialog-${++ids}`
    let closed = false
    const cancel = h('button', { type: 'button', class: 'ap-button ap-button--secondary', onClick: () => close(false) }, options.cancelLabel ?? 'Cancel')
    const confirm = h(
      'button',
      { type: 'button', class: options.destructive ? 'ap-button ap-button--danger' : 'ap-button ap-button--primary', onClick: () => close(true) },
      options.confirmLabel,
    )
    const body = options.body === undefined ? null : typeof options.body === 'string' ? h('p', { id: `${id}-body` }, options.body) : h('div', { id: `${id}-body` }, options.body)
    const dialog = h(
      'div',
      { class: 'ap-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': `${id}-title`, 'aria-describedby': body ? `${id}-body` : undefined, 'data-ap-flow': options.flow, onKeydown: onKey },
      h('h2', { id: `${id}-title`, class: 'ap-dialog__title' }, options.title),
      body,
      h('div', { class: 'ap-dialog__actions' }, cancel, confirm),
    )
    const backdrop = h('div', { class: 'ap-dialog-backdrop', onClick: (event: MouseEvent) => event.target === backdrop && close(false) }, dialog)
    dialog.addEventListener('ap-close', () => close(false))

    // Everything else in the portal leaves the tab order and the accessibility tree.
    // (The live region stays reachable: outcomes are announced while a dialog is open.)
    const madeInert = [...root.children].filter((child) => !child.hasAttribute('inert') && !child.hasAttribute('aria-live'))
    for (const child of madeInert) child.setAttribute('inert', '')
    root.appendChild(backdrop)
    // A destructive action starts on the safe choice.
    ;(options.destructive ? cancel : confirm).focus()
    signal?.addEventListener('abort', onAbort, { once: true })

    function onKey(event: KeyboardEvent) {
      if (event.key === 'Escape') {
        event.preventDefault()
        event.stopPropagation()
        close(false)
      } else if (event.key === 'Tab') {
        const focusable = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)]
        const first = focusable[0]
        const last = focusable[focusable.length - 1]
        const active = doc.activeElement
        if (event.shiftKey && (active === first || !dialog.contains(active))) {
          event.preventDefault()
          last.focus()
        } else if (!event.shiftKey && (active === last || !dialog.contains(active))) {
          event.preventDefault()
          first.focus()
        }
      }
    }

    function onAbort() {
      if (closed) return
      closed = true
      teardown()
      resolve(false)
    }

    function teardown() {
      signal?.removeEventListener('abort', onAbort)
      backdrop.remove()
      for (const child of madeInert) child.removeAttribute('inert')
    }

    function close(result: boolean) {
      if (closed) return
      closed = true
      teardown()
      if (opener?.isConnected) opener.focus()
      resolve(result)
    }
  })
}
