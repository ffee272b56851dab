/**
 * The docs as a stranger follows them (issue 13): the server and seller snippets of the
 * README and docs/ (fenced blocks marked `<!-- snippet: name -->`) run against the packed
 * tarball, installed into a scratch project with this repo's node_modules for its
 * dependencies; and every relative link in the shipped README and docs resolves inside
 * the package. Needs `node build.mjs` first (npm test does).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packTarball, repoRoot, sh } from '../helpers/pack.js'

const work = mkdtempSync(join(tmpdir(), 'portals-snippets-'))
const scratch = join(work, 'app')
const installed = join(scratch, 'node_modules/@archetypeapi/portals')
const SECRET = 'docs-snippets-test-secret-0123456789abcdef'

/** The package's own dependencies, the engine's driver, and the Express the server snippet mounts on. */
function linkDependencies(): void {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
  for (const name of [...Object.keys(pkg.dependencies), 'better-sqlite3', 'express']) {
    const target = join(scratch, 'node_modules', name)
    mkdirSync(dirname(target), { recursive: true })
    symlinkSync(join(repoRoot, 'node_modules', name), target, 'dir')
  }
}

beforeAll(async () => {
  const tarball = await packTarball(work)
  mkdirSync(dirname(installed), { recursive: true })
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }))
  await sh('tar', ['-xzf', tarball, '-C', dirname(installed)], work)
  await sh('mv', [join(dirname(installed), 'package'), installed], work)
  linkDependencies()
}, 180_000)

afterAll(() => rmSync(work, { recursive: true, force: true }))

/** The shipped markdown files, relative to the package root. */
const markdown = (): string[] => ['README.md', ...readdirSync(join(installed, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]

/** Marked fenced blocks: `<!-- snippet: name -->` on the line before a ```js or ```ts fence. */
function snippets(): Map<string, { file: string; code: string }> {
  const found = new Map<string, { file: string; code: string }>()
  for (const file of markdown()) {
    const text = readFileSync(join(installed, file), 'utf8')
    for (const m of text.matchAll(/<!-- snippet: ([\w-]+) -->\n```(?:js|ts)\n([\s\S]*?)\n```/g)) {
      if (found.has(m[1])) throw new Error(`snippet "${m[1]}" is marked twice (${found.get(m[1])!.file}, ${file})`)
      found.set(m[1], { file, code: m[2] })
    }
  }
  return found
}

/** What each snippet leaves to the reader (before) and what the test checks it did (after). */
const HARNESS: Record<string, { before: string; after: string; runs: number }> = {
  // README "On your server": an Express app with a signed-in user; run twice on one file, as a restart.
  server: {
    runs: 2,
    before: `
import express from 'express'
const app = express()
const appId = 'app_acme'
const appSecret = '${SECRET}'
app.use((req, _res, next) => { req.user = { id: 'user_42', email: 'ada@example.com' }; next() })
const requireSignedIn = (req, res, next) => (req.user ? next() : res.status(401).end())
`,
    after: `
const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)) })
const base = 'http://127.0.0.1:' + server.address().port
const { data } = await (await fetch(base + '/token')).json()
const auth = { authorization: 'Bearer ' + data.token }
const session = await fetch(base + '/api/portal/session', { headers: auth })
const plans = await (await fetch(base + '/api/portal/plans', { headers: auth })).json()
console.log(JSON.stringify({ status: session.status, customer: (await session.json()).customer, plans: plans.data.map((p) => p.id) }))
server.close()
await billing.close()
`,
  },
  // docs/billing-engine.md's first snippet: open the engine, make the handler.
  engine: {
    runs: 1,
    before: `const secret = '${SECRET}'\n`,
    after: `
const res = await handler(new Request('http://localhost/api/portal/public/pk_none/plans'))
console.log(JSON.stringify({ handler: typeof handler, status: res.status }))
await billing.close()
`,
  },
  // docs/billing-engine.md "What a seller calls": the catalogue, a customer, a card, a plan: one paid invoice.
  seller: {
    runs: 1,
    before: '',
    after: `
const invoices = await billing.listInvoices(scope, { limit: 10 })
const again = await billing.applyCatalogue({ app: { id: 'app_acme', name: 'x' }, plans: [] }, { dryRun: true })
console.log(JSON.stringify({ invoices: invoices.data.map((i) => [i.status, i.total, i.number]), owner, diffChanged: diff.changed, dryRunArchives: again.plans.archived }))
await billing.close()
`,
  },
}

async function runSnippet(name: string): Promise<unknown[]> {
  const snippet = snippets().get(name)
  if (!snippet) throw new Error(`no <!-- snippet: ${name} --> in the shipped README or docs`)
  const harness = HARNESS[name]
  const dir = join(scratch, `run-${name}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'main.mjs'), `${harness.before}\n${snippet.code}\n${harness.after}`)
  const results: unknown[] = []
  for (let i = 0; i < harness.runs; i++) {
    const out = await sh(process.execPath, ['main.mjs'], dir, 60_000)
    results.push(JSON.parse(out.trim().split('\n').pop()!))
  }
  return results
}

describe('the shipped README and docs', () => {
  it('mark exactly the snippets this test runs', () => {
    expect([...snippets().keys()].sort()).toEqual(Object.keys(HARNESS).sort())
  })

  it('have no relative link that the package does not hold', () => {
    const broken: string[] = []
    for (const file of markdown()) {
      const text = readFileSync(join(installed, file), 'utf8')
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:|#)/.test(target)) continue
        if (!existsSync(join(installed, dirname(file), target.split('#')[0]))) broken.push(`${file} -> ${target}`)
      }
    }
    expect(broken).toEqual([])
  })

  it('README "On your server" runs as written, twice on the same file: a token, the session, the plans', async () => {
    const [first, second] = await runSnippet('server')
    const expected = { status: 200, customer: { id: 'user_42', email: 'ada@example.com', name: '' }, plans: ['plan_pro'] }
    expect(first).toEqual(expected)
    expect(second).toEqual(expected)
  }, 120_000)

  it('docs/billing-engine.md opens the engine in a .data/ directory that does not exist yet', async () => {
    expect(await runSnippet('engine')).toEqual([{ handler: 'function', status: 404 }])
    expect(existsSync(join(scratch, 'run-engine/.data/billing.sqlite'))).toBe(true)
  }, 60_000)

  it('docs/billing-engine.md seller calls leave the customer with one paid invoice and a key that verifies', async () => {
    const [result] = (await runSnippet('seller')) as { invoices: unknown[]; owner: { customUid: string }; diffChanged: boolean; dryRunArchives: string[] }[]
    expect(result.invoices).toEqual([['paid', 1_900, 'ACME-0001']])
    expect(result.owner).toMatchObject({ appId: 'app_acme', customUid: 'user_42' })
    expect(result.diffChanged).toBe(true)
    expect(result.dryRunArchives).toEqual(['plan_starter', 'plan_pro'])
  }, 60_000)
})
