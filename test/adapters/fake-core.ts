/**
 * A stand-in for the core for the adapters' contract tests: it mounts a root with a
 * logo slot, records every instance, and exposes spies for `update` and `destroy`.
 */
import { atom } from 'nanostores'
import { vi } from 'vitest'
import type { PortalError, SessionState } from '../../src/types.js'

export interface FakeCore {
  kind: 'customer' | 'pricing'
  el: HTMLElement
  options: Record<string, unknown>
  update: ReturnType<typeof vi.fn>
  destroy: ReturnType<typeof vi.fn>
  state: ReturnType<typeof atom<SessionState>>
  /** The core's one "current error" store, which every adapter's error callback reads. */
  error: ReturnType<typeof atom<PortalError | null>>
  /** What the core does when it reports an error: the store, then `onError`. */
  report(error: PortalError): void
  destroyed: boolean
}

export const cores: FakeCore[] = []

export function fakeMount(kind: FakeCore['kind']) {
  return (el: HTMLElement, options: Record<string, unknown>) => {
    const root = document.createElement('div')
    root.setAttribute('data-fake-root', kind)
    const slot = document.createElement('span')
    slot.setAttribute('data-ap-slot', 'logo')
    root.append(slot)
    el.append(root)
    const core: FakeCore = {
      kind,
      el,
      options,
      state: atom<SessionState>({ status: 'idle' }),
      error: atom<PortalError | null>(null),
      report(error) {
        core.error.set(error)
        ;(core.options.onError as ((e: PortalError) => void) | undefined)?.(error)
      },
      destroyed: false,
      update: vi.fn((next: Record<string, unknown>) => {
        core.options = { ...core.options, ...next }
      }),
      destroy: vi.fn(() => {
        core.destroyed = true
        root.remove()
      }),
    }
    cores.push(core)
    return core
  }
}

/** The instances still mounted. */
export function live(): FakeCore[] {
  return cores.filter((c) => !c.destroyed)
}
