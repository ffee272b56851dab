/**
 * Colour maths and WCAG contrast, just enough to pick a readable text colour. A chunk:
 * the core loads it only for a config that sets a colour (./index.ts), the card form with Stripe's.
 * What it needs of ./syntax.ts (in the core) its loader hands to `colorMaths`, so the chunk
 * imports nothing of the core: syntax.ts then stays in the core's one file
 * (test/unit/views/kit.test.ts) rather than a shared chunk the core would load up front.
 */
import type { colorParts } from './syntax.js'

/** What the maths takes from ./syntax.ts. */
export interface ColorSyntax {
  colorParts: typeof colorParts
  DARK_TEXT: string
  LIGHT_TEXT: string
}

export type Rgb = readonly [number, number, number]

/** Degrees per hue unit. */
const HUE_UNITS: Record<string, number> = { grad: 0.9, rad: 180 / Math.PI, turn: 360 }

function clamp(n: number, max: number): number {
  return Math.min(max, Math.max(0, n))
}

/** WCAG 2 relative luminance. */
export function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (hi + 0.05) / (lo + 0.05)
}

/**
 * The maths that parse a colour, with what it takes from ./syntax.ts; `DARK_TEXT` and
 * `LIGHT_TEXT` come back with them, the two answers of `readableText`.
 */
export function colorMaths({ colorParts, DARK_TEXT, LIGHT_TEXT }: ColorSyntax) {
  /**
   * RGB (0..255) of a hex, `rgb()` or `hsl()` colour. `undefined` for any other syntax
   * (a name, `oklch()`...): valid or not, we cannot compute it here. `null` when it is
   * hex / rgb / hsl but malformed.
   */
  function parseRgb(input: string): Rgb | null | undefined {
    const parsed = colorParts(input)
    if (!parsed) return parsed
    const [kind, ...parts] = parsed
    if (kind === '#') {
      const hex = parts[0].length < 5 ? parts[0].replace(/[\da-f]/g, '$&$&') : parts[0]
      return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as unknown as Rgb
    }
    const [a, b, c] = parts.map(parseFloat)
    if (kind === 'rgb') return parts.slice(0, 3).map((part, i) => clamp(part.endsWith('%') ? ([a, b, c][i] * 255) / 100 : [a, b, c][i], 255)) as unknown as Rgb
    const h = ((((a * (HUE_UNITS[parts[0].replace(/[^a-z]/g, '')] ?? 1)) % 360) + 360) % 360) / 30
    const sat = clamp(b / 100, 1)
    const light = clamp(c / 100, 1)
    // CSS Color 4's hslToRgb.
    const f = (n: number) => {
      const k = (n + h) % 12
      return Math.round((light - sat * Math.min(light, 1 - light) * Math.max(-1, Math.min(k - 3, 9 - k, 1))) * 255)
    }
    return [f(0), f(8), f(4)]
  }

  const DARK_RGB = parseRgb(DARK_TEXT) as Rgb
  const LIGHT_RGB = parseRgb(LIGHT_TEXT) as Rgb

  /** The text colour (dark or light) with the higher contrast on `background`. */
  function readableText(background: Rgb): string {
    return contrastRatio(background, DARK_RGB) >= contrastRatio(background, LIGHT_RGB) ? DARK_TEXT : LIGHT_TEXT
  }

  /**
   * The readable text colour on `value` (a colour inside `root`), or `undefined` when it cannot
   * be told: a colour we cannot parse (a name, `oklch()`...) is resolved by the browser, which
   * reports computed colours as `rgb()`. Where it does not, the stylesheet's text colour stays.
   */
  function textColorOn(root: HTMLElement, value: string): string | undefined {
    const rgb = parseRgb(value) ?? probeRgb(root, value)
    return rgb ? readableText(rgb) : undefined
  }

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

  return { DARK_TEXT, LIGHT_TEXT, parseRgb, readableText, textColorOn }
}

export type ColorMaths = ReturnType<typeof colorMaths>
