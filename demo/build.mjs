// Bundles the demo pages into demo/.out/ the way a user's app is bundled: the pages import
// `@archetypeapi/portals` and its subpaths by name, resolved through this package's own
// `exports` map to the built dist/ files (run `node build.mjs` first). The Svelte page is a
// real .svelte component compiled by svelte/compiler; nothing needs 'unsafe-eval'.
//
// demo/.out/ is what demo/server.mjs serves as is: `index.html` and `<framework>.html` at
// `/` and `/<framework>` (and `/headless`, the React hooks page), scripts and the demo's CSS under `/demo/`, and the package's
// own stylesheet at `/dist/styles.css`, the path the original docs import.
import { build } from 'esbuild'
import { packageSelf } from '../build.mjs'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const demoDir = dirname(fileURLToPath(import.meta.url))
const root = resolve(demoDir, '..')
const pages = resolve(demoDir, 'pages')
export const outdir = resolve(demoDir, '.out')
const assets = resolve(outdir, 'demo')

export const FRAMEWORKS = { vanilla: 'Vanilla', react: 'React', vue: 'Vue', svelte: 'Svelte', element: 'Custom element' }

export const CUSTOMERS = {
  cus_active: 'Active on Pro, usage at 80 %',
  cus_trialing: 'On a free trial',
  cus_past_due: 'Payment past due',
  cus_canceling: 'Cancels at the period end',
  cus_canceled: 'Canceled',
  cus_free: 'On the Free plan',
  cus_many_invoices: '250 invoices',
  anonymous: 'Anonymous visitor (pricing only)',
}

/** Compiles .svelte files with the installed compiler; component CSS is not used (CSP). */
const svelte = {
  name: 'svelte',
  setup(b) {
    b.onLoad({ filter: /\.svelte$/ }, async (args) => {
      const { compile } = await import('svelte/compiler')
      const source = readFileSync(args.path, 'utf8')
      try {
        const { js, warnings } = compile(source, { filename: args.path, generate: 'client', css: 'external' })
        return {
          contents: js.code,
          loader: 'js',
          resolveDir: dirname(args.path),
          warnings: warnings.map((w) => ({ text: w.message, location: w.start ? { file: args.path, line: w.start.line, column: w.start.column } : null })),
        }
      } catch (error) {
        return { errors: [{ text: error.message, location: error.start ? { file: args.path, line: error.start.line, column: error.start.column } : null }] }
      }
    })
  },
}

const escapeHtml = (text) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])

function writePages() {
  const options = Object.entries(CUSTOMERS)
    .map(([id, label]) => `          <option value="${id}">${escapeHtml(id === 'anonymous' ? label : `${id}: ${label}`)}</option>`)
    .join('\n')
  const template = readFileSync(resolve(pages, 'framework.html'), 'utf8')
  for (const [framework, label] of Object.entries(FRAMEWORKS)) {
    let html = template.replaceAll('%FRAMEWORK%', framework).replaceAll('%LABEL%', label).replace('%CUSTOMER_OPTIONS%', options)
    for (const other of Object.keys(FRAMEWORKS)) html = html.replace(`%CURRENT_${other}%`, other === framework ? ' aria-current="page"' : '')
    writeFileSync(resolve(outdir, `${framework}.html`), html)
  }
  const radios = Object.entries(CUSTOMERS)
    .map(
      ([id, label], i) =>
        `        <label class="demo-radio"><input type="radio" name="customer" value="${id}"${i === 0 ? ' checked' : ''}> <code>${id}</code> — ${escapeHtml(label)}</label>`,
    )
    .join('\n')
  const links = Object.keys(CUSTOMERS)
    .map((id) => {
      const cells = Object.entries(FRAMEWORKS).map(([fw, label]) => `<a href="/${fw}?customer=${id}">${label}</a>`)
      return `      <li><code>${id}</code>: ${cells.join(' · ')}</li>`
    })
    .join('\n')
  const index = readFileSync(resolve(pages, 'index.html'), 'utf8').replace('%CUSTOMER_RADIOS%', radios).replace('%CUSTOMER_LINKS%', links)
  writeFileSync(resolve(outdir, 'index.html'), index)
  // /headless: the React hooks page, its own HTML (no framework controls).
  copyFileSync(resolve(pages, 'headless.html'), resolve(outdir, 'headless.html'))
  for (const file of ['demo.css', 'logo.svg']) copyFileSync(resolve(pages, file), resolve(assets, file))
  const styles = resolve(root, 'dist/styles.css')
  if (!existsSync(styles)) throw new Error('dist/styles.css is missing: run `node build.mjs` before building the demo')
  mkdirSync(resolve(outdir, 'dist'), { recursive: true })
  copyFileSync(styles, resolve(outdir, 'dist/styles.css'))
}

/** Builds every page into demo/.out/; resolves to the build time in ms. */
export async function buildDemo() {
  const started = Date.now()
  rmSync(outdir, { recursive: true, force: true })
  mkdirSync(assets, { recursive: true })
  writePages()
  await build({
    absWorkingDir: root,
    entryPoints: {
      ...Object.fromEntries(Object.keys(FRAMEWORKS).map((fw) => [fw, resolve(pages, fw === 'react' ? 'react.tsx' : `${fw}.ts`)])),
      headless: resolve(pages, 'headless.tsx'),
    },
    outdir: assets,
    bundle: true,
    // Split as an app's bundler splits the package: the views but the dashboard, the
    // pricing cards, locale tables and the Stripe form load on demand, as they would for a user.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
    jsx: 'automatic',
    conditions: ['svelte', 'browser'],
    define: {
      'process.env.NODE_ENV': '"production"',
      __VUE_OPTIONS_API__: 'true',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
    plugins: [packageSelf, svelte],
  })
  return Date.now() - started
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ms = await buildDemo()
  console.log(`built demo/.out/ in ${ms} ms`)
}
