import { afterEach, describe, expect, test, vi } from 'vitest'
import { applyTheme, validateTheme } from '../../src/theme/index.js'
import { contrastRatio, isColor, parseRgb, readableText } from '../../src/theme/color.js'

function root() {
  const el = document.createElement('div')
  document.body.appendChild(el)
  return el
}

afterEach(() => {
  document.body.textContent = ''
  vi.restoreAllMocks()
})

describe('parseRgb', () => {
  test.each([
    ['#fff', [255, 255, 255]],
    ['#0a0b0c', [10, 11, 12]],
    ['#0a0b0c80', [10, 11, 12]],
    ['#f008', [255, 0, 0]],
    ['rgb(1, 2, 3)', [1, 2, 3]],
    ['rgba(1,2,3,0.5)', [1, 2, 3]],
    ['rgb(1 2 3 / 50%)', [1, 2, 3]],
    ['rgb(100% 0% 0%)', [255, 0, 0]],
    ['hsl(0, 100%, 50%)', [255, 0, 0]],
    ['hsl(120deg 100% 25%)', [0, 128, 0]],
    ['hsla(0.5turn, 100%, 50%, 1)', [0, 255, 255]],
  ])('%s', (input, rgb) => {
    expect(parseRgb(input)).toEqual(rgb)
  })

  test('malformed hex / rgb / hsl are null; other syntaxes undefined', () => {
    for (const bad of ['#12345', '#ggg', 'rgb(1, 2)', 'rgb(a, b, c)', 'hsl(1, 2%, x)']) expect(parseRgb(bad), bad).toBeNull()
    expect(parseRgb('rebeccapurple')).toBeUndefined()
    expect(parseRgb('oklch(70% 0.1 200)')).toBeUndefined()
  })

  test('isColor accepts names and colour functions, rejects prose and injection', () => {
    expect(isColor('rebeccapurple')).toBe(true)
    expect(isColor('oklch(70% 0.1 200)')).toBe(true)
    for (const bad of ['not a colour', 'red; background: url(x)', '#12', '', 42, null]) expect(isColor(bad), String(bad)).toBe(false)
  })

  test('isColor asks CSS.supports about what it cannot parse', () => {
    vi.stubGlobal('CSS', { supports: (property: string, value: string) => property === 'color' && value === 'rebeccapurple' })
    expect(isColor('blurple')).toBe(false)
    expect(isColor('rebeccapurple')).toBe(true)
    expect(isColor('#123456')).toBe(true)
    vi.unstubAllGlobals()
  })
})

describe('contrast', () => {
  test('WCAG ratio: black on white is 21, same colour is 1', () => {
    expect(contrastRatio([0, 0, 0], [255, 255, 255])).toBeCloseTo(21, 5)
    expect(contrastRatio([12, 34, 56], [12, 34, 56])).toBe(1)
  })
  test('dark text on light backgrounds, light text on dark ones', () => {
    expect(readableText([255, 255, 0])).toBe('#111111')
    expect(readableText([28, 28, 28])).toBe('#ffffff')
    // Mid-tones go to whichever side reads better: #05a36a (docs' accent) takes dark text.
    expect(readableText(parseRgb('#05a36a')!)).toBe('#111111')
  })
})

