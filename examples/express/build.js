// Bundles client.js the way the package's README says: ESM with code splitting (the
// portal's size budget assumes it). Writes public/assets/client.js and client.css.
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'

await build({
  absWorkingDir: fileURLToPath(new URL('.', import.meta.url)),
  entryPoints: ['client.js'],
  bundle: true,
  format: 'esm',
  splitting: true,
  minify: true,
  target: 'es2022',
  outdir: 'public/assets',
  logLevel: 'warning',
})
