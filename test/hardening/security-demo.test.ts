/**
 * Issue 12, finding 9: the demo's `/token` route mints a token for any customer, so the
 * demo refuses to start with a seller's own ARCHETYPE_SECRET unless DEMO_TOKENS=1 is also
 * set, and says why in one line.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { caseCounter } from './support.js'

const counter = caseCounter()
const dir = mkdtempSync(join(tmpdir(), 'portals-demo-guard-'))
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  console.log(`security (demo): ${counter.tried()} start-ups of demo/server.mjs`)
})

/** Runs the demo until it exits or says it listens (then stops it); its output and exit code. */
function runDemo(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { ARCHETYPE_SECRET: _s, DEMO_TOKENS: _t, ...base } = process.env
  const child = spawn(process.execPath, ['demo/server.mjs'], { env: { ...base, PORT: '0', DEMO_DB: join(dir, 'demo.sqlite'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => {
    stdout += chunk
    if (stdout.includes('Archetype Portals demo on')) child.kill('SIGTERM')
  })
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const timer = setTimeout(() => child.kill('SIGTERM'), 30_000)
  counter.count()
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    }),
  )
}

const REFUSAL = /^Refusing to start: .*DEMO_TOKENS=1/

it('refuses a custom ARCHETYPE_SECRET without DEMO_TOKENS=1, in one line', async () => {
  const run = await runDemo({ ARCHETYPE_SECRET: 'a-seller-secret-that-is-long-enough-0123456789' })
  expect(run.code).toBe(1)
  expect(run.stderr.trim().split('\n')).toHaveLength(1)
  expect(run.stderr).toMatch(REFUSAL)
  expect(run.stdout).toBe('')
})

it('gets past the check with DEMO_TOKENS=1', async () => {
  const run = await runDemo({ ARCHETYPE_SECRET: 'a-seller-secret-that-is-long-enough-0123456789', DEMO_TOKENS: '1' })
  expect(run.stderr).not.toMatch(REFUSAL)
})
