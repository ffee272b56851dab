import { afterEach, describe, expect, test, vi } from 'vitest'
import { applyTheme, validateTheme } from '../../src/theme/index.js'
import { colorMaths, contrastRatio } from '../../src/theme/color.js'
import { colorParts, DARK_TEXT, isColor, LIGHT_TEXT } from '../../src/theme/syntax.js'

const { parseRgb, readableText } = colorMaths({ colorParts, DARK_TEXT, LIGHT_TEXT })

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
  test('writes no style attribute string: only CSSOM setProperty calls', async () => {
    const el = root()
    const setAttribute = vi.spyOn(el, 'setAttribute')
    // Stubbed so the DOM cannot mirror the CSSOM into the attribute itself: any style
    // attribute left behind would have to come from our code.
    const setProperty = vi.spyOn(el.style, 'setProperty').mockImplementation(() => {})
    await applyTheme(el, { primary: '#1c1c1c', secondary: '#525252', tertiary: '#f5f5f5', accent: 'rgb(5 163 106)' })
    expect(setProperty).toHaveBeenCalledTimes(8)
    expect(setProperty).toHaveBeenCalledWith('--ap-primary', '#1c1c1c')
    expect(setAttribute.mock.calls.map(([name]) => name)).toEqual(['data-color-scheme'])
    expect(el.hasAttribute('style')).toBe(false)
    expect(document.querySelector('style')).toBeNull()
  })

  test('sets every colour and its text colour', async () => {
    const el = root()
    await applyTheme(el, { primary: '#1c1c1c', secondary: '#525252', tertiary: '#f5f5f5', accent: 'rgb(5 163 106)' })
    expect(el.style.getPropertyValue('--ap-primary')).toBe('#1c1c1c')
    expect(el.style.getPropertyValue('--ap-on-primary')).toBe('#ffffff')
    expect(el.style.getPropertyValue('--ap-secondary')).toBe('#525252')
    expect(el.style.getPropertyValue('--ap-on-secondary')).toBe('#ffffff')
    expect(el.style.getPropertyValue('--ap-on-tertiary')).toBe('#111111')
    expect(el.style.getPropertyValue('--ap-accent')).toBe('rgb(5 163 106)')
    expect(el.style.getPropertyValue('--ap-on-accent')).toBe('#111111')
  })

  test('textDark* wins over the computed contrast', async () => {
    const el = root()
    await applyTheme(el, { primary: '#1c1c1c', textDarkPrimary: true, secondary: '#ffffff', textDarkSecondary: false })
    expect(el.style.getPropertyValue('--ap-on-primary')).toBe('#111111')
    expect(el.style.getPropertyValue('--ap-on-secondary')).toBe('#ffffff')
  })

  test('a slot left out on update goes back to the stylesheet’s fallback', async () => {
    const el = root()
    await applyTheme(el, { primary: '#1c1c1c' })
    await applyTheme(el, {})
    expect(el.style.getPropertyValue('--ap-primary')).toBe('')
    expect(el.style.getPropertyValue('--ap-on-primary')).toBe('')
  })

  test('a named colour gets its text colour from the browser’s computed rgb()', async () => {
    const el = root()
    vi.spyOn(window, 'getComputedStyle').mockReturnValue({ color: 'rgb(255, 255, 224)' } as CSSStyleDeclaration)
    await applyTheme(el, { tertiary: 'lightyellow' })
    expect(el.style.getPropertyValue('--ap-tertiary')).toBe('lightyellow')
    expect(el.style.getPropertyValue('--ap-on-tertiary')).toBe('#111111')
    expect(el.children).toHaveLength(0) // the probe is gone
  })

  test('a chosen primary colours the buttons in every scheme; left out, the scheme’s default does', async () => {
    const el = root()
    await applyTheme(el, { primary: '#05a36a', colorScheme: 'dark' })
    expect(el.style.getPropertyValue('--ap-button-primary')).toBe('#05a36a')
    expect(el.style.getPropertyValue('--ap-on-button-primary')).toBe('#111111')
    await applyTheme(el, { colorScheme: 'dark' })
    expect(el.style.getPropertyValue('--ap-button-primary')).toBe('')
    expect(el.style.getPropertyValue('--ap-on-button-primary')).toBe('')
  })

  test('colorScheme becomes data-color-scheme (default light)', async () => {
    const el = root()
    await applyTheme(el, {})
    expect(el.getAttribute('data-color-scheme')).toBe('light')
    await applyTheme(el, { colorScheme: 'auto' })
    expect(el.getAttribute('data-color-scheme')).toBe('auto')
  })

  test('a bad option is a TypeError naming it, and nothing is applied', async () => {
    const el = root()
    expect(() => applyTheme(el, { primary: '#1c1c1c', accent: 'not a colour' })).toThrow(new TypeError('config.accent must be a CSS colour such as "#1c1c1c" or "rgb(28 28 28)" (got "not a colour")'))
    expect(el.style.getPropertyValue('--ap-primary')).toBe('')
    expect(() => validateTheme({ primary: '#12345' })).toThrow(/config\.primary/)
    expect(() => validateTheme({ textDarkTertiary: 'yes' as unknown as boolean })).toThrow(/config\.textDarkTertiary/)
    expect(() => validateTheme({ colorScheme: 'sepia' as 'dark' })).toThrow(/config\.colorScheme/)
  })
})

