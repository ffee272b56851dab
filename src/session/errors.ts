import { atom, type ReadableAtom } from 'nanostores'
import type { PortalError } from '../api/types.js'

/**
 * The one source of "the error the portal reported": every report sets `$error` and
 * reaches `onError`; `$error` clears when the portal recovers (the session resumes, or a
 * request begun after the error succeeds). Every adapter's error callback reads `$error`;
 * every portal sharing a client and the host's `onError` are listeners.
 */
export interface ErrorReporter {
  readonly $error: ReadableAtom<PortalError | null>
  /** Another listener; returns its remover. One listener failing never keeps the error from the others. */
  listen(listener: (error: PortalError) => void): () => void
  report(error: PortalError): void
  /** The portal works again. */
  clear(): void
  /**
   * Called as a request starts; the function it returns, called when that request
   * succeeds, clears an error reported before it started (not one reported since, which
   * may come from a request running beside it).
   */
  begin(): () => void
}

export function createErrorReporter(onError?: (error: PortalError) => void): ErrorReporter {
  const $error = atom<PortalError | null>(null)
  const listeners = new Set<(error: PortalError) => void>()
  if (onError) listeners.add(onError)
  let reports = 0
  const clear = () => $error.set(null)
  return {
    $error,
    listen(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    report(error) {
      reports++
      $error.set(error)
      for (const listener of listeners) {
        try {
          listener(error)
        } catch (thrown) {
          // A handler failing must not wedge the portal nor keep the error from the others; surface it unhandled.
          queueMicrotask(() => {
            throw thrown
          })
        }
      }
    },
    clear,
    begin() {
      const seen = reports
      return () => reports === seen && clear()
    },
  }
}
