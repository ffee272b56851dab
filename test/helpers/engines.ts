/**
 * The billing engine on each database it runs on, for suites parametrised over them:
 *
 *   describe.each(ENGINES)('engine on $name', (kind) => { ... await kind.open({ seed: 'demo' }) ... })
 *
 * SQLite: a fresh file in a temp directory. PostgreSQL: the run's one server (see
 * postgres-server.ts), a fresh database per test file and a fresh schema per engine.
 * `sql` reads the store directly, beside the engine, for audits.
 */
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, inject } from 'vitest'
import { openPostgresBilling } from '../../src/server/billing/postgres.js'
import { openSqliteBilling, type SqliteBilling, type SqliteBillingOptions } from '../../src/server/billing/sqlite.js'

export interface EngineOpenOptions extends Pick<SqliteBillingOptions, 'onUsageAlert' | 'usageAlertWebhook' | 'onError'> {
  seed?: 'demo'
  now?: () => number
  baseUrl?: string | null
}

export interface OpenedEngine {
  engine: SqliteBilling
  /** Another engine on the same store: a second server instance. */
  another(options?: EngineOpenOptions): Promise<SqliteBilling>
  /** Rows of a read on the store itself; integers come back as numbers on both. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>
  /** How another process opens this store: `{ filename }` or `{ connectionString }`. */
  location: { filename: string } | { connectionString: string }
  /** Closes the engines it opened and drops the store. */
  close(): Promise<void>
}

export interface EngineKind {
  name: 'sqlite' | 'postgres'
  open(options?: EngineOpenOptions): Promise<OpenedEngine>
}

let root: string | undefined
/** This test file's database on the run's server, made on first use. */
let database: Promise<{ server: string; name: string; url: string }> | undefined
afterAll(async () => {
  if (root) rmSync(root, { recursive: true, force: true })
  if (database) {
    const { server, name } = await database
    const client = new pg.Client({ connectionString: server })
    await client.connect()
    await client.query(`drop database if exists ${name} with (force)`)
    await client.end()
  }
})
let files = 0

export const sqlite: EngineKind = {
  name: 'sqlite',
  async open(options = {}) {
    root ??= mkdtempSync(join(tmpdir(), 'ap-engines-'))
    const filename = join(root, `billing-${files++}.sqlite`)
    const engines = [openSqliteBilling({ filename, ...options })]
    return {
      engine: engines[0],
      async another(o = {}) {
        const e = openSqliteBilling({ filename, ...o })
        engines.push(e)
        return e
      },
      async sql<T>(text: string, params: unknown[] = []) {
        const raw = new Database(filename, { readonly: true })
        try {
          return raw.prepare(text).all(...params) as T[]
        } finally {
          raw.close()
        }
      },
      location: { filename },
      async close() {
        for (const e of engines) await e.close()
        rmSync(filename, { force: true })
      },
    }
  },
}

let schemas = 0

async function fileDatabase(): Promise<string> {
  database ??= (async () => {
    const server = inject('postgresUrl')
    const name = `t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
    const admin = new pg.Client({ connectionString: server })
    await admin.connect()
    await admin.query(`create database ${name}`)
    await admin.end()
    const url = new URL(server)
    url.pathname = `/${name}`
    return { server, name, url: url.toString() }
  })()
  return (await database).url
}

/** `url` with its sessions on `schema` (the engine's tables are unqualified). */
function onSchema(url: string, schema: string): string {
  const u = new URL(url)
  u.searchParams.set('options', `-c search_path=${schema}`)
  return u.toString()
}

export const postgres: EngineKind = {
  name: 'postgres',
  async open(options = {}) {
    const base = await fileDatabase()
    const schema = `e${schemas++}`
    const admin = new pg.Pool({ connectionString: onSchema(base, schema), max: 2 })
    await admin.query(`create schema ${schema}`)
    const connectionString = onSchema(base, schema)
    const engines = [await openPostgresBilling({ connectionString, max: 5, ...options })]
    return {
      engine: engines[0],
      async another(o = {}) {
        const e = await openPostgresBilling({ connectionString, max: 5, ...o })
        engines.push(e)
        return e
      },
      async sql<T>(text: string, params: unknown[] = []) {
        const result = await admin.query({ text, values: params, types: { getTypeParser: (oid: number, format?: string) => (oid === 20 || oid === 1700 ? Number : pg.types.getTypeParser(oid, format as 'text')) } as never })
        return result.rows as T[]
      },
      location: { connectionString },
      async close() {
        for (const e of engines) await e.close()
        await admin.query(`drop schema ${schema} cascade`)
        await admin.end()
      },
    }
  },
}

export const ENGINES: EngineKind[] = [sqlite, postgres]