describe('the colour maths load on demand', () => {
  /** The theme module as a page has it before any colour was computed. */
  async function freshTheme() {
    vi.resetModules()
    return import('../../src/theme/index.js')
  }

  test('a first theme: its colours at once, its text colours with the maths; whenThemed waits for them', async () => {
    const theme = await freshTheme()
    const el = root()
    const then = vi.fn(() => el.style.getPropertyValue('--ap-on-primary'))
    const applied = theme.applyTheme(el, { primary: '#1c1c1c' })
    expect(el.style.getPropertyValue('--ap-primary')).toBe('#1c1c1c')
    expect(el.style.getPropertyValue('--ap-on-primary')).toBe('')
    theme.whenThemed(el, () => true, then)
    expect(then).not.toHaveBeenCalled()
    await applied
    await vi.waitFor(() => expect(then).toHaveReturnedWith('#ffffff'))
  })

  test('a later theme applies whole once the maths are in: no new colour over the old text colour', async () => {
    const theme = await freshTheme()
    const el = root()
    expect(theme.applyTheme(el, { primary: '#1c1c1c', textDarkPrimary: false })).toBeUndefined() // nothing to compute
    const applied = theme.applyTheme(el, { primary: '#ffffff' })
    expect(el.style.getPropertyValue('--ap-primary')).toBe('#1c1c1c')
    expect(el.style.getPropertyValue('--ap-on-primary')).toBe('#ffffff')
    await applied
    expect(el.style.getPropertyValue('--ap-primary')).toBe('#ffffff')
    expect(el.style.getPropertyValue('--ap-on-primary')).toBe('#111111')
  })

  test('a theme replaced while the maths load is not applied after the one that replaced it', async () => {
    const theme = await freshTheme()
    const el = root()
    const first = theme.applyTheme(el, { primary: '#1c1c1c' })
    theme.applyTheme(el, { accent: '#05a36a', textDarkSecondary: true })
    await first
    expect(el.style.getPropertyValue('--ap-primary')).toBe('')
    expect(el.style.getPropertyValue('--ap-on-primary')).toBe('')
  })

  test('without a text colour to compute, nothing waits', async () => {
    const theme = await freshTheme()
    const el = root()
    expect(theme.applyTheme(el, { secondary: '#ffffff', textDarkSecondary: true, colorScheme: 'dark' })).toBeUndefined()
    expect(el.style.getPropertyValue('--ap-on-secondary')).toBe('#111111')
    const then = vi.fn()
    theme.whenThemed(el, () => true, then)
    expect(then).toHaveBeenCalledTimes(1)
  })

  test('a maths chunk that does not load leaves the stylesheet’s text colours, and the shell is not held back', async () => {
    const theme = await freshTheme()
    vi.doMock('../../src/theme/color.js', () => {
      throw new Error('offline')
    })
    const el = root()
    const then = vi.fn()
    const applied = theme.applyTheme(el, { primary: '#1c1c1c' })
    theme.whenThemed(el, () => true, then)
    await applied
    await vi.waitFor(() => expect(then).toHaveBeenCalledTimes(1))
    expect(el.style.getPropertyValue('--ap-primary')).toBe('#1c1c1c')
    expect(el.style.getPropertyValue('--ap-on-primary')).toBe('')
    vi.doUnmock('../../src/theme/color.js')
  })
})
