import type { PortalConfig } from '../types.js'
import { DARK_TEXT, LIGHT_TEXT, isColor, parseRgb, readableText, type Rgb } from './color.js'

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

/**
 * Sets `--ap-<slot>` and `--ap-on-<slot>` on `root` through the CSSOM (a strict CSP
 * allows it; a `style` attribute string or a `<style>` element it would not). A slot
 * left out is removed, so the stylesheet's fallback applies again after an update.
 */
export function applyTheme(root: HTMLElement, config: PortalConfig): void {
  validateTheme(config)
  const style = root.style
  for (const [slot, textDark] of SLOTS) {
    const value = config[slot]?.trim()
    const dark = textDark ? config[textDark] : undefined
    if (value) style.setProperty(`--ap-${slot}`, value)
    else style.removeProperty(`--ap-${slot}`)
    const rgb = value ? (parseRgb(value) ?? probeRgb(root, value)) : undefined
    const on = dark !== undefined ? (dark ? DARK_TEXT : LIGHT_TEXT) : rgb ? readableText(rgb) : undefined
    if (on) style.setProperty(`--ap-on-${slot}`, on)
    else style.removeProperty(`--ap-on-${slot}`)
  }
  // A chosen primary colours the buttons in every scheme; only the stylesheet's own
  // dark default gives buttons a colour apart from the sidebar's.
  for (const [from, to] of [['--ap-primary', '--ap-button-primary'], ['--ap-on-primary', '--ap-on-button-primary']]) {
    const value = config.primary ? style.getPropertyValue(from) : ''
    if (value) style.setProperty(to, value)
    else style.removeProperty(to)
  }
  root.setAttribute('data-color-scheme', config.colorScheme ?? 'light')
}

/**
 * A colour we cannot parse (a name, `oklch()`...) resolved by the browser: browsers
 * report computed colours as `rgb()`. Where they do not, the stylesheet's text colour stays.
 */
function probeRgb(root: HTMLElement, value: string): Rgb | undefined {
  if (typeof getComputedStyle !== 'function' || !root.isConnected) return undefined
  const probe = root.ownerDocument.createElement('span')
  probe.style.color = value
  root.appendChild(probe)
  try {
    return parseRgb(getComputedStyle(probe).color) ?? undefined
  } finally {
    probe.remove()
  }
}
