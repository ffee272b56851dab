/**
 * `run` once the browser is idle, which is after the frame it is drawing, unless `signal`
 * aborted first. For a view's on-demand parts: their doors mount them in the turn that
 * renders the view's data (at once when the chunk is cached), so drawing them then (their
 * DOM, their requests, their own chunks) would come between that data and its first paint.
 * Chunks import it (the core's initial JS does not).
 */
export function whenIdle(signal: AbortSignal, run: () => void): void {
  const go = () => !signal.aborted && run()
  if (typeof requestIdleCallback == 'function') requestIdleCallback(go, { timeout: 100 })
  else setTimeout(go, 16)
}
