// Bundles a page the way a user's app bundles the package: `@archetypeapi/portals[/sub]`
// resolves through package.json's `exports` to the built dist/ files (run `node build.mjs`
// first), minified, ESM, split so dynamic imports (locale tables, the Stripe card form,
// Stripe.js) become chunks of their own.
import { build } from 'esbuild'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packageSelf } from '../build.mjs'

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** What `react`, `react-dom` and their subpaths are for a page that excludes React. */
export const REACT = ['react', 'react-dom', 'react/*', 'react-dom/*']

/** What every size figure bundles with: ESM split into chunks at the dynamic imports, minified, for browsers. */
export const splitBrowserBuild = {
  absWorkingDir: root,
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  metafile: true,
}

/**
 * `entryPoints` as esbuild takes them (`{ name: path }`); `write: false` keeps the output
 * in memory (sizes), `outdir` is where it goes either way (paths in the metafile).
 */
export function bundlePage({ entryPoints, outdir, external = [], write = false }) {
  return build({
    ...splitBrowserBuild,
    entryPoints,
    outdir,
    write,
    logLevel: 'warning',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    external,
    plugins: [packageSelf],
  })
}
