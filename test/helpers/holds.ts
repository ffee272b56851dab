/**
 * Requests held in flight until a test lets them go: `hold(method, path)` returns the release,
 * and a test transport awaits `passed(request)` before forwarding it. The headless and the view
 * harnesses share it.
 */
export function createHolds() {
  const holds: { method: string; path: RegExp; gate: Promise<void> }[] = []
  return {
    hold(method: string, path: RegExp): () => void {
      let release!: () => void
      const entry = { method, path, gate: new Promise<void>((resolve) => (release = resolve)) }
      holds.push(entry)
      return () => {
        holds.splice(holds.indexOf(entry), 1)
        release()
      }
    },
    /** Resolves once every hold matching the request is released. */
    async passed(request: { method: string; path: string }): Promise<void> {
      for (const hold of holds.filter((h) => h.method === request.method && h.path.test(request.path))) await hold.gate
    },
  }
}
