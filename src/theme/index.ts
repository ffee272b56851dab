import type { PortalConfig } from '../types.js'
import type { ColorMaths } from './color.js'
import { colorParts, DARK_TEXT, LIGHT_TEXT, isColor } from './syntax.js'

const SLOTS = [
  ['primary', 'textDarkPrimary'],
  ['secondary', 'textDarkSecondary'],
  ['tertiary', 'textDarkTertiary'],
  ['accent', undefined],
] as const

const SCHEMES = ['light', 'dark', 'auto']

/** Throws a TypeError naming the first theming option that is not what it should be. */
export function validateTheme(config: PortalConfig): void {
  for (const [slot, textDark] of SLOTS) {
    const value = config[slot]
    if (value !== undefined && !isColor(value)) {
      throw new TypeError(`config.${slot} must be a CSS colour such as "#1c1c1c" or "rgb(28 28 28)" (got ${JSON.stringify(value)})`)
    }
    if (textDark && config[textDark] !== undefined && typeof config[textDark] !== 'boolean') {
      throw new TypeError(`config.${textDark} must be a boolean`)
    }
  }
  if (config.colorScheme !== undefined && !SCHEMES.includes(config.colorScheme)) {
    throw new TypeError(`config.colorScheme must be "light", "dark" or "auto" (got ${JSON.stringify(config.colorScheme)})`)
  }
}

/** The colour maths (./color.ts), a chunk: only a colour without its `textDark*` needs it. */
let maths: ColorMaths | undefined
let loadingMaths: Promise<unknown> | undefined
const loadMaths = () =>
  (loadingMaths ??= import('./color.js').then(
    (m) => (maths = m.colorMaths({ colorParts, DARK_TEXT, LIGHT_TEXT })),
    () => (loadingMaths = undefined), // the stylesheet's text colours stay; the next theme tries again
  ))

const needsMaths = (config: PortalConfig) => !maths && SLOTS.some(([slot, textDark]) => config[slot]?.trim() && (!textDark || config[textDark] === undefined))

/** Each root's latest theme: a theme that waited for the maths applies only if no other came since. */
const themes = new WeakMap<HTMLElement, PortalConfig>()

/**
 * Sets `--ap-<slot>` and `--ap-on-<slot>` on `root` through the CSSOM (a strict CSP
 * allows it; a `style` attribute string or a `<style>` element it would not). A slot
 * left out is removed, so the stylesheet's fallback applies again after an update.
 *
 * A text colour to compute waits for the maths chunk (the promise returned): a root's first
 * theme sets its colours at once (the shell draws nothing on them before their text
 * colours, see `whenThemed`); a later one applies whole, so new colours never show with old text colours.
 */
export function applyTheme(root: HTMLElement, config: PortalConfig): Promise<void> | undefined {
  validateTheme(config)
  const first = !themes.has(root)
  themes.set(root, config)
  if (!needsMaths(config)) return void (paintColors(root, config), paintText(root, config))
  if (first) paintColors(root, config)
  return loadMaths().then(() => {
    if (themes.get(root) !== config) return
    if (!first) paintColors(root, config)
    paintText(root, config)
  })
}

/** Runs `then` once `root`'s theme has its text colours (at once unless the maths are loading), unless `isCurrent()` says the caller moved on. */
export function whenThemed(root: HTMLElement, isCurrent: () => boolean, then: () => void): void {
  const config = themes.get(root)
  if (!config || !needsMaths(config)) return then()
  void loadMaths().then(() => isCurrent() && then())
}

const setOrRemove = (style: CSSStyleDeclaration, name: string, value: string | undefined) => (value ? style.setProperty(name, value) : style.removeProperty(name))

function paintColors(root: HTMLElement, config: PortalConfig): void {
  for (const [slot] of SLOTS) setOrRemove(root.style, `--ap-${slot}`, config[slot]?.trim())
  // A chosen primary colours the buttons in every scheme; only the stylesheet's own
  // dark default gives buttons a colour apart from the sidebar's.
  setOrRemove(root.style, '--ap-button-primary', config.primary && root.style.getPropertyValue('--ap-primary'))
  root.setAttribute('data-color-scheme', config.colorScheme ?? 'light')
}

/** The text colours: `textDark*` where given, else the readable one when the maths can tell (else the stylesheet's). */
function paintText(root: HTMLElement, config: PortalConfig): void {
  for (const [slot, textDark] of SLOTS) {
    const value = config[slot]?.trim()
    const dark = textDark ? config[textDark] : undefined
    setOrRemove(root.style, `--ap-on-${slot}`, dark !== undefined ? (dark ? DARK_TEXT : LIGHT_TEXT) : value && maths?.textColorOn(root, value))
  }
  setOrRemove(root.style, '--ap-on-button-primary', config.primary && root.style.getPropertyValue('--ap-on-primary'))
}
