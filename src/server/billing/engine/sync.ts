import type { SyncScriptExecutor } from './script.js'

/**
 * Runs compiled Kysely queries synchronously, for work done while opening a file
 * (migrations, the demo seed: ./script.ts) so `openSqliteBilling` can return a ready
 * engine. Its transactions are taken up front, so concurrent writers wait instead of failing.
 */
export type SyncExecutor = SyncScriptExecutor

/** The slice of better-sqlite3 the engine uses. */
export interface RawStatement {
  readonly reader: boolean
  all(parameters: ReadonlyArray<unknown>): unknown[]
  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint }
  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown>
}

export interface RawDatabase {
  prepare(sql: string): RawStatement
  pragma(source: string): unknown
  transaction<F extends (...args: never[]) => unknown>(fn: F): F & { immediate: F }
  exec(sql: string): unknown
  close(): void
  readonly open: boolean
}

/**
 * Caches prepared statements by SQL text: Kysely asks for one per query, and preparing
 * is most of the cost of a small read. Bounded, so ad-hoc SQL cannot grow it forever.
 */
export class StatementCache {
  readonly #db: RawDatabase
  readonly #cache = new Map<string, RawStatement>()
  constructor(db: RawDatabase, readonly limit = 500) {
    this.#db = db
  }
  prepare(sql: string): RawStatement {
    let stmt = this.#cache.get(sql)
    if (!stmt) {
      stmt = this.#db.prepare(sql)
      if (this.#cache.size >= this.limit) this.#cache.delete(this.#cache.keys().next().value as string)
      this.#cache.set(sql, stmt)
    }
    return stmt
  }
  clear(): void {
    this.#cache.clear()
  }
}

export function syncExecutor(db: RawDatabase, statements: StatementCache): SyncExecutor {
  return {
    query(q) {
      const statement = statements.prepare(q.sql)
      if (statement.reader) return statement.all(q.parameters)
      statement.run(q.parameters)
      return []
    },
    transaction: (fn) => db.transaction(fn).immediate(),
  }
}
