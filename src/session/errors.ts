import { atom, type ReadableAtom } from 'nanostores'
import type { PortalError } from '../api/types.js'

/**
 * The one source of "the error the portal reported": every report reaches `onError` and
 * sets `$error`; it clears when the portal recovers (the session resumes, or a request
 * begun after the error succeeds). Every adapter's error callback reads `$error`.
 */
export interface ErrorReporter {
  readonly $error: ReadableAtom<PortalError | null>
  report(error: PortalError): void
  setOnError(onError: ((error: PortalError) => void) | undefined): void
  /** The portal works again: `$error` back to null. */
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
  let handler = onError
  let reports = 0
  const clear = () => {
    if ($error.get()) $error.set(null)
  }
  return {
    $error,
    report(error) {
      reports++
      $error.set(error)
      try {
        handler?.(error)
      } catch (thrown) {
        // The host's handler failing must not wedge the portal; surface it unhandled.
        queueMicrotask(() => {
          throw thrown
        })
      }
    },
    setOnError(fn) {
      handler = fn
    },
    clear,
    begin() {
      const seen = reports
      return () => {
        if (reports === seen) clear()
      }
    },
  }
}
