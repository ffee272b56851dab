import { h } from './h.js'

export interface LiveRegion {
  el: HTMLElement
  announce(message: string): void
  destroy(): void
}

/**
 * The portal's polite `aria-live` region. The text is cleared first and set a tick
 * later, so a screen reader speaks the same message twice in a row as well.
 */
export function createLiveRegion(): LiveRegion {
  const el = h('div', { class: 'ap-sr-only', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' })
  let timer: ReturnType<typeof setTimeout> | undefined
  return {
    el,
    announce(message) {
      clearTimeout(timer)
      el.textContent = ''
      timer = setTimeout(() => {
        timer = undefined
        el.textContent = message
      }, 50)
    },
    destroy() {
      clearTimeout(timer)
      timer = undefined
      el.remove()
    },
  }
}
