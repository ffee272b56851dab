import type { Compilable, CompiledQuery, Kysely } from 'kysely'

/**
 * A query built and compiled by Kysely once, then run with new parameters: building and
 * compiling cost several times what SQLite takes to answer a small indexed read, and
 * `getSession` (the dashboard's one request) runs on every page view.
 *
 * `build` receives `param(name)`, which stands in for a value; each placeholder becomes a
 * bound parameter in the compiled SQL, and `run` fills them in by name.
 */
export function prepared<P extends Record<string, unknown>, R>(
  build: (param: <K extends keyof P & string>(name: K) => P[K]) => Compilable<R>,
): <DB>(db: Kysely<DB>, params: P) => Promise<R[]> {
  let compiled: CompiledQuery<R> | undefined
  let slots: ({ name: string } | { value: unknown })[] = []
  const marker = '\u0000param:'
  return async (db, params) => {
    if (!compiled) {
      compiled = build((name) => `${marker}${name}` as never).compile()
      slots = compiled.parameters.map((v) => (typeof v === 'string' && v.startsWith(marker) ? { name: v.slice(marker.length) } : { value: v }))
    }
    const parameters = slots.map((s) => ('name' in s ? params[s.name] : s.value))
    const result = await db.executeQuery<R>({ ...compiled, parameters })
    return result.rows
  }
}
