/** Which Chromium each front end of the end-to-end suite gets: E2E_CHROMIUM, parsed. */
import { describe, expect, it } from 'vitest'
import { chromiumChoice } from './browser.js'

describe('E2E_CHROMIUM', () => {
  it('defaults to auto: CHROME_PATH, the system Chromium, else the bundled one', () => {
    expect(chromiumChoice('react', '')).toBe('auto')
  })

  it('a bare choice applies to every front end; name=choice to one', () => {
    expect(chromiumChoice('react', 'bundled')).toBe('bundled')
    expect(chromiumChoice('vanilla', 'auto,vanilla=bundled')).toBe('bundled')
    expect(chromiumChoice('react', 'auto,vanilla=bundled')).toBe('auto')
    expect(chromiumChoice(undefined, 'system,vanilla=bundled')).toBe('system')
  })

  it('says what it accepts when given something else', () => {
    expect(() => chromiumChoice('react', 'chrome')).toThrow(/E2E_CHROMIUM=chrome: each entry is auto, system or bundled/)
  })
})
