// @vitest-environment node
/**
 * The dark scheme's defaults, read from the stylesheets: every text colour on the
 * background the portal puts it on meets WCAG AA (4.5:1), and the buttons that carry
 * their own background stand out from the cards (3:1, WCAG 1.4.11). Translucent
 * backgrounds are composited over the card colour, as the browser does. The end-to-end
 * suite runs axe on the rendered demo; this needs no browser and names the token at fault.
 */
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { colorMaths, contrastRatio, type Rgb } from '../../src/theme/color.js'
import { colorParts, DARK_TEXT, LIGHT_TEXT } from '../../src/theme/syntax.js'

const { parseRgb } = colorMaths({ colorParts, DARK_TEXT, LIGHT_TEXT })

const styles = resolve(dirname(fileURLToPath(import.meta.url)), '../../styles')
const FILES = ['shell.css', 'views.css', 'pricing.css']

/** The declarations of the first block whose selector is exactly `selector`. */
function block(css: string, selector: string): Record<string, string> {
  const at = css.indexOf(`${selector} {`)
  if (at < 0) return {}
  const body = css.slice(css.indexOf('{', at) + 1, css.indexOf('}', at))
  const out: Record<string, string> = {}
  for (const [, name, value] of body.matchAll(/(--ap-[\w-]+)\s*:\s*([^;]+);/g)) out[name] = value.trim()
  return out
}

const dark: Record<string, string> = {}
const auto: Record<string, string> = {}
for (const file of FILES) {
  const css = readFileSync(resolve(styles, file), 'utf8')
  Object.assign(dark, block(css, ":where(.ap-portal[data-color-scheme='dark'])"))
  Object.assign(auto, block(css.slice(css.indexOf('@media (prefers-color-scheme: dark)')), "  :where(.ap-portal[data-color-scheme='auto'])"))
}

/** RGB and alpha of a token's value (`#hex` or `rgb(r g b / a)`). */
function colour(token: string): { rgb: Rgb; alpha: number } {
  const value = token.startsWith('--') ? dark[token] : token
  if (value === undefined) throw new Error(`${token} has no dark default`)
  const rgb = parseRgb(value)
  if (!rgb) throw new Error(`${token}: cannot parse ${value}`)
  const alpha = /\/\s*([\d.]+)\s*\)$/.exec(value)?.[1]
  return { rgb, alpha: alpha === undefined ? 1 : Number(alpha) }
}

/** `top` over `under`, as the browser paints a translucent background. */
function over(top: string, under: string): Rgb {
  const { rgb, alpha } = colour(top)
  const base = colour(under).rgb
  return rgb.map((c, i) => Math.round(c * alpha + base[i] * (1 - alpha))) as unknown as Rgb
}

const ratio = (text: string, background: string, surface = '--ap-tertiary') => contrastRatio(over(text, background), over(background, surface))

describe('dark scheme defaults', () => {
  it('are the same whether the scheme is chosen (dark) or follows the system (auto)', () => {
    expect(Object.keys(dark).length).toBeGreaterThan(20)
    expect(auto).toEqual(dark)
  })

  it.each([
    ['sidebar text', '--ap-on-primary', '--ap-primary'],
    ['page text', '--ap-on-secondary', '--ap-secondary'],
    ['card text', '--ap-on-tertiary', '--ap-tertiary'],
    ['primary button', '--ap-on-button-primary', '--ap-button-primary'],
    // `.ap-button--danger` has white text unless --ap-on-danger is set.
    ['danger button', '#ffffff', '--ap-danger'],
    ['toggle, checked', '--ap-toggle-checked-text', '--ap-toggle-checked-bg'],
    ['saving badge', '--ap-on-accent', '--ap-accent'],
    ['link on a card', '--ap-link', '--ap-tertiary'],
    ['error panel', '--ap-danger-text', '--ap-danger-bg'],
    ['notice', '--ap-notice-text', '--ap-notice-bg'],
    ['badge: neutral', '--ap-badge-neutral-text', '--ap-badge-neutral-bg'],
    ['badge: success', '--ap-badge-success-text', '--ap-badge-success-bg'],
    ['badge: info', '--ap-badge-info-text', '--ap-badge-info-bg'],
    ['badge: warning', '--ap-badge-warning-text', '--ap-badge-warning-bg'],
    ['badge: danger', '--ap-badge-danger-text', '--ap-badge-danger-bg'],
    ['meter text: warning', '--ap-meter-warning-text', '--ap-tertiary'],
    ['meter text: danger', '--ap-meter-danger-text', '--ap-tertiary'],
    ['yearly saving', '--ap-saving-text', '--ap-tertiary'],
  ])('%s: %s on %s is at least 4.5:1', (_name, text, background) => {
    expect(ratio(text, background)).toBeGreaterThanOrEqual(4.5)
  })

  it.each([
    ['primary button', '--ap-button-primary'],
    ['danger button', '--ap-danger'],
  ])('%s: %s stands out from the cards (3:1)', (_name, background) => {
    expect(contrastRatio(colour(background).rgb, colour('--ap-tertiary').rgb)).toBeGreaterThanOrEqual(3)
  })

  it('primary buttons take their own tokens, so a dark theme’s sidebar colour does not hide them', () => {
    const shell = readFileSync(resolve(styles, 'shell.css'), 'utf8')
    const rule = shell.slice(shell.indexOf('.ap-button--primary {'), shell.indexOf('}', shell.indexOf('.ap-button--primary {')))
    expect(rule).toContain('background: var(--ap-button-primary, var(--ap-primary, #1c1c1c))')
    expect(rule).toContain('color: var(--ap-on-button-primary, var(--ap-on-primary, #ffffff))')
  })
})
