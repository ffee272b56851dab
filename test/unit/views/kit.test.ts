/**
 * The core's helpers that the views' chunks use (src/views/parts/kit.ts) land in one
 * initial file of the core, as bench/size.mjs builds it: the chunks reach them together,
 * so the bundler makes one shared chunk of them rather than one per set of chunks using
 * some of them (six initial files, each compressed apart, before the kit). The other lazy
 * chunks get what they need of the core from their loader (the flows a kit from the
 * client, the colour maths the colour syntax), so they add no initial file of their own.
 */
import { build, type BuildOptions } from 'esbuild'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { expect, test } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const { initialOutputs, coreBuildOptions } = (await import(pathToFileURL(resolve(root, 'bench/size.mjs')).href)) as {
  initialOutputs(metafile: unknown, entry: string): string[]
  coreBuildOptions(outdir: string): BuildOptions & { write: false; metafile: true }
}

const { metafile } = await build(coreBuildOptions('.bench-out/kit'))
const initial = initialOutputs(metafile, '.bench-out/kit/index.js').filter((path) => path.endsWith('.js'))
const outputOf = (input: string) => Object.keys(metafile.outputs).filter((path) => path.endsWith('.js') && input in metafile.outputs[path].inputs)

test('the modules of the views kit are all in one initial file of the core', () => {
  const kitModules = metafile.inputs['src/views/parts/kit.ts'].imports.map((i) => i.path)
  expect(kitModules).toEqual(expect.arrayContaining(['src/dom/h.ts', 'src/views/parts/layout.ts', 'src/views/parts/resource.ts', 'src/views/parts/format.ts']))
  // h() is also the dialog's (a chunk of its own), so it may stay a file apart; the rest may not.
  const homes = new Set(kitModules.filter((path) => path !== 'src/dom/h.ts').flatMap(outputOf))
  expect([...homes]).toHaveLength(1)
  expect(initial).toContain([...homes][0])
  expect(initial).toEqual(expect.arrayContaining(outputOf('src/dom/h.ts')))
})

test('the flows and the colour maths load nothing of the core: their chunks import no initial file', () => {
  for (const lazy of ['src/flows/index.ts', 'src/theme/color.ts']) {
    const [chunk] = outputOf(lazy)
    expect(initial, lazy).not.toContain(chunk)
    expect(metafile.outputs[chunk].imports.map((i) => i.path).filter((path) => initial.includes(path)), lazy).toEqual([])
  }
})

test('the core loads in two files: the entry, and the helpers it shares with the chunks (h() too, which the dialog takes from the shell)', () => {
  // Each file more is compressed apart (about 200 B gz each): one per distinct set of lazy chunks importing core modules.
  expect(initial.length).toBeLessThanOrEqual(2)
  expect(initial).toContain('.bench-out/kit/index.js')
  expect(initial).toEqual(expect.arrayContaining([...outputOf('src/views/parts/resource.ts'), ...outputOf('src/dom/h.ts')]))
})
