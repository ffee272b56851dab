// @vitest-environment node
/**
 * The import boundaries of .dependency-cruiser.cjs (issue 14): layers import only
 * downward, no cycle, the headless layers draw no DOM, browser code never reaches the
 * server. The rule set runs over the real tree, and over a planted tree to prove each rule
 * really catches what it names (a rule set that matches nothing would pass the first test).
 */
import { cruise, type ICruiseOptions, type IViolation } from 'dependency-cruiser'
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options'
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, test } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const options = await extractDepcruiseOptions(join(root, '.dependency-cruiser.cjs'))

async function violations(baseDir: string, dirs: string[], cruiseOptions: ICruiseOptions, tsConfig?: string): Promise<IViolation[]> {
  const transpile = tsConfig ? { tsConfig: extractTSConfig(join(baseDir, tsConfig)) } : undefined
  const result = await cruise(dirs, { ...cruiseOptions, baseDir, validate: true }, undefined, transpile)
  if (typeof result.output === 'string') throw new Error(result.output)
  return result.output.summary.violations
}

const describeViolation = (v: IViolation) => `${v.rule.name}: ${v.from} -> ${v.to}${v.cycle ? ` (cycle ${v.cycle.map((c) => c.name).join(' -> ')})` : ''}`

describe('import boundaries', () => {
  test('the browser core, the adapters and the server keep every rule', { timeout: 60_000 }, async () => {
    const found = await violations(root, ['src', 'adapters'], options, 'tsconfig.json')
    expect(found.map(describeViolation)).toEqual([])
  })

  describe('each rule catches what it names', () => {
    const planted = mkdtempSync(join(tmpdir(), 'ap-boundaries-'))
    afterAll(() => rmSync(planted, { recursive: true, force: true }))
    const files: Record<string, string> = {
      'src/views/context.ts': 'export interface ViewContext { signal: AbortSignal }\n',
      // An upward type import: the api layer reaching for a view's type (what issue 14 removed).
      'src/api/transport.ts': "import type { ViewContext } from '../views/context'\nexport type Ctx = ViewContext\n",
      // Siblings on rank 0 stay independent.
      'src/dom/h.ts': "import { t } from '../i18n/translate'\nexport const h = () => t\n",
      'src/i18n/translate.ts': 'export const t = 1\n',
      // A store drawing DOM.
      'src/stores/account.ts': "import { h } from '../dom/h'\nexport const account = h\n",
      // A run-time cycle between two views.
      'src/views/a.ts': "import { b } from './b'\nexport const a = () => b\n",
      'src/views/b.ts': "import { a } from './a'\nexport const b = () => a\n",
      // Browser code importing the server, and a Node built-in.
      'src/views/c.ts': "import { handler } from '../server/handler'\nimport { readFileSync } from 'node:fs'\nexport const c = [handler, readFileSync]\n",
      'src/server/handler.ts': 'export const handler = 1\n',
      // An adapter going around the entries.
      'adapters/react/index.ts': "import { a } from '../../src/views/a'\nexport const r = a\n",
      'src/index.ts': 'export const index = 1\n',
    }
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(planted, path)), { recursive: true })
      writeFileSync(join(planted, path), text)
    }
    const { tsConfig: _drop, ...plantedOptions } = options
    const found = violations(planted, ['src', 'adapters'], plantedOptions)

    test.each([
      ['no-upward-from-api', 'src/api/transport.ts', 'src/views/context.ts'],
      ['no-upward-from-dom', 'src/dom/h.ts', 'src/i18n/translate.ts'],
      ['headless-draws-no-dom', 'src/stores/account.ts', 'src/dom/h.ts'],
      ['browser-never-imports-server', 'src/views/c.ts', 'src/server/handler.ts'],
      ['browser-no-node-builtins', 'src/views/c.ts', 'fs'],
      ['adapters-only-through-entries', 'adapters/react/index.ts', 'src/views/a.ts'],
    ])('%s: %s -> %s', async (rule, from, to) => {
      expect((await found).map(describeViolation)).toContain(`${rule}: ${from} -> ${to}`)
    })

    test('no-circular: a run-time cycle', async () => {
      const cycles = (await found).filter((v) => v.rule.name === 'no-circular')
      expect(cycles.map(describeViolation)).toEqual(['no-circular: src/views/a.ts -> src/views/b.ts (cycle src/views/b.ts -> src/views/a.ts)'])
    })
  })
})
