// @vitest-environment node
/**
 * Each adapter's budget: at most 1.5 KB minified and gzipped, built the way build.mjs
 * builds it (the core and the frameworks external), and nothing but adapter code inside.
 */
import { build, type BuildOptions } from 'esbuild'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'

const BUDGET = 1536
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

interface BuildScript {
  browserBuildOptions(name: string): BuildOptions
}
const script = (await import(pathToFileURL(resolve(root, 'build.mjs')).href)) as BuildScript

describe('adapter size', () => {
  for (const name of ['react', 'vue', 'svelte', 'element']) {
    it(`${name} stays within ${BUDGET} bytes min+gz and bundles neither the core nor its framework`, async () => {
      const result = await build({ ...script.browserBuildOptions(name), outdir: 'out', write: false, metafile: true, logLevel: 'silent' })
      const code = result.outputFiles[0].contents
      const gzipped = gzipSync(code).length
      console.log(`${name} adapter: ${code.length} B min, ${gzipped} B min+gz (budget ${BUDGET})`)
      expect(Object.keys(result.metafile.inputs).every((input) => input.startsWith('adapters/'))).toBe(true)
      const imports = Object.values(result.metafile.outputs)[0].imports.map((i) => i.path)
      expect(imports).toContain('./index.js')
      expect(gzipped).toBeLessThanOrEqual(BUDGET)
    })
  }
})