describe('applyTheme', () => {
  test('writes no style attribute string: only CSSOM setProperty calls', () => {
    const el = root()
    const setAttribute = vi.spyOn(el, 'setAttribute')
    // Stubbed so the DOM cannot mirror the CSSOM into the attribute itself: any style
    // attribute left behind would have to come from our code.
    const setProperty = vi.spyOn(el.style, 'setProperty').mockImplementation(() => {})
    applyTheme(el, { primary: '#1c1c1c', secondary: '#525252', tertiary: '#f5f5f5', accent: 'rgb(5 163 106)' })
    expect(setProperty).toHaveBeenCalledTimes(8)
    expect(setProperty).toHaveBeenCalledWith('--ap-primary', '#1c1c1c')
    expect(setAttribute.mock.calls.map(([name]) => name)).toEqual(['data-color-scheme'])
    expect(el.hasAttribute('style')).toBe(false)
    expect(document.querySelector('style')).toBeNull()
  })

  test('sets every colour and its text colour', () => {
    const el = root()
    applyTheme(el, { primary: '#1c1c1c', secondary: '#525252', tertiary: '#f5f5f5', accent: 'rgb(5 163 106)' })
    expect(el.style.getPropertyValue('--ap-primary')).toBe('#1c1c1c')
    expect(el.style.getPropertyValue('--ap-on-primary')).toBe('#ffffff')
    expect(el.style.getPropertyValue('--ap-secondary')).toBe('#525252')
    expect(el.style.getPropertyValue('--ap-on-secondary')).toBe('#ffffff')
    expect(el.style.getPropertyValue('--ap-on-tertiary')).toBe('#111111')
    expect(el.style.getPropertyValue('--ap-accent')).toBe('rgb(5 163 106)')
    expect(el.style.getPropertyValue('--ap-on-accent')).toBe('#111111')
  })

  test('textDark* wins over the computed contrast', () => {
    const el = root()
    applyTheme(el, { primary: '#1c1c1c', textDarkPrimary: true, secondary: '#ffffff', textDarkSecondary: false })
    expect(el.style.getPropertyValue('--ap-on-primary')).toBe('#111111')
    expect(el.style.getPropertyValue('--ap-on-secondary')).toBe('#ffffff')
  })

  test('a slot left out on update goes back to the stylesheet’s fallback', () => {
    const el = root()
    applyTheme(el, { primary: '#1c1c1c' })
    applyTheme(el, {})
    expect(el.style.getPropertyValue('--ap-primary')).toBe('')
    expect(el.style.getPropertyValue('--ap-on-primary')).toBe('')
  })

  test('a named colour gets its text colour from the browser’s computed rgb()', () => {
    const el = root()
    vi.spyOn(window, 'getComputedStyle').mockReturnValue({ color: 'rgb(255, 255, 224)' } as CSSStyleDeclaration)
    applyTheme(el, { tertiary: 'lightyellow' })
    expect(el.style.getPropertyValue('--ap-tertiary')).toBe('lightyellow')
    expect(el.style.getPropertyValue('--ap-on-tertiary')).toBe('#111111')
    expect(el.children).toHaveLength(0) // the probe is gone
  })

  test('a chosen primary colours the buttons in every scheme; left out, the scheme’s default does', () => {
    const el = root()
    applyTheme(el, { primary: '#05a36a', colorScheme: 'dark' })
    expect(el.style.getPropertyValue('--ap-button-primary')).toBe('#05a36a')
    expect(el.style.getPropertyValue('--ap-on-button-primary')).toBe('#111111')
    applyTheme(el, { colorScheme: 'dark' })
    expect(el.style.getPropertyValue('--ap-button-primary')).toBe('')
    expect(el.style.getPropertyValue('--ap-on-button-primary')).toBe('')
  })

  test('colorScheme becomes data-color-scheme (default light)', () => {
    const el = root()
    applyTheme(el, {})
    expect(el.getAttribute('data-color-scheme')).toBe('light')
    applyTheme(el, { colorScheme: 'auto' })
    expect(el.getAttribute('data-color-scheme')).toBe('auto')
  })

  test('a bad option is a TypeError naming it, and nothing is applied', () => {
    const el = root()
    expect(() => applyTheme(el, { primary: '#1c1c1c', accent: 'not a colour' })).toThrow(new TypeError('config.accent must be a CSS colour such as "#1c1c1c" or "rgb(28 28 28)" (got "not a colour")'))
    expect(el.style.getPropertyValue('--ap-primary')).toBe('')
    expect(() => validateTheme({ primary: '#12345' })).toThrow(/config\.primary/)
    expect(() => validateTheme({ textDarkTertiary: 'yes' as unknown as boolean })).toThrow(/config\.textDarkTertiary/)
    expect(() => validateTheme({ colorScheme: 'sepia' as 'dark' })).toThrow(/config\.colorScheme/)
  })
})
