/**
 * The one way views make DOM. Children that are strings become text nodes, so server
 * text can never become markup. There is no `style` or `innerHTML` prop on purpose:
 * colours go through the CSSOM (see theme/) and a strict CSP holds.
 */
export type Child = Node | string | number | null | undefined | false | Child[]

type EventProps = { [K in keyof HTMLElementEventMap as `on${Capitalize<K>}`]?: (event: HTMLElementEventMap[K]) => void }

export type Props = EventProps & {
  class?: string | false | null | undefined
  /** Any attribute; `false`, `null` and `undefined` leave it out, `true` sets it empty. */
  [attribute: string]: unknown
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue
      if (key.startsWith('on') && typeof value === 'function') {
        el.addEventListener(key.slice(2).toLowerCase(), value as EventListener)
      } else if (key === 'style' || key === 'innerHTML' || key === 'outerHTML') {
        throw new TypeError(`h(): "${key}" is not allowed; use classes and CSS custom properties`)
      } else {
        el.setAttribute(key, value === true ? '' : String(value))
      }
    }
  }
  append(el, children)
  return el
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    if (Array.isArray(child)) append(parent, child)
    else parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)))
  }
}

/** Replaces everything inside `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.textContent = ''
  append(parent, children)
}
