// Size: what each entry and each kind of page adds to a user's page, minified, then
// gzipped (level 9) and brotli'd (quality 11) with node:zlib. "Initial" is what a page
// loads before anything runs: the entry file plus every chunk it imports statically;
// chunks behind a dynamic `import()` (locale tables, the Stripe card form, Stripe.js) are
// loaded on demand and counted apart.
import { build } from 'esbuild'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { browserBuildOptions, browserEntries, external } from '../build.mjs'
import { bundlePage, REACT, root, splitBrowserBuild } from './bundle.mjs'
import { KB, kb, verdict } from './table.mjs'

/**
 * The core's initial JS for the dashboard (the entry and the chunks it imports statically).
 * Issue 14 asks for 13,000 B (the goal); views on demand brought it from 20,299 B to
 * about 13,900 B, the headless re-layering back up to 17,299 B, and the flows and action
 * buttons on demand down to 15,925 B; issue 17's and 18's views (banner, deep-link router,
 * features in the nav, the usage card's loaders) brought it to 17,257 B. Then, without a change
 * users see: the chunks take the core's helpers through kits or from their loaders, so the core
 * is two files, not six (each file is compressed apart); the colour maths, the transport's
 * helpers and nanostores' lifecycle left the initial JS: 15,913 B. Then no chunk imports the
 * core at all (the views' chunks get its helpers at run time from their loaders, through
 * src/views/parts/kit.ts), so the core is one file: 15,162 B. The budget holds 15,913 B
 * (rounded up) until the rest is found: it must only go down.
 */
export const CORE_BUDGET = 15_950
export const CORE_GOAL = 13_000
export const ADAPTER_BUDGET = 1.5 * KB
/** The usage chart's chunk (issue 18), loaded only for a plan with a metric. */
export const CHART_BUDGET = 4 * KB
/** A React page with both portals, initial JS as the app's bundler splits it, React excluded. Issue 14 asks for 15,000 B; 18,310 B after issues 17 and 18, 16,973 B now, so it holds 17,000 until the gap is closed. */
export const REACT_PAGE_BUDGET = 17_000

export const gzip = (code) => gzipSync(code, { level: 9 }).length
export const brotli = (code) =>
  brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } }).length

/** The core's dynamic imports: one locale table each, the views but the dashboard, the dialog, the Stripe card form, the API-keys card, the usage chart and its controls. */
export const ON_DEMAND = ['de', 'es', 'fr', 'ja', 'invoices', 'billing', 'pricing', 'dialog', 'stripe-element', 'api-keys-card', 'chart', 'controls']

const isStripeJs = (path) => path.includes('@stripe/stripe-js')

/** Output paths a page loads up front from `entry`: itself and its static imports, transitively. */
export function initialOutputs(metafile, entry) {
  const seen = new Set()
  const visit = (path) => {
    if (seen.has(path) || !metafile.outputs[path]) return
    seen.add(path)
    for (const i of metafile.outputs[path].imports) if (i.kind !== 'dynamic-import' && !i.external) visit(i.path)
  }
  visit(entry)
  return [...seen]
}

/**
 * Where Stripe.js is: `initial` when any file loaded up front holds it or imports it
 * statically, `lazy` when it is reached only through a dynamic import, `absent` otherwise.
 */
export function stripePlacement(metafile, entry) {
  const initial = initialOutputs(metafile, entry)
  const holds = (path) => {
    const output = metafile.outputs[path]
    return Object.keys(output.inputs).some(isStripeJs) || output.imports.some((i) => i.external && i.kind !== 'dynamic-import' && isStripeJs(i.path))
  }
  if (initial.some(holds)) return 'initial'
  const anywhere = Object.values(metafile.outputs).some(
    (output) => Object.keys(output.inputs).some(isStripeJs) || output.imports.some((i) => isStripeJs(i.path)),
  )
  return anywhere ? 'lazy' : 'absent'
}

