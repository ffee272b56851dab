/**
 * The core's initial JS is one file, as bench/size.mjs builds it: no lazy chunk imports a
 * module the core's entry also holds (the bundler would move it to a shared chunk, which the
 * entry imports statically: one initial file more, compressed apart). The views' chunks take
 * the core's helpers at run time from their loader, through the views kit
 * (src/views/parts/kit.ts, filled by `withKit` in ./core-kit.ts); the flows take theirs from
 * the client, the colour maths the colour syntax from its loader.
 */
import { build, type BuildOptions } from 'esbuild'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { expect, test } from 'vitest'
import { coreKit } from '../../../src/views/parts/core-kit.js'
import * as kit from '../../../src/views/parts/kit.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const { initialOutputs, coreBuildOptions } = (await import(pathToFileURL(resolve(root, 'bench/size.mjs')).href)) as {
  initialOutputs(metafile: unknown, entry: string): string[]
  coreBuildOptions(outdir: string): BuildOptions & { write: false; metafile: true }
}

const { metafile } = await build(coreBuildOptions('.bench-out/kit'))
const entry = '.bench-out/kit/index.js'
const initial = initialOutputs(metafile, entry).filter((path) => path.endsWith('.js'))
const lazy = Object.keys(metafile.outputs).filter((path) => path.endsWith('.js') && !initial.includes(path))
const outputOf = (input: string) => Object.keys(metafile.outputs).filter((path) => path.endsWith('.js') && input in metafile.outputs[path].inputs)
const staticImports = (output: string) => metafile.outputs[output].imports.filter((i) => i.kind !== 'dynamic-import' && !i.external).map((i) => i.path)

test('the core loads in one file: its entry, with the helpers the chunks use', () => {
  expect(initial).toEqual([entry])
  for (const helper of ['src/dom/h.ts', 'src/views/parts/resource.ts', 'src/views/parts/layout.ts', 'src/views/parts/format.ts', 'src/stores/resource.ts', 'src/views/parts/core-kit.ts']) {
    expect(outputOf(helper), helper).toEqual([entry])
  }
})

test('no lazy chunk imports a file of the core: the views, the dialog, the deep links, the flows and the colour maths all get the core from their loader', () => {
  for (const input of ['src/views/invoices.ts', 'src/views/billing.ts', 'src/views/pricing.ts', 'src/views/account/banner.ts', 'src/views/dashboard/api-keys-card.ts', 'src/dom/dialog.ts', 'src/shell/deep-link.ts', 'src/flows/index.ts', 'src/theme/color.ts']) {
    expect(lazy, input).toEqual(expect.arrayContaining(outputOf(input)))
  }
  for (const chunk of lazy) expect(staticImports(chunk).filter((path) => initial.includes(path)), chunk).toEqual([])
  // Nor does any module in a lazy chunk import one of the core's modules directly (a chunk importing src/dom/h.ts, say).
  const coreModules = new Set(initial.flatMap((path) => Object.keys(metafile.outputs[path].inputs)))
  for (const chunk of lazy) {
    for (const input of Object.keys(metafile.outputs[chunk].inputs)) {
      const fromCore = metafile.inputs[input].imports.filter((i) => i.kind !== 'dynamic-import' && coreModules.has(i.path)).map((i) => i.path)
      expect(fromCore, `${input} (in ${chunk})`).toEqual([])
    }
  }
})

test('the views kit imports nothing at run time: its loader installs every helper of the core kit', () => {
  expect(metafile.inputs['src/views/parts/kit.ts'].imports).toEqual([])
  expect(lazy).toEqual(expect.arrayContaining(outputOf('src/views/parts/kit.ts')))
  kit.installKit(coreKit)
  const bindings = Object.keys(kit).filter((name) => name !== 'installKit')
  expect(bindings.sort()).toEqual(Object.keys(coreKit).sort())
  for (const [name, helper] of Object.entries(coreKit)) expect(kit[name as keyof typeof coreKit], name).toBe(helper)
})
