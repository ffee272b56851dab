// The browser half of the bench, in the system's Chromium (the end-to-end suite's
// launcher: /usr/bin/chromium or CHROME_PATH) on loopback:
//   time to data  createPortal -> the dashboard's plan and usage shown and painted, beside
//                 one bare fetch of the same route in the same page (the floor); the
//                 invoices view of cus_many_invoices, first page and "Load more"
//   steady state  1,000 mount/destroy cycles; JS heap, DOM nodes and event listeners
//                 before and after, each after a full GC
// The page (bench/pages/browser.ts) is bundled into bench/.out/ and served by
// bench/page-server.mjs under a strict CSP; every timing is taken inside the page.
import { build } from 'esbuild'
import { copyFileSync, mkdirSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'
import { bundlePage, root } from './bundle.mjs'
import { spawnChild, stopChild } from './child.mjs'
import { KB, median, ms, percentile } from './table.mjs'

const OUT = resolve(root, 'bench/.out')
/** Time-to-data goal for the median: RAIL's 100 ms "response", on loopback. */
export const TIME_GOAL_MS = 100
export const HEAP_BUDGET = 1024 * KB

/** The bench page and the end-to-end suite's launcher (TypeScript, so compiled here for Node). */
async function prepare() {
  rmSync(OUT, { recursive: true, force: true })
  mkdirSync(OUT, { recursive: true })
  await bundlePage({ entryPoints: { browser: 'bench/pages/browser.ts' }, outdir: 'bench/.out', write: true })
  copyFileSync(resolve(root, 'bench/pages/browser.html'), resolve(OUT, 'browser.html'))
  await build({
    absWorkingDir: root,
    entryPoints: { 'e2e-browser': 'test/e2e/browser.ts' },
    outdir: 'bench/.out',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    logLevel: 'warning',
  })
  return import(pathToFileURL(resolve(OUT, 'e2e-browser.mjs')).href)
}

const spread = (values) => `median ${ms(median(values))} · p90 ${ms(percentile(values, 90))}`

function timeRow(measure, values, floor, floorLabel) {
  const m = median(values)
  return {
    measure,
    figure: `${spread(values)} (+${ms(Math.max(0, m - median(floor)))} over floor)`,
    baseline: `${floorLabel}: ${spread(floor)}`,
    goal: `median ≤ ${TIME_GOAL_MS} ms`,
    status: m <= TIME_GOAL_MS ? 'pass' : 'over',
  }
}

/** Heap, DOM nodes and listeners after a full collection (twice: finalizers free more). */
async function snapshot(page, cdp) {
  await page.evaluate(() => globalThis.gc?.())
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage')
  const { usedSize } = await cdp.send('Runtime.getHeapUsage')
  const { nodes, jsEventListeners } = await cdp.send('Memory.getDOMCounters')
  const elements = await page.evaluate(() => document.getElementsByTagName('*').length)
  return { heap: usedSize, nodes, listeners: jsEventListeners, elements }
}

function steadyRows(cycles, before, after, done, took) {
  const growth = after.heap - before.heap
  const back = (a, b) => (b <= a ? 'pass' : 'FAIL')
  const baseline = `after ${done.warmup} warm-up cycles`
  return [
    {
      measure: `steady: JS heap growth, ${cycles.toLocaleString('en')} mount/destroy cycles`,
      figure: `${growth >= 0 ? '+' : ''}${(growth / KB).toFixed(0)} KB (${(before.heap / KB / KB).toFixed(2)} → ${(after.heap / KB / KB).toFixed(2)} MB)`,
      baseline,
      goal: `< ${HEAP_BUDGET / KB / KB} MB (budget)`,
      status: growth < HEAP_BUDGET ? 'pass' : 'FAIL',
      budget: true,
      note: `${done.waited} waited for data, ${done.early} destroyed mid-request; ${(took / cycles).toFixed(1)} ms a cycle`,
    },
    {
      measure: 'steady: DOM nodes (CDP) / elements in the document',
      figure: `${after.nodes} / ${after.elements}`,
      baseline: `${before.nodes} / ${before.elements}`,
      goal: 'back to baseline (budget)',
      status: back(before.nodes, after.nodes) === 'pass' && after.elements <= before.elements ? 'pass' : 'FAIL',
      budget: true,
    },
    {
      measure: 'steady: JS event listeners (CDP)',
      figure: String(after.listeners),
      baseline: String(before.listeners),
      goal: 'back to baseline (budget)',
      status: back(before.listeners, after.listeners),
      budget: true,
    },
  ]
}

const skipped = (reason) => ({
  chromium: 'not found',
  rows: [
    ['time to data: dashboard plan + usage painted', false],
    ['steady: JS heap growth, mount/destroy cycles', true],
    ['steady: DOM nodes back to baseline', true],
    ['steady: JS event listeners back to baseline', true],
  ].map(([measure, budget], i) => ({ measure, figure: '—', goal: budget ? 'budget' : 'goal', status: 'skip', budget, note: i === 0 ? reason : 'no Chromium' })),
})

/** `{ rows, chromium }`: rows for the table and the browser's version; `log` gets progress lines. */
export async function browserRows({ runs = 30, cycles = 1000, warmupCycles = 200, log = () => {} } = {}) {
  const e2e = await prepare()
  let executablePath
  try {
    executablePath = e2e.findChromium()
    if (!executablePath) return skipped(`No system Chromium found. ${e2e.INSTALL_HINT}`)
  } catch (error) {
    return skipped(error.message)
  }
  const server = await spawnChild(resolve(root, 'bench/page-server.mjs'))
  const browser = await chromium.launch({
    executablePath,
    // The end-to-end suite's flags, plus a page-visible gc() for the steady-state figures.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync', '--js-flags=--expose-gc'],
  })
  try {
    const recorder = { csp: [], pageErrors: [] }
    const context = await e2e.recordingContext(browser, server.origin, recorder)
    const page = await context.newPage()
    await page.goto('/browser.html')
    await page.waitForFunction(() => document.documentElement.dataset.benchReady === 'true')
    const version = browser.version()

    log(`  time to data: ${runs} runs of the dashboard, ${runs} of the invoices view`)
    const dash = await page.evaluate((n) => window.bench.dashboard(n), runs)
    const inv = await page.evaluate((n) => window.bench.invoices(n), runs)
    const rows = [
      timeRow('first paint: dashboard skeleton painted', dash.firstPaint, dash.floor, 'bare fetch GET /session'),
      timeRow('time to data: dashboard plan + usage in the DOM', dash.data, dash.floor, 'bare fetch GET /session'),
      timeRow('time to data: dashboard plan + usage painted', dash.painted, dash.floor, 'bare fetch GET /session'),
      timeRow('time to data: invoices (250), first page painted', inv.firstPainted, inv.floor, 'bare fetch GET /invoices'),
      timeRow('time to data: invoices, "Load more" click to painted', inv.morePainted, inv.floor, 'bare fetch GET /invoices'),
    ]

    log(`  steady state: ${warmupCycles} warm-up cycles, then ${cycles}`)
    const cdp = await context.newCDPSession(page)
    await page.evaluate((n) => window.bench.cycles(n), warmupCycles)
    const before = await snapshot(page, cdp)
    const started = Date.now()
    const done = await page.evaluate((n) => window.bench.cycles(n), cycles)
    const took = Date.now() - started
    const after = await snapshot(page, cdp)
    rows.push(...steadyRows(cycles, before, after, { ...done, warmup: warmupCycles }, took))

    const problems = recorder.csp.length + recorder.pageErrors.length
    rows.push({
      measure: 'browser: CSP violations + page errors during the bench',
      figure: String(problems),
      goal: '0',
      status: problems === 0 ? 'pass' : 'over',
      note: problems ? [...recorder.csp.map((v) => `${v.directive} ${v.blockedURI}`), ...recorder.pageErrors].slice(0, 3).join('; ') : undefined,
    })
    return { rows, chromium: version }
  } finally {
    await browser.close()
    await stopChild(server)
  }
}