function measure(result, entry) {
  const files = new Map(result.outputFiles.map((file) => [file.path.slice(root.length + 1), file.contents]))
  const initial = initialOutputs(result.metafile, entry).filter((path) => path.endsWith('.js'))
  const inputs = initial.flatMap((path) => Object.keys(result.metafile.outputs[path].inputs))
  const sum = (paths, size) => paths.reduce((total, path) => total + size(files.get(path)), 0)
  const lazy = Object.keys(result.metafile.outputs).filter((path) => path.endsWith('.js') && !initial.includes(path))
  return {
    min: sum(initial, (code) => code.length),
    gz: sum(initial, gzip),
    br: sum(initial, brotli),
    files: initial.length,
    inputs,
    lazy: lazy.map((path) => ({ name: path.split('/').pop().replace(/-[A-Z0-9]+\.js$/, ''), gz: gzip(files.get(path)) })),
    stripe: stripePlacement(result.metafile, entry),
  }
}

/** Budget rows also give the exact gzip byte count: a figure at its limit must not hide behind rounding. */
const sizeFigure = (m, exact = false) => `${kb(m.gz)}${exact ? ` (${m.gz.toLocaleString('en')} B)` : ''} gz · ${kb(m.br)} br · ${kb(m.min)} min`

/** How the core is built for its figures (here, and test/unit/views/kit.test.ts): src/index.ts with every view, nanostores in, Stripe.js out, into `outdir` in memory. */
export const coreBuildOptions = (outdir) => ({
  ...splitBrowserBuild,
  entryPoints: { index: browserEntries.index },
  outdir,
  write: false,
  logLevel: 'silent',
  external: ['@stripe/stripe-js', '@stripe/stripe-js/*'],
})

/** The core as its budget test builds it. */
export async function core() {
  return measure(await build(coreBuildOptions('.bench-out/core')), '.bench-out/core/index.js')
}

/** An adapter as build.mjs ships it: the core and its framework external. */
async function adapter(name) {
  const result = await build({ ...browserBuildOptions(name), outdir: `.bench-out/${name}`, write: false, metafile: true, logLevel: 'silent' })
  return measure(result, `.bench-out/${name}/${name}.js`)
}

/** The server entry minified (build.mjs ships it unminified: it runs in Node, where bytes matter less). */
async function server() {
  const result = await build({
    absWorkingDir: root,
    entryPoints: { server: 'src/server/index.ts' },
    outdir: '.bench-out/server',
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    metafile: true,
    logLevel: 'silent',
    external,
  })
  return measure(result, '.bench-out/server/server.js')
}

export async function page(name, file, pageExternal = []) {
  const result = await bundlePage({ entryPoints: { [name]: `bench/pages/${file}` }, outdir: `.bench-out/${name}`, external: pageExternal })
  return measure(result, `.bench-out/${name}/${name}.js`)
}

