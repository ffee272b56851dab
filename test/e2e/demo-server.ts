/**
 * The demo server exactly as `npm start` runs it (`node demo/server.mjs`), as a child on a
 * free loopback port over a fresh SQLite file, so each framework starts from the seed.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '../..')

export interface DemoServer {
  url: string
  /** The server's SQLite file: a test may open a second engine on it (another instance, as in production). */
  dbFile: string
  /** Everything the server printed, for failure messages. */
  output(): string
  /** Ctrl-C: sends SIGINT and resolves to the exit code (null if it had to be killed). */
  stop(): Promise<number | null>
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer()
    probe.once('error', fail)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => done(port))
    })
  })
}

export async function startDemoServer(): Promise<DemoServer> {
  const dir = mkdtempSync(join(tmpdir(), 'portals-e2e-'))
  const port = await freePort()
  const child: ChildProcess = spawn(process.execPath, ['demo/server.mjs'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), DEMO_DB: join(dir, 'demo.sqlite'), NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk) => (output += chunk))
  child.stderr?.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
  const url = `http://127.0.0.1:${port}`
  const dbFile = join(dir, 'demo.sqlite')

  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`demo/server.mjs exited with ${child.exitCode} before listening:\n${output}`)
    try {
      const response = await fetch(`${url}/token?customer=cus_active`)
      if (response.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`demo/server.mjs did not answer /token within 30 s:\n${output}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }

  return {
    url,
    dbFile,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      const code = await exited
      clearTimeout(timer)
      rmSync(dir, { recursive: true, force: true })
      return child.signalCode === 'SIGKILL' ? null : code
    },
  }
}
