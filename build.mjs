// Builds every entry of @archetypeapi/portals into dist/ and emits .d.ts files.
// Browser entries are minified ESM with source maps; dependencies stay external so a
// user's bundler dedupes them. Adapters import the core's entry, never a copy of it.
import { build } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = dirname(fileURLToPath(import.meta.url))
const pkg = (await import('./package.json', { with: { type: 'json' } })).default
export const external = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  '@stripe/stripe-js/pure',
  'react/jsx-runtime',
  'react-dom/client',
  'svelte/*',
]
const coreEntries = ['index', 'headless']

/**
 * Adapters reach the core through `./index.js` and `./headless.js`, the same files a user
 * imports: a page never holds two copies of the core or of its client.
 */
export const coreAsExternal = {
  name: 'core-as-external',
  setup(b) {
    b.onResolve({ filter: /src\/(index|headless)(\.js|\.ts)?$/ }, (args) => {
      if (args.kind === 'entry-point') return undefined // the core's own build
      const target = resolve(args.resolveDir, args.path).replace(/\.(js|ts)$/, '')
      const entry = coreEntries.find((name) => target === resolve(root, 'src', name))
      return entry ? { path: `./${entry}.js`, external: true } : undefined
    })
  },
}

/**
 * Resolves `@archetypeapi/portals[/sub]` through package.json's `exports` to the built
 * dist/ files, as a user's bundler would: the demo pages and the bench pages use it.
 */
export const packageSelf = {
  name: 'package-self',
  setup(b) {
    const escaped = pkg.name.replace(/[/\\^$.*+?()[\]{}|-]/g, '\\$&')
    b.onResolve({ filter: new RegExp(`^${escaped}(/.*)?$`) }, (args) => {
      const subpath = '.' + args.path.slice(pkg.name.length)
      const target = pkg.exports[subpath]
      const file = typeof target === 'string' ? target : target?.default
      if (!file) return { errors: [{ text: `${args.path} is not in package.json "exports"` }] }
      const path = resolve(root, file)
      if (!existsSync(path)) return { errors: [{ text: `${file} is missing: run \`node build.mjs\` first` }] }
      return { path }
    })
  },
}

export const browserEntries = {
  index: 'src/index.ts',
  // Built with the core (see browserBuildOptions): what both use is one shared chunk.
  headless: 'src/headless.ts',
  react: 'adapters/react/index.tsx',
  vue: 'adapters/vue/index.ts',
  svelte: 'adapters/svelte/index.ts',
  element: 'adapters/element/index.ts',
}

/**
 * How each browser entry ships. The size budgets and the bench build with these same
 * options (adding `write: false`, `metafile`), so what they measure is what users get.
 */
export function browserBuildOptions(name) {
  return {
    absWorkingDir: root,
    // The core and the headless client in one build: a page using both (a portal sharing
    // its client with custom UI) loads their common code once, from a shared chunk.
    entryPoints: name === 'index' ? { index: browserEntries.index, headless: browserEntries.headless } : { [name]: browserEntries[name] },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    logLevel: 'warning',
    external,
    plugins: [coreAsExternal],
    // The core's locale tables are dynamic imports: split into chunks a page loads
    // only for the locale it shows (src/i18n/translate.ts); so is the Stripe card form,
    // loaded when a Stripe setup begins (src/views/billing/stripe-entry.ts).
    ...(name === 'index' || name === 'headless' ? { splitting: true, chunkNames: 'chunks/[name]-[hash]' } : {}),
    // Next.js needs the directive in the shipped file.
    ...(name === 'react' ? { banner: { js: '"use client";' } } : {}),
  }
}

export async function buildAll({ types = true } = {}) {
  rmSync(resolve(root, 'dist'), { recursive: true, force: true })
  const common = { absWorkingDir: root, bundle: true, format: 'esm', logLevel: 'warning', external }
  await Promise.all([
    // headless is an entry of the core's build.
    ...Object.keys(browserEntries)
      .filter((name) => name !== 'headless')
      .map((name) => build({ ...browserBuildOptions(name), outdir: 'dist', sourcemap: true })),
    build({
      ...common,
      entryPoints: { server: 'src/server/index.ts' },
      outdir: 'dist',
      platform: 'node',
      target: 'node20',
      sourcemap: true,
    }),
    build({
      ...common,
      entryPoints: { styles: 'styles/portal.css' },
      outdir: 'dist',
      minify: true,
      loader: { '.css': 'css' },
    }),
  ])
  // Both stylesheet subpaths' `types`: TypeScript 7 checks side-effect imports, and a
  // `.css` with no declaration is TS2882 (issue 13).
  writeFileSync(resolve(root, 'dist/styles.d.css.ts'), '// The stylesheet: imported for its side effect only.\nexport {}\n')
  await writeOpenApiDocuments()
  if (types) execFileSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' })
}

/** dist/openapi/*.json: the documents the handlers serve at `{basePath}/openapi.json`, from the built server. */
async function writeOpenApiDocuments() {
  const server = await import(pathToFileURL(resolve(root, 'dist/server.js')).href)
  mkdirSync(resolve(root, 'dist/openapi'), { recursive: true })
  writeFileSync(resolve(root, 'dist/openapi/portal.json'), JSON.stringify(server.portalOpenApiDocument(), null, 2) + '\n')
  writeFileSync(resolve(root, 'dist/openapi/seller.json'), JSON.stringify(server.sellerOpenApiDocument(), null, 2) + '\n')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now()
  await buildAll({ types: !process.argv.includes('--no-types') })
  console.log(`built dist/ in ${Date.now() - started} ms`)
}