/** Rows for the table; every build runs in memory (nothing is written). */
export async function sizeRows() {
  const [coreSize, react, vue, svelte, serverSize, bothPage, reactPage, reactBoth, portalOnly, pricingOnly] = await Promise.all([
    core(),
    adapter('react'),
    adapter('vue'),
    adapter('svelte'),
    server(),
    page('both-portals', 'both-portals.ts'),
    page('react-page', 'react-page.tsx', REACT),
    page('react-both-portals', 'react-both-portals.tsx', REACT),
    page('portal-only', 'portal-only.ts'),
    page('pricing-only', 'pricing-only.ts'),
  ])
  const rows = [
    {
      measure: 'size: core initial for the dashboard (views on demand)',
      figure: sizeFigure(coreSize, true),
      goal: `≤ ${kb(CORE_BUDGET)} gz budget, ≤ ${kb(CORE_GOAL)} goal`,
      baseline: 'test/unit/size.test.ts builds the same',
      status: verdict(coreSize.gz, { budget: CORE_BUDGET, goal: CORE_GOAL }),
      budget: true,
    },
    {
      measure: 'size: core, chunks loaded on demand',
      figure: coreSize.lazy.map((c) => `${c.name} ${kb(c.gz)}`).join(', '),
      goal: `${ON_DEMAND.join(', ')}: each its own chunk`,
      status: ON_DEMAND.every((name) => coreSize.lazy.some((c) => c.name === name)) ? 'pass' : 'over',
    },
  ]
  const chart = coreSize.lazy.find((c) => c.name === 'chart')
  rows.push({
    measure: 'size: usage chart chunk (on demand)',
    figure: chart ? `${kb(chart.gz)} (${chart.gz.toLocaleString('en')} B) gz` : 'no chart chunk',
    goal: `≤ ${kb(CHART_BUDGET)} gz budget`,
    status: chart ? verdict(chart.gz, { budget: CHART_BUDGET }) : 'over',
    budget: true,
  })
  for (const [name, m] of [['react', react], ['vue', vue], ['svelte', svelte]]) {
    rows.push({
      measure: `size: ${name} adapter alone`,
      figure: sizeFigure(m, true),
      goal: `≤ ${kb(ADAPTER_BUDGET)} gz budget`,
      status: verdict(m.gz, { budget: ADAPTER_BUDGET }),
      budget: true,
    })
  }
  rows.push({
    measure: 'size: server entry (minified)',
    figure: sizeFigure(serverSize),
    goal: '≤ 1024 KB gz (an edge worker)',
    status: verdict(serverSize.gz, { goal: 1024 * KB }),
  })
  const vsBoth = (m) => `both portals page: ${kb(bothPage.gz)} (−${kb(Math.max(0, bothPage.gz - m.gz))})`
  const pages = [
    ['page: both portals (initial)', bothPage, CORE_BUDGET, `≤ ${kb(CORE_BUDGET)} gz (the core budget, as a bundler sees it)`, `core: ${kb(coreSize.gz)}`],
    ['page: React customer portal, React excluded', reactPage, CORE_BUDGET + ADAPTER_BUDGET, `≤ ${kb(CORE_BUDGET + ADAPTER_BUDGET)} gz (core + adapter budgets)`, `portal-only page: ${kb(portalOnly.gz)} (+${kb(Math.max(0, reactPage.gz - portalOnly.gz))} for React)`],
    // Tree-shaking works when a page that uses one portal is smaller than one with both.
    ['page: customer portal only (createPortal)', portalOnly, bothPage.gz - 1, '< both portals page (tree-shaken)', vsBoth(portalOnly)],
    ['page: pricing only (createPricingPortal)', pricingOnly, bothPage.gz - 1, '< both portals page (tree-shaken)', vsBoth(pricingOnly)],
  ]
  for (const [measure, m, limit, goal, baseline] of pages) {
    rows.push({ measure: `size: ${measure}`, figure: sizeFigure(m, true), baseline, goal, status: verdict(m.gz, { goal: limit }) })
  }
  rows.push({
    measure: 'size: page: React, both portals, React excluded (initial)',
    figure: sizeFigure(reactBoth, true),
    baseline: 'test/unit/size.test.ts builds the same',
    goal: `≤ ${REACT_PAGE_BUDGET.toLocaleString('en')} B gz budget`,
    status: verdict(reactBoth.gz, { budget: REACT_PAGE_BUDGET }),
    budget: true,
  })
  const placements = [['core', coreSize], ['both-portals page', bothPage], ['React page', reactPage], ['React both-portals page', reactBoth], ['portal page', portalOnly], ['pricing page', pricingOnly]]
  const initial = placements.filter(([, m]) => m.stripe === 'initial').map(([name]) => name)
  const unreachable = placements.filter(([, m]) => m.stripe === 'absent').map(([name]) => name)
  rows.push({
    measure: 'size: Stripe.js in an initial bundle',
    figure: initial.length ? `in ${initial.join(', ')}` : `in none of ${placements.length}; dynamic import only`,
    goal: 'none (budget)',
    status: initial.length ? 'FAIL' : 'pass',
    budget: true,
    // The card form must still reach it: a bundle where Stripe.js vanished is a broken bundle.
    note: unreachable.length ? `not reachable from ${unreachable.join(', ')}` : undefined,
  })
  return rows
}
