/** Colour parsing and WCAG contrast, just enough to pick a readable text colour. */

export type Rgb = readonly [number, number, number]

export const DARK_TEXT = '#111111'
export const LIGHT_TEXT = '#ffffff'

const HEX = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i
const FUNCTIONAL = /^(rgba?|hsla?)\((.*)\)$/i

/**
 * RGB (0..255) of a hex, `rgb()` or `hsl()` colour. `undefined` for any other syntax
 * (a name, `oklch()`...): valid or not, we cannot compute it here. `null` when it is
 * hex / rgb / hsl but malformed.
 */
export function parseRgb(input: string): Rgb | null | undefined {
  const value = input.trim()
  if (value.startsWith('#')) {
    if (!HEX.test(value)) return null
    let hex = value.slice(1)
    if (hex.length <= 4) hex = [...hex].map((c) => c + c).join('')
    return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as unknown as Rgb
  }
  const match = FUNCTIONAL.exec(value)
  if (!match) return undefined
  const parts = match[2].trim().split(/\s*[,/]\s*|\s+/)
  if (parts.length !== 3 && parts.length !== 4) return null
  if (parts.length === 4 && !isAlpha(parts[3])) return null
  return match[1].toLowerCase().startsWith('rgb') ? rgbChannels(parts) : hslChannels(parts)
}

function isAlpha(part: string): boolean {
  return /^(\d+\.?\d*|\.\d+)%?$/.test(part)
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i

function rgbChannels(parts: string[]): Rgb | null {
  const channels: number[] = []
  for (const part of parts.slice(0, 3)) {
    const match = new RegExp(NUMBER.source + '(%?)$', 'i').exec(part)
    if (!match) return null
    const n = parseFloat(part)
    channels.push(clamp(match[3] === '%' ? (n / 100) * 255 : n, 0, 255))
  }
  return channels as unknown as Rgb
}

function hslChannels(parts: string[]): Rgb | null {
  const hue = /^([+-]?(?:\d+\.?\d*|\.\d+))(deg|grad|rad|turn)?$/i.exec(parts[0])
  const s = /^(\d+\.?\d*|\.\d+)%?$/.exec(parts[1])
  const l = /^(\d+\.?\d*|\.\d+)%?$/.exec(parts[2])
  if (!hue || !s || !l) return null
  const unit = (hue[2] ?? 'deg').toLowerCase()
  const turns = { deg: 1 / 360, grad: 1 / 400, rad: 1 / (2 * Math.PI), turn: 1 }[unit] ?? 1 / 360
  const h = (((parseFloat(hue[1]) * turns) % 1) + 1) % 1
  const sat = clamp(parseFloat(s[1]) / 100, 0, 1)
  const light = clamp(parseFloat(l[1]) / 100, 0, 1)
  // CSS Color 4's hslToRgb.
  const f = (n: number) => {
    const k = (n + h * 12) % 12
    const a = sat * Math.min(light, 1 - light)
    return (light - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))) * 255
  }
  return [f(0), f(8), f(4)].map(Math.round) as unknown as Rgb
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n))
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
