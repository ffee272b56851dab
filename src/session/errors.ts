import { atom, type ReadableAtom } from 'nanostores'
import type { PortalError } from '../api/types.js'

/**
 * The one source of "the error the portal reported": every report sets `$error` and
 * reaches `onError`; `$error` clears when the portal recovers (the session resumes, or a
 * request begun after the error succeeds). Every adapter's error callback reads `$error`.
 */
export interface ErrorReporter {
  readonly $error: ReadableAtom<PortalError | null>
  onError?: (error: PortalError) => void
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
  let reports = 0
  const clear = () => $error.set(null)
  const reporter: ErrorReporter = {
    $error,
    onError,
    report(error) {
      reports++
      $error.set(error)
      try {
        reporter.onError?.(error)
      } catch (thrown) {
        // The host's handler failing must not wedge the portal; surface it unhandled.
        queueMicrotask(() => {
          throw thrown
        })
      }
    },
    clear,
    begin() {
      const seen = reports
      return () => reports === seen && clear()
    },
  }
  return reporter
}
