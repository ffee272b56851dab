// @vitest-environment node
/**
 * The core entry's budget: `src/index.ts` with every view and its dependencies
 * (nanostores) bundled, minified and split as build.mjs does, at most 20 KB gzipped.
 * Stripe.js and the Stripe card form are loaded at run time, and the locale tables are
 * their own chunks (a page loads one at most): none of them counts. The bundle must
 * also import in a bare context with no window, document or navigator (SSR).
 */
import { build } from 'esbuild'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createContext, runInContext } from 'node:vm'
import { gzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'

const BUDGET = 20 * 1024
/** The usage chart's chunk (issue 18): fetched only for a plan with a metric. */
const CHART_BUDGET = 4 * 1024
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

async function bundle(format: 'esm' | 'cjs') {
  const result = await build({
    absWorkingDir: root,
    entryPoints: { index: 'src/index.ts' },
    outdir: 'out',
    bundle: true,
    write: false,
    splitting: format === 'esm',
    chunkNames: 'chunks/[name]-[hash]',
    format,
    platform: format === 'esm' ? 'browser' : 'neutral',
    target: 'es2020',
    minify: true,
    metafile: true,
    logLevel: 'silent',
    external: ['@stripe/stripe-js', '@stripe/stripe-js/*'],
  })
  const entry = result.outputFiles.find((file) => file.path.endsWith('/out/index.js'))!
  const output = Object.entries(result.metafile.outputs).find(([path]) => path === 'out/index.js')![1]
  const chunks = result.outputFiles.filter((file) => file.path.includes('/out/chunks/') && file.path.endsWith('.js'))
  return { code: entry.contents, inputs: Object.keys(output.inputs), chunks }
}

describe('core entry', () => {
  test(`is at most ${BUDGET} bytes min+gz, views and nanostores included`, async () => {
    const { code, inputs, chunks } = await bundle('esm')
    const gzipped = gzipSync(code, { level: 9 }).length
    console.log(`core entry: ${code.length} B min, ${gzipped} B min+gz (budget ${BUDGET})`)
    for (const chunk of chunks) console.log(`  chunk ${chunk.path.split('/').pop()}: ${gzipSync(chunk.contents, { level: 9 }).length} B min+gz, loaded on demand`)
    expect(chunks.map((chunk) => chunk.path.split('/').pop()!.replace(/-[^-]+$/, '')).sort()).toEqual(['api-keys-card', 'chart', 'controls', 'de', 'es', 'fr', 'ja', 'stripe-element'])
    expect(inputs.some((input) => input.startsWith('src/i18n/de'))).toBe(false)
    expect(inputs.some((input) => input.startsWith('src/views/'))).toBe(true)
    expect(inputs.some((input) => input.includes('node_modules/nanostores'))).toBe(true)
    expect(inputs.some((input) => input.startsWith('src/server/'))).toBe(false)
    expect(gzipped).toBeLessThanOrEqual(BUDGET)
  })

  test(`the usage chart is its own chunk of at most ${CHART_BUDGET} bytes min+gz, and the controls another`, async () => {
    const { chunks } = await bundle('esm')
    const named = (name: string) => chunks.find((chunk) => chunk.path.split('/').pop()!.startsWith(`${name}-`))!
    const chart = gzipSync(named('chart').contents, { level: 9 }).length
    console.log(`usage chart chunk: ${chart} B min+gz (budget ${CHART_BUDGET}); controls: ${gzipSync(named('controls').contents, { level: 9 }).length} B`)
    expect(chart).toBeLessThanOrEqual(CHART_BUDGET)
    // Neither imports the core's chunks (they get what they share at run time).
    for (const name of ['chart', 'controls']) expect(new TextDecoder().decode(named(name).contents)).not.toMatch(/from"\.\.?\//)
  })

  test('imports without window, document or navigator, and runs nothing', async () => {
    const { code } = await bundle('cjs')
    const touched: string[] = []
    const sandbox: Record<string, unknown> = {}
    for (const name of ['window', 'document', 'navigator', 'location', 'localStorage', 'setTimeout', 'fetch']) {
      Object.defineProperty(sandbox, name, { get: () => void touched.push(name) })
    }
    const context = createContext(sandbox)
    const load = runInContext(`(function (module, exports, require) {${new TextDecoder().decode(code)}\n})`, context) as (...args: unknown[]) => void
    const module = { exports: {} as Record<string, unknown> }
    load(module, module.exports, (id: string) => ({ id }))
    expect(typeof module.exports.createPortal).toBe('function')
    expect(touched).toEqual([])
  })
})
