// A bench target in a child process of its own: it prints one JSON line (where it listens)
// once ready, and closes on SIGTERM.
import { spawn } from 'node:child_process'

/** Starts `node <script> ...args`; resolves to `{ child, ...the JSON line }`. */
export function spawnChild(script, args = [], env = {}) {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    let buffered = ''
    child.stdout.on('data', (chunk) => {
      buffered += chunk
      if (buffered.includes('\n')) resolve({ child, ...JSON.parse(buffered.split('\n')[0]) })
    })
    child.on('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited with ${code}`)))
  })
}

export function stopChild(target) {
  if (target.child.exitCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    target.child.once('exit', resolve)
    target.child.kill('SIGTERM')
  })
}

/** The child's side: listen on a free loopback port, print `{ origin, ...extra }`, close on SIGTERM. */
export function serveChild(server, extra = {}) {
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ origin: `http://127.0.0.1:${server.address().port}`, ...extra })}\n`)
  })
  process.on('SIGTERM', () => {
    server.closeAllConnections()
    server.close(() => process.exit(0))
  })
}
