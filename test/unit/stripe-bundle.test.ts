// @vitest-environment node
/**
 * Stripe stays out of the initial bundle: `src/index.ts` reaches the Stripe card form
 * (src/views/billing/stripe-element.ts) only through a dynamic `import()`, and the form
 * reaches `@stripe/stripe-js` only through another. Split as build.mjs splits the core,
 * each is a chunk loaded when a customer opens the Stripe card form, never on other views,
 * and no code is hoisted into a shared chunk that the entry would load up front.
 */
import { build, type Metafile } from 'esbuild'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, test } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const FORM = 'src/views/billing/stripe-element.ts'
const isStripeJs = (path: string) => path.includes('@stripe/stripe-js')

async function metafile(external: string[]): Promise<Metafile> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: { index: 'src/index.ts' },
    outdir: 'out',
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    metafile: true,
    logLevel: 'silent',
    external,
  })
  return result.metafile
}

const chunkWith = (meta: Metafile, input: (path: string) => boolean) => Object.entries(meta.outputs).find(([path, output]) => path.endsWith('.js') && Object.keys(output.inputs).some(input))

/** The entry and every chunk it imports statically, transitively: what a page loads before anything runs. */
function upFront(meta: Metafile): string[] {
  const seen = new Set<string>()
  const visit = (path: string) => {
    if (seen.has(path) || !meta.outputs[path]) return
    seen.add(path)
    for (const i of meta.outputs[path].imports) if (i.kind !== 'dynamic-import' && !i.external) visit(i.path)
  }
  visit('out/index.js')
  return [...seen]
}

describe('Stripe in the core bundle', () => {
  test('src imports Stripe.js in one place, dynamically, and the card form only dynamically', async () => {
    const meta = await metafile([])
    const importsOf = (target: (path: string) => boolean) =>
      Object.entries(meta.inputs).flatMap(([input, { imports }]) => imports.filter((i) => target(i.path)).map((i) => ({ input, kind: i.kind })))
    expect(importsOf(isStripeJs).filter((i) => i.input.startsWith('src/'))).toEqual([{ input: FORM, kind: 'dynamic-import' }])
    expect(importsOf((path) => path === FORM)).toEqual([{ input: 'src/views/billing/stripe-entry.ts', kind: 'dynamic-import' }])
    // The form's module imports nothing else at run time, so no shared chunk is hoisted out of the core.
    expect(meta.inputs[FORM].imports.filter((i) => !isStripeJs(i.path))).toEqual([])
  })

  test('bundled, the form and Stripe.js are chunks of their own, each loaded on demand', async () => {
    const meta = await metafile([])
    const initial = upFront(meta)
    expect(initial.flatMap((path) => Object.keys(meta.outputs[path].inputs)).filter((path) => isStripeJs(path) || path === FORM)).toEqual([])
    const [formChunk, form] = chunkWith(meta, (path) => path === FORM)!
    const [stripeChunk] = chunkWith(meta, isStripeJs)!
    expect(stripeChunk).not.toBe(formChunk)
    expect(initial).not.toContain(formChunk)
    // Reached only through dynamic imports: no chunk imports the form's statically.
    const importers = Object.values(meta.outputs).flatMap((output) => output.imports.filter((i) => i.path === formChunk))
    expect(importers.length).toBeGreaterThan(0)
    expect(importers.every((i) => i.kind === 'dynamic-import')).toBe(true)
    expect(form.imports.filter((i) => i.kind === 'dynamic-import')).toEqual([{ path: stripeChunk, kind: 'dynamic-import' }])
  })

  test('as build.mjs ships it (dependencies external), only the form’s chunk imports @stripe/stripe-js/pure, dynamically', async () => {
    const { external } = (await import(pathToFileURL(resolve(root, 'build.mjs')).href)) as { external: string[] }
    const meta = await metafile(external)
    const initial = upFront(meta)
    expect(initial.flatMap((path) => meta.outputs[path].imports).filter((i) => isStripeJs(i.path))).toEqual([])
    const [, form] = chunkWith(meta, (path) => path === FORM)!
    expect(form.imports).toEqual([{ path: '@stripe/stripe-js/pure', kind: 'dynamic-import', external: true }])
  })
})
