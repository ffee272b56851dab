import { h } from '../../dom/h.js'

/** Plain buttons. The ones that run a request are in ./actions.ts: only the views that change the account (chunks of their own) use them. */

export function button(label: string, onClick: () => void, variant: ButtonVariant = 'secondary', attrs: Record<string, string> = {}): HTMLButtonElement {
  return h('button', { type: 'button', class: `ap-button ap-button--${variant}`, ...attrs, onClick }, label)
}

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'link'
