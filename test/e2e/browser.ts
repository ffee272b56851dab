/**
 * The end-to-end suite's browser: a Chromium driven by playwright-core, plus what every
 * page gets — a recorder for Content-Security-Policy violations and page errors,
 * axe-core, and screenshots.
 *
 * Which Chromium: `CHROME_PATH`, else the system's, else the one the `@sparticuz/chromium`
 * devDependency ships (so `npm ci && npm test` needs nothing else). `E2E_CHROMIUM` chooses
 * per front end: `bundled` (or `system`, or `auto`, the default) for all of them, and
 * `name=choice` entries for one, e.g. `E2E_CHROMIUM=auto,vanilla=bundled` (what .ci/run sets).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core'

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']

export type ChromiumChoice = 'auto' | 'system' | 'bundled'

export const INSTALL_HINT =
  'Install one (`apt-get install -y chromium`), set CHROME_PATH to a Chromium or Chrome binary, or leave E2E_CHROMIUM unset so the suite falls back to the Chromium of the @sparticuz/chromium devDependency.'

/** The system's Chromium (or CHROME_PATH's), or undefined when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.CHROME_PATH
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH=${fromEnv} does not exist. ${INSTALL_HINT}`)
    return fromEnv
  }
  return CANDIDATES.find((path) => existsSync(path))
}

/** What `E2E_CHROMIUM` asks for `frontEnd` (a bare choice applies to every front end). */
export function chromiumChoice(frontEnd?: string, spec = process.env.E2E_CHROMIUM ?? ''): ChromiumChoice {
  let choice: string = 'auto'
  for (const entry of spec.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [name, value] = entry.includes('=') ? entry.split('=') : [undefined, entry]
    if (name === undefined || name === frontEnd) choice = value
  }
  if (choice !== 'auto' && choice !== 'system' && choice !== 'bundled') {
    throw new Error(`E2E_CHROMIUM=${spec}: each entry is auto, system or bundled, optionally as name=choice (e.g. auto,vanilla=bundled)`)
  }
  return choice
}

const COMMON_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync']
/**
 * Serverless flags left off: two would weaken what the suite checks (same-origin, mixed
 * content), and `--single-process` (a Lambda need) cannot open a page once a context closed.
 */
const LEFT_OFF = new Set(['--disable-web-security', '--allow-running-insecure-content', '--single-process'])

const launched = new Map<string, Promise<Browser>>()

/** The demo's front ends, each a page (`/vanilla`...). */
export const FRONT_ENDS = ['vanilla', 'react', 'vue', 'svelte', 'element'] as const
/** The front ends a suite runs: `E2E_FRAMEWORKS=react,vue` narrows a local run; CI runs all five. */
export const FRAMEWORKS = process.env.E2E_FRAMEWORKS ? FRONT_ENDS.filter((f) => process.env.E2E_FRAMEWORKS!.split(',').includes(f)) : FRONT_ENDS

/**
 * A Chromium for `frontEnd` (see E2E_CHROMIUM above); one process per kind, shared by
 * the front ends that choose it. Closed by `closeBrowsers`.
 */
export function launchBrowser(frontEnd?: string): Promise<Browser> {
  const choice = chromiumChoice(frontEnd)
  const system = choice === 'bundled' ? undefined : findChromium()
  if (choice === 'system' && !system) throw new Error(`E2E_CHROMIUM asks for the system Chromium and none was found (looked in ${CANDIDATES.join(', ')}). ${INSTALL_HINT}`)
  const key = system ?? 'bundled'
  let browser = launched.get(key)
  if (!browser) {
    browser = system ? chromium.launch({ executablePath: system, args: ['--headless', ...COMMON_ARGS] }) : launchBundled()
    launched.set(key, browser)
  }
  return browser
}

/** The headless Chromium that @sparticuz/chromium unpacks into the temp directory, with its fonts. */
async function launchBundled(): Promise<Browser> {
  const bundled = (await import('@sparticuz/chromium')).default
  const executablePath = await bundled.executablePath()
  const args = [...bundled.args.filter((arg) => !LEFT_OFF.has(arg)), ...COMMON_ARGS]
  return chromium.launch({ executablePath, args, env: { ...process.env, FONTCONFIG_PATH: process.env.FONTCONFIG_PATH ?? join(tmpdir(), 'fonts') } })
}

export async function closeBrowsers(): Promise<void> {
  const browsers = await Promise.allSettled(launched.values())
  launched.clear()
  await Promise.all(browsers.map((b) => (b.status === 'fulfilled' ? b.value.close() : undefined)))
}

