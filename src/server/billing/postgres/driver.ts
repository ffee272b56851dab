/**
 * The `pg` driver as the engine uses it: loaded on first use (an optional peer
 * dependency), with the one place where PostgreSQL's types meet the engine's.
 *
 * The schema keeps money, times and counters in `bigint` columns, flags in `integer` and
 * JSON in `text`, so the only types that differ from SQLite's are int8 (`bigint`,
 * `count(*)`) and numeric (`sum(bigint)`), which `pg` returns as strings: they are read
 * as numbers here, and one that is not a safe integer is an error rather than a rounded
 * amount. The parsers are scoped to the engine's queries, never set on `pg` globally.
 */
import { createRequire } from 'node:module'
import type { PostgresPool, PostgresPoolClient } from 'kysely'

/** The slice of a `pg.Pool` the engine uses; a seller's own pool passes as it is. */
export interface PgPool {
  connect(): Promise<PgClient>
  end(): Promise<void>
}

export interface PgClient {
  query(config: { text: string; values?: readonly unknown[]; types?: PgTypes }): Promise<{ rows: unknown[]; command: string; rowCount: number | null }>
  query(cursor: unknown): unknown
  release(destroy?: boolean | Error): void
}

interface PgTypes {
  getTypeParser(oid: number, format?: string): (value: string) => unknown
}

interface PgModule {
  Pool: new (config: { connectionString: string; max?: number }) => PgPool
  types: PgTypes
}

export function loadPg(): PgModule {
  try {
    return createRequire(import.meta.url)('pg') as PgModule
  } catch (cause) {
    throw new Error('openPostgresBilling() needs the optional peer dependency pg: npm install pg', { cause })
  }
}

const INT8 = 20
const NUMERIC = 1700

function toNumber(text: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n)) throw new RangeError(`PostgreSQL returned ${text}, which is not an integer JavaScript can hold exactly`)
  return n
}

export function engineTypes(pg: PgModule): PgTypes {
  return {
    getTypeParser: (oid, format) => (oid === INT8 || oid === NUMERIC ? toNumber : pg.types.getTypeParser(oid, format)),
  }
}

/**
 * The pool as Kysely sees it, every query parsed with `types`. `end` ends the pool only
 * when the engine made it: a seller's pool stays theirs.
 */
export function typedPool(pool: PgPool, types: PgTypes, owned: boolean): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect()
      return {
        query: ((text: unknown, values?: readonly unknown[]) =>
          typeof text === 'string' ? client.query({ text, values, types }) : client.query(text)) as PostgresPoolClient['query'],
        release: () => client.release(),
      }
    },
    end: async () => {
      if (owned) await pool.end()
    },
  }
}
