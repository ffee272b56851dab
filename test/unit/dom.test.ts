import { h } from '../../src/dom/h.js'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { confirmDialog } from '../../src/dom/dialog.js'
import { createLiveRegion } from '../../src/dom/live.js'

afterEach(() => {
  document.body.textContent = ''
  vi.useRealTimers()
})

function setup() {
  const root = document.createElement('div')
  const opener = document.createElement('button')
  opener.textContent = 'Remove'
  const main = document.createElement('main')
  main.appendChild(opener)
  root.appendChild(main)
  document.body.appendChild(root)
  opener.focus()
  return { root, opener, main }
}

const key = (target: Element, k: string, shiftKey = false) =>
  target.dispatchEvent(new KeyboardEvent('keydown', { key: k, shiftKey, bubbles: true, cancelable: true }))

describe('confirmDialog', () => {
  test('is a labelled modal; the rest of the portal is inert; confirm resolves true and returns focus', async () => {
    const { root, opener, main } = setup()
    const result = confirmDialog(h, root, { title: 'Remove card?', body: 'Visa •••• 4242', confirmLabel: 'Remove', cancelLabel: 'Keep' })
    const dialog = root.querySelector('[role="dialog"]')!
    expect(dialog.getAttribute('aria-modal')).toBe('true')
    expect(document.getElementById(dialog.getAttribute('aria-labelledby')!)?.textContent).toBe('Remove card?')
    expect(document.getElementById(dialog.getAttribute('aria-describedby')!)?.textContent).toBe('Visa •••• 4242')
    expect(main.hasAttribute('inert')).toBe(true)
    expect(document.activeElement?.textContent).toBe('Remove')
    ;(document.activeElement as HTMLButtonElement).click()
    await expect(result).resolves.toBe(true)
    expect(root.querySelector('[role="dialog"]')).toBeNull()
    expect(main.hasAttribute('inert')).toBe(false)
    expect(document.activeElement).toBe(opener)
  })

  test('a destructive dialog starts on cancel; Escape cancels and returns focus', async () => {
    const { root, opener } = setup()
    const result = confirmDialog(h, root, { title: 'Cancel plan?', confirmLabel: 'Cancel plan', cancelLabel: 'Keep plan', destructive: true })
    expect(document.activeElement?.textContent).toBe('Keep plan')
    key(document.activeElement!, 'Escape')
    await expect(result).resolves.toBe(false)
    expect(document.activeElement).toBe(opener)
  })

  test('Tab and Shift+Tab stay inside the dialog', async () => {
    const { root } = setup()
    void confirmDialog(h, root, { title: 'T', confirmLabel: 'OK', cancelLabel: 'No' })
    const [cancel, ok] = [...root.querySelectorAll<HTMLButtonElement>('[role="dialog"] button')]
    expect(document.activeElement).toBe(ok)
    expect(key(ok, 'Tab')).toBe(false) // default prevented: focus wraps
    expect(document.activeElement).toBe(cancel)
    expect(key(cancel, 'Tab', true)).toBe(false)
    expect(document.activeElement).toBe(ok)
  })

  test('a node body is appended as is; string bodies are text', async () => {
    const { root } = setup()
    void confirmDialog(h, root, { title: '<img src=x onerror=alert(1)>', body: '<b>bold</b>', confirmLabel: 'OK' })
    expect(root.querySelector('img, b')).toBeNull()
    expect(root.querySelector('h2')?.textContent).toBe('<img src=x onerror=alert(1)>')
  })

  test('aborting the signal (portal destroyed) removes it and resolves false', async () => {
    const { root, main } = setup()
    const controller = new AbortController()
    const result = confirmDialog(h, root, { title: 'T', confirmLabel: 'OK' }, controller.signal)
    controller.abort()
    await expect(result).resolves.toBe(false)
    expect(root.querySelector('[role="dialog"]')).toBeNull()
    expect(main.hasAttribute('inert')).toBe(false)
  })
})

describe('live region', () => {
  test('announces politely, clearing first so a repeated message is spoken again', () => {
    vi.useFakeTimers()
    const live = createLiveRegion()
    document.body.appendChild(live.el)
    expect(live.el.getAttribute('aria-live')).toBe('polite')
    live.announce('Card removed')
    expect(live.el.textContent).toBe('')
    vi.runAllTimers()
    expect(live.el.textContent).toBe('Card removed')
    live.announce('Card removed')
    expect(live.el.textContent).toBe('')
    vi.runAllTimers()
    expect(live.el.textContent).toBe('Card removed')
  })

  test('destroy clears its pending timer and removes the node', () => {
    vi.useFakeTimers()
    const live = createLiveRegion()
    document.body.appendChild(live.el)
    live.announce('Saved')
    live.destroy()
    expect(vi.getTimerCount()).toBe(0)
    expect(live.el.isConnected).toBe(false)
  })
})
