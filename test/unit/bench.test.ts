// @vitest-environment node
/**
 * The bench's judgements (bench/table.mjs, bench/size.mjs): percentiles, budget versus
 * goal, which rows fail the run, the table's shape, and where Stripe.js sits in a
 * bundle's metafile. The measurements themselves run in `npm run bench`, not here.
 */
import type { Metafile } from 'esbuild'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, test } from 'vitest'

type Status = 'pass' | 'over' | 'FAIL' | 'info' | 'skip'
interface Row {
  measure: string
  figure: string
  baseline?: string
  goal: string
  status: Status
  budget?: boolean
  note?: string
}
interface Table {
  percentile(values: number[], p: number): number
  median(values: number[]): number
  verdict(value: number, limits: { budget?: number; goal?: number }): Status
  failed(row: Row): boolean
  renderTable(rows: Row[]): string
}
interface Size {
  initialOutputs(metafile: Metafile, entry: string): string[]
  stripePlacement(metafile: Metafile, entry: string): 'initial' | 'lazy' | 'absent'
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const table = (await import(pathToFileURL(resolve(root, 'bench/table.mjs')).href)) as Table
const size = (await import(pathToFileURL(resolve(root, 'bench/size.mjs')).href)) as Size

describe('percentiles', () => {
  test('nearest rank: p90 of 1..10 is 9, the median of an odd list its middle value', () => {
    const values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5]
    expect(table.percentile(values, 90)).toBe(9)
    expect(table.percentile(values, 100)).toBe(10)
    expect(table.percentile(values, 0)).toBe(1)
    expect(table.median([30, 10, 20])).toBe(20)
  })

  test('an empty list is an error, not NaN in the table', () => {
    expect(() => table.percentile([], 50)).toThrow(/empty/)
  })
})

describe('verdicts', () => {
  test('over the budget fails; within it but over the goal is reported; within the goal passes', () => {
    const limits = { budget: 20, goal: 12 }
    expect(table.verdict(21, limits)).toBe('FAIL')
    expect(table.verdict(20, limits)).toBe('over')
    expect(table.verdict(12, limits)).toBe('pass')
    expect(table.verdict(5, { goal: 4 })).toBe('over')
  })

  test('a missed budget fails the run, and so does a budget that could not be measured; a missed goal does not', () => {
    const row = (status: Status, budget?: boolean): Row => ({ measure: 'm', figure: 'f', goal: 'g', status, budget })
    expect(table.failed(row('FAIL', true))).toBe(true)
    expect(table.failed(row('skip', true))).toBe(true)
    expect(table.failed(row('skip'))).toBe(false)
    expect(table.failed(row('over'))).toBe(false)
    expect(table.failed(row('pass', true))).toBe(false)
  })
})

test('the table is Markdown: a header, a rule, one line per row with its note, pipes in cells escaped', () => {
  const text = table.renderTable([
    { measure: 'size: core', figure: '19.9 KB', goal: '≤ 20 KB', status: 'pass' },
    { measure: 'a | b', figure: '1', baseline: 'bare: 2', goal: '0', status: 'over', note: 'why' },
  ])
  const lines = text.split('\n')
  expect(lines).toHaveLength(4)
  expect(lines[0]).toMatch(/^\| measure +\| figure +\| baseline +\| goal +\| met +\|$/)
  expect(lines[1]).toMatch(/^\|-+\|-+\|-+\|-+\|-+\|$/)
  expect(lines[3]).toContain('a \\| b')
  expect(lines[3]).toContain('over (why)')
  expect(new Set(lines.map((line) => line.length)).size).toBe(1)
})

describe('Stripe.js placement in a metafile', () => {
  const output = (inputs: string[], imports: Metafile['outputs'][string]['imports']) => ({
    bytes: 1,
    inputs: Object.fromEntries(inputs.map((input) => [input, { bytesInOutput: 1 }])),
    imports,
    exports: [],
  })
  const meta = (outputs: Metafile['outputs']): Metafile => ({ inputs: {}, outputs })
  const STRIPE = 'node_modules/@stripe/stripe-js/dist/pure.js'

  test('behind a dynamic import it is lazy; the entry and its static chunks are the initial files', () => {
    const m = meta({
      'out/page.js': output(['src/page.ts'], [{ path: 'out/chunk-a.js', kind: 'import-statement' }, { path: 'out/form.js', kind: 'dynamic-import' }]),
      'out/chunk-a.js': output(['src/a.ts'], []),
      'out/form.js': output(['src/form.ts'], [{ path: 'out/pure.js', kind: 'dynamic-import' }]),
      'out/pure.js': output([STRIPE], []),
    })
    expect(size.initialOutputs(m, 'out/page.js').sort()).toEqual(['out/chunk-a.js', 'out/page.js'])
    expect(size.stripePlacement(m, 'out/page.js')).toBe('lazy')
  })

  test('bundled into a chunk the entry imports statically, it is initial', () => {
    const m = meta({
      'out/page.js': output(['src/page.ts'], [{ path: 'out/chunk-a.js', kind: 'import-statement' }]),
      'out/chunk-a.js': output(['src/a.ts', STRIPE], []),
    })
    expect(size.stripePlacement(m, 'out/page.js')).toBe('initial')
  })

  test('left external but imported statically, it is initial; imported dynamically, lazy; not there at all, absent', () => {
    const external = (kind: 'import-statement' | 'dynamic-import') =>
      meta({ 'out/page.js': output(['src/page.ts'], [{ path: '@stripe/stripe-js/pure', kind, external: true }]) })
    expect(size.stripePlacement(external('import-statement'), 'out/page.js')).toBe('initial')
    expect(size.stripePlacement(external('dynamic-import'), 'out/page.js')).toBe('lazy')
    expect(size.stripePlacement(meta({ 'out/page.js': output(['src/page.ts'], []) }), 'out/page.js')).toBe('absent')
  })
})
