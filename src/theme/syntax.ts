/**
 * What the core knows of colours: whether a string is one (checked at the call, a
 * TypeError naming the option) and the two text colours a theme picks from. The maths on
 * a colour (./color.ts) is a chunk: only a config that sets a colour needs it.
 */

export const DARK_TEXT = '#111111'
export const LIGHT_TEXT = '#ffffff'

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(%|deg|grad|rad|turn)?$/

/**
 * A hex, `rgb()` or `hsl()` colour in parts: `['#', 'rrggbb']` (the hex digits), or the
 * function's name and its 3 or 4 numbers as written. `undefined` for any other syntax (a
 * name, `oklch()`...); `null` when it is hex / rgb / hsl but malformed.
 */
export function colorParts(input: string): readonly string[] | null | undefined {
  const value = input.trim().toLowerCase()
  if (value[0] === '#') return /^#([\da-f]{3,4}|[\da-f]{6}|[\da-f]{8})$/.test(value) ? ['#', value.slice(1)] : null
  const match = /^(rgb|hsl)a?\(([^)]*)\)$/.exec(value)
  if (!match) return undefined
  // Legacy (commas) and modern (spaces, "/ alpha") syntax alike.
  const parts = match[2].trim().split(/\s*[,/]\s*|\s+/)
  return parts.length < 3 || parts.length > 4 || !parts.every((part) => NUMBER.test(part)) ? null : [match[1], ...parts]
}

/**
 * Whether `value` is a CSS colour. Hex / rgb / hsl are checked here; anything else must
 * look like a colour keyword or function and pass `CSS.supports` where it exists.
 */
export function isColor(value: unknown): value is string {
  if (typeof value !== 'string') return false
  const parts = colorParts(value)
  if (parts !== undefined) return parts !== null
  const trimmed = value.trim()
  if (!/^[a-z][a-z-]*(\([^;{}!"'<>]*\))?$/i.test(trimmed)) return false
  return typeof CSS === 'undefined' || typeof CSS.supports !== 'function' || CSS.supports('color', trimmed)
}
