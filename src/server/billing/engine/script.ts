/**
 * Work done while opening a database (migrations, the demo seed), written once for both
 * dialects: a generator that yields Kysely queries and receives their rows. SQLite runs
 * it synchronously, so `openSqliteBilling` returns a ready engine; PostgreSQL awaits
 * each query. Only the two small runners below know the difference.
 */
import type { Compilable, CompiledQuery } from 'kysely'

export type Step = { query: CompiledQuery } | { transaction: () => Script<unknown> }
export type Script<T> = Generator<Step, T, unknown>

/** Runs one query; evaluates to its rows (none for a statement that returns none). */
export function* query<R = unknown>(q: Compilable): Generator<Step, R[], unknown> {
  return (yield { query: q.compile() }) as R[]
}

/** Runs `body` in one write transaction. */
export function* transaction<T>(body: () => Script<T>): Generator<Step, T, unknown> {
  return (yield { transaction: body }) as T
}

export interface SyncScriptExecutor {
  query(q: CompiledQuery): unknown[]
  transaction(fn: () => void): void
}

export function runSync<T>(script: Script<T>, exec: SyncScriptExecutor): T {
  let input: unknown
  for (;;) {
    const next = script.next(input)
    if (next.done) return next.value
    const step = next.value
    if ('query' in step) input = exec.query(step.query)
    else exec.transaction(() => void (input = runSync(step.transaction(), exec)))
  }
}

export interface AsyncScriptExecutor {
  query(q: CompiledQuery): Promise<unknown[]>
  transaction<T>(fn: () => Promise<T>): Promise<T>
}

export async function runAsync<T>(script: Script<T>, exec: AsyncScriptExecutor): Promise<T> {
  let input: unknown
  for (;;) {
    const next = script.next(input)
    if (next.done) return next.value
    const step = next.value
    if ('query' in step) input = await exec.query(step.query)
    else input = await exec.transaction(() => runAsync(step.transaction(), exec))
  }
}
