/**
 * `run` after the next frame, once the browser is idle, unless `signal` aborts first (then
 * nothing stays scheduled). For a view's on-demand parts: their doors mount them in the turn
 * that renders the view's data (at once when the chunk is cached), and drawing them then
 * (their DOM, their requests, their own chunks) would come between that data and its first
 * paint. An idle callback alone is not enough: the browser may be idle before that frame.
 * Chunks import it (the core's initial JS does not).
 */
export function whenIdle(signal: AbortSignal, run: () => void): void {
  const frame = requestAnimationFrame(() => {
    if (typeof requestIdleCallback == 'function') {
      const idle = requestIdleCallback(go, { timeout: 100 })
      cancel = () => cancelIdleCallback(idle)
    } else {
      const timer = setTimeout(go)
      cancel = () => clearTimeout(timer)
    }
  })
  let cancel = () => cancelAnimationFrame(frame)
  const stop = () => cancel()
  function go() {
    signal.removeEventListener('abort', stop)
    run()
  }
  signal.addEventListener('abort', stop, { once: true })
}
