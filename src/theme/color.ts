/** Colour parsing and WCAG contrast, just enough to pick a readable text colour. */

export type Rgb = readonly [number, number, number]

export const DARK_TEXT = '#111111'
export const LIGHT_TEXT = '#ffffff'

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(%|deg|grad|rad|turn)?$/
/** Degrees per hue unit. */
const HUE_UNITS: Record<string, number> = { grad: 0.9, rad: 180 / Math.PI, turn: 360 }

/**
 * RGB (0..255) of a hex, `rgb()` or `hsl()` colour. `undefined` for any other syntax
 * (a name, `oklch()`...): valid or not, we cannot compute it here. `null` when it is
 * hex / rgb / hsl but malformed.
 */
export function parseRgb(input: string): Rgb | null | undefined {
  const value = input.trim().toLowerCase()
  if (value[0] === '#') {
    if (!/^#([\da-f]{3,4}|[\da-f]{6}|[\da-f]{8})$/.test(value)) return null
    const hex = value.length < 6 ? value.replace(/[\da-f]/g, '$&$&') : value
    return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as unknown as Rgb
  }
  const match = /^(rgb|hsl)a?\(([^)]*)\)$/.exec(value)
  if (!match) return undefined
  // Legacy (commas) and modern (spaces, "/ alpha") syntax alike.
  const parts = match[2].trim().split(/\s*[,/]\s*|\s+/)
  if (parts.length < 3 || parts.length > 4 || !parts.every((part) => NUMBER.test(part))) return null
  const [a, b, c] = parts.map(parseFloat)
  if (match[1] === 'rgb') return parts.slice(0, 3).map((part, i) => clamp(part.endsWith('%') ? ([a, b, c][i] * 255) / 100 : [a, b, c][i], 255)) as unknown as Rgb
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

function clamp(n: number, max: number): number {
  return Math.min(max, Math.max(0, n))
}

/**
 * Whether `value` is a CSS colour. Hex / rgb / hsl are parsed here; anything else must
 * look like a colour keyword or function and pass `CSS.supports` where it exists.
 */
export function isColor(value: unknown): value is string {
  if (typeof value !== 'string') return false
  const rgb = parseRgb(value)
  if (rgb !== undefined) return rgb !== null
  const trimmed = value.trim()
  if (!/^[a-z][a-z-]*(\([^;{}!"'<>]*\))?$/i.test(trimmed)) return false
  return typeof CSS === 'undefined' || typeof CSS.supports !== 'function' || CSS.supports('color', trimmed)
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

const DARK_RGB = parseRgb(DARK_TEXT) as Rgb
const LIGHT_RGB = parseRgb(LIGHT_TEXT) as Rgb

/** The text colour (dark or light) with the higher contrast on `background`. */
export function readableText(background: Rgb): string {
  return contrastRatio(background, DARK_RGB) >= contrastRatio(background, LIGHT_RGB) ? DARK_TEXT : LIGHT_TEXT
}
