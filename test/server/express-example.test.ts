/**
 * examples/express as a newcomer runs it (issue 13): bundled by its build.js, then
 * started five times on the same database file. Every start applies the catalogue and
 * upserts the customer again without failing, serves the page at `/` with its bundle,
 * mints a token, and the portal's customer has exactly one paid invoice (the first start
 * subscribed it once). Needs `node build.mjs` first (the example imports dist/).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const work = mkdtempSync(join(tmpdir(), 'portals-express-'))
const app = join(work, 'app')
const SECRET = 'express-example-test-secret-0123456789abcdef'

/** The example's dependencies, linked from this repo: the package itself (its built dist/) and what the example installs. */
function linkDependencies(): void {
  const modules = join(app, 'node_modules')
  mkdirSync(join(modules, '@archetypeapi'), { recursive: true })
  symlinkSync(root, join(modules, '@archetypeapi/portals'), 'dir')
  for (const name of ['express', 'better-sqlite3', 'esbuild']) symlinkSync(join(root, 'node_modules', name), join(modules, name), 'dir')
}

function runNode(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, args, { cwd: app, env: { ...process.env, ARCHETYPE_SECRET: SECRET, PORT: '0', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
}

/** Resolves with the child's exit code; rejects with its output if it fails. */
function exited(child: ChildProcess, output: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code, signal) => (code === 0 || signal === 'SIGTERM' ? resolve(code ?? 0) : reject(new Error(`exited ${code ?? signal}:\n${output()}`))))
  })
}

/** Starts server.js and resolves with its URL once it listens. */
async function start(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = runNode(['server.js'])
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const ended = exited(child, () => output)
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line in 20 s:\n${output}`)), 20_000)
    child.stdout!.on('data', () => {
      const found = output.match(/listening on (http:\/\/\S+)/)
      if (found) {
        clearTimeout(timer)
        resolve(found[1])
      }
    })
    ended.then(() => reject(new Error(`server.js exited before listening:\n${output}`)), reject)
  })
  return {
    url,
    async stop() {
      child.kill('SIGTERM')
      await ended
    },
  }
}

beforeAll(async () => {
  if (!existsSync(join(root, 'dist/server.js'))) throw new Error('dist/ is missing: run `node build.mjs` first (npm test does)')
  cpSync(join(root, 'examples/express'), app, { recursive: true, filter: (src) => !/node_modules|\.data|assets/.test(src.slice(root.length)) })
  linkDependencies()
  let output = ''
  const build = runNode(['build.js'])
  build.stdout!.on('data', (d) => (output += d))
  build.stderr!.on('data', (d) => (output += d))
  await exited(build, () => output)
}, 60_000)

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('examples/express', () => {
  it('restarts five times on the same file, each time serving the page, a token and the portal', async () => {
    for (let run = 1; run <= 5; run++) {
      const server = await start()
      try {
        const page = await fetch(`${server.url}/`)
        expect(page.status).toBe(200)
        const html = await page.text()
        expect(html).toContain('<div id="portal"></div>')
        const script = html.match(/<script type="module" src="([^"]+)"/)?.[1]
        expect(script).toBe('/assets/client.js')
        const bundle = await fetch(`${server.url}${script}`)
        expect(bundle.status).toBe(200)
        expect(await bundle.text()).toMatch(/^import|createPortal|portal/)
        expect((await fetch(`${server.url}/assets/client.css`)).status).toBe(200)

        const { data } = (await (await fetch(`${server.url}/token`)).json()) as { data: { token: string; expires_at: number } }
        const auth = { authorization: `Bearer ${data.token}` }
        const session = (await (await fetch(`${server.url}/api/portal/session`, { headers: auth })).json()) as { customer: { id: string }; plan: { id: string } }
        expect(session.customer.id).toBe('user_ada')
        expect(session.plan.id).toBe('plan_starter')
        const invoices = (await (await fetch(`${server.url}/api/portal/invoices`, { headers: auth })).json()) as { data: { status: string; total: number }[] }
        expect(invoices.data.map((i) => [i.status, i.total])).toEqual([['paid', 1_900]])
      } finally {
        await server.stop()
      }
    }
  }, 120_000)
})
