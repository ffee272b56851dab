/**
 * The package as a user gets it: `npm pack` of the built repo, and child processes run
 * the way a user's shell would (not as part of this repo's `npm test`). Shared by the
 * packaging and the docs-snippet tests.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Child npm runs must not think they are inside this repo's `npm test`. */
export const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(npm_(package|lifecycle)_|npm_config_(local_prefix|prefix)$|INIT_CWD$)/.test(key)),
)

/** Runs a command; a failure's error carries its output. */
export async function sh(cmd: string, args: string[], cwd: string, timeout = 120_000): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { cwd, env: childEnv, timeout, maxBuffer: 32 * 1024 * 1024 })
    return stdout
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string }
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`)
  }
}

const BUILT = ['dist/index.js', 'dist/react.js', 'dist/vue.js', 'dist/svelte.js', 'dist/server.js', 'dist/styles.css', 'dist/types/src/index.d.ts']

/** `npm pack`s the repo into `destination` and returns the tarball's path; dist/ must be built. */
export async function packTarball(destination: string): Promise<string> {
  const missing = BUILT.filter((file) => !existsSync(join(repoRoot, file)))
  if (missing.length) throw new Error(`dist/ is incomplete (${missing.join(', ')}): run \`node build.mjs\` first (npm test does)`)
  const [packed] = JSON.parse(await sh('npm', ['pack', '--json', '--pack-destination', destination], repoRoot)) as { filename: string }[]
  return join(destination, packed.filename)
}