export interface Violation {
  directive: string
  blockedURI: string
  sample: string
  sourceFile: string
  line: number
  page: string
}

/** Everything a context saw go wrong; the suite asserts each list stays empty. */
export interface Recorder {
  csp: Violation[]
  pageErrors: string[]
}

/**
 * A context under the page's real CSP (`bypassCSP` stays false). The listener is added
 * by an init script, which DevTools injects without weakening the policy, and reports
 * through a binding so violations survive navigations.
 */
export async function recordingContext(browser: Browser, baseURL: string, recorder: Recorder): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' })
  await context.exposeBinding('__e2eCspViolation', ({ page }, violation: Omit<Violation, 'page'>) => {
    recorder.csp.push({ ...violation, page: page.url() })
  })
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __e2eCspViolation(v: unknown): void }).__e2eCspViolation
      report({
        directive: event.violatedDirective,
        blockedURI: event.blockedURI,
        sample: event.sample,
        sourceFile: event.sourceFile,
        line: event.lineNumber,
      })
    })
  })
  context.on('page', (page) => {
    page.on('pageerror', (error) => recorder.pageErrors.push(`${page.url()}: ${error.message}`))
  })
  return context
}

const require = createRequire(import.meta.url)
let axeSource: string | undefined

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: { target: unknown[]; html: string; failureSummary?: string }[]
}

/**
 * Runs axe-core on the whole page and returns the serious and critical violations,
 * formatted for an assertion message. axe goes in through DevTools' evaluate, which the
 * page's CSP does not govern, so the policy under test is never relaxed.
 *
 * A finding must hold on three runs a second apart: axe reads styles over many
 * event-loop turns, and on a loaded CI machine it has caught a button mid-request
 * (faded) that is enabled again moments later. A real violation is there every time.
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const key = (v: AxeViolation, n: AxeViolation['nodes'][number]) => `${v.id} ${JSON.stringify(n.target)}`
  let found = await runAxe(page)
  for (let run = 2; run <= 3 && found.length > 0; run++) {
    await page.waitForTimeout(1000)
    const again = new Set((await runAxe(page)).flatMap((v) => v.nodes.map((n) => key(v, n))))
    found = found.map((v) => ({ ...v, nodes: v.nodes.filter((n) => again.has(key(v, n))) })).filter((v) => v.nodes.length > 0)
  }
  return found.map((v) => {
    const where = v.nodes.map((n) => `  ${JSON.stringify(n.target)} ${n.html.slice(0, 160)}\n    ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`)
    return `${v.impact} ${v.id}: ${v.help}\n${where.join('\n')}`
  })
}

async function runAxe(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
  // Audit the settled page: no request in flight.
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), undefined, { timeout: 10_000 })
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: unknown[] }> } }).axe
    const result = await axe.run(document, { resultTypes: ['violations'] })
    return result.violations as AxeViolation[]
  })
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../test-results/screenshots')

/**
 * Full-page screenshots at 1280 px and 375 px wide; the viewport is put back afterwards.
 * Resolves to the widths at which the page scrolls sideways (a layout bug on a phone).
 */
export async function screenshots(page: Page, name: string): Promise<number[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const before = page.viewportSize() ?? { width: 1280, height: 900 }
  await page.mouse.move(0, 0) // no hover left over from the last click
  const overflowing: number[] = []
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 })
    if ((await page.evaluate(() => document.documentElement.scrollWidth)) > width) overflowing.push(width)
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: true, animations: 'disabled' })
  }
  await page.setViewportSize(before)
  return overflowing
}

/** One element at one width, for the README (docs/screenshots/ holds copies of these). */
export async function elementScreenshot(page: Page, element: Locator, name: string, width: number): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const before = page.viewportSize() ?? { width: 1280, height: 900 }
  await page.setViewportSize({ width, height: 900 })
  await page.mouse.move(0, 0)
  // A margin round the element, so borders and shadows at its edges are not cut off.
  // In page coordinates, as a full-page clip wants them (boundingBox() is the viewport's).
  const box = await element.evaluate((el) => {
    const r = el.getBoundingClientRect()
    return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height }
  })
  const margin = 12
  const x = Math.max(0, box.x - margin)
  const y = Math.max(0, box.y - margin)
  const clip = { x, y, width: Math.min(width - x, box.width + 2 * margin), height: box.height + 2 * margin }
  await page.screenshot({ path: resolve(SCREENSHOT_DIR, `${name}.png`), clip, fullPage: true, animations: 'disabled' })
  await page.setViewportSize(before)
}
