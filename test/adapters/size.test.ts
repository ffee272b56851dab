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
      // The hooks' client is the headless entry's, never a copy (coreAsExternal).
      if (name === 'react' || name === 'vue') expect(imports).toContain('./headless.js')
      expect(gzipped).toBeLessThanOrEqual(BUDGET)
    })
  }

  // The hooks ride in the React entry; built alone (with the option sync they share with the
  // components, ~450 B of it) they have a budget of their own, so they cannot crowd the components out.
  const HOOKS_BUDGET = 1024
  it(`the React hooks weigh at most ${HOOKS_BUDGET} bytes min+gz of it`, async () => {
    const options = script.browserBuildOptions('react')
    const result = await build({ ...options, entryPoints: ['adapters/react/hooks.ts'], outdir: 'out', write: false, logLevel: 'silent' })
    const gzipped = gzipSync(result.outputFiles[0].contents).length
    console.log(`react hooks: ${gzipped} B min+gz (budget ${HOOKS_BUDGET})`)
    expect(gzipped).toBeLessThanOrEqual(HOOKS_BUDGET)
  })
})
