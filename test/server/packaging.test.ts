/**
 * The package as a user installs it: `npm pack` of the built dist/, linted by publint
 * and by Are the Types Wrong (ESM only), then installed into a scratch project where
 * every subpath resolves, type-checks under `bundler` and `node16` resolution on the repo's
 * TypeScript (5.9) and on TypeScript 7 (what `npm i -D typescript` installs today), imports
 * in Node without a DOM, and the React adapter renders on React 18 (server and client).
 * Needs `node build.mjs` first, as `npm test` does.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packTarball, repoRoot, sh } from '../helpers/pack.js'

const root = repoRoot
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string
  exports: Record<string, unknown>
  devDependencies: Record<string, string>
}
const SUBPATHS = ['.', './headless', './react', './vue', './svelte', './element', './server', './styles.css', './dist/styles.css']
const work = mkdtempSync(join(tmpdir(), 'portals-pack-'))
const scratch = join(work, 'app')
/** TypeScript 7 in a directory of its own: a compiler to check with, not the project's. */
const ts7Dir = join(work, 'ts7')
const COMPILERS = [
  ['5.9', join(root, 'node_modules/typescript/bin/tsc')],
  ['7', join(ts7Dir, 'node_modules/typescript/bin/tsc')],
] as const
let tarball = ''

beforeAll(async () => {
  tarball = await packTarball(work)
}, 120_000)

afterAll(() => rmSync(work, { recursive: true, force: true }), 60_000)

describe('the packed tarball', () => {
  it('exports exactly the documented subpaths', () => {
    expect(Object.keys(pkg.exports).filter((key) => key !== './package.json')).toEqual(SUBPATHS)
  })

  it('passes publint', async () => {
    const { messages } = await publint({ level: 'suggestion', strict: true, pack: { tarball: new Uint8Array(readFileSync(tarball)).buffer } })
    const text = messages.map((m) => `${m.type}: ${formatMessage(m, pkg) ?? m.code}`)
    expect(text).toEqual([])
  })

  it('passes Are the Types Wrong (ESM-only profile)', async () => {
    const attw = join(root, 'node_modules/@arethetypeswrong/cli/dist/index.js')
    // Exits non-zero on any problem the profile counts.
    const args = [tarball, '--profile', 'esm-only', '--no-definitely-typed', '--format', 'json']
    const report = JSON.parse(await sh(process.execPath, [attw, ...args], root)) as {
      analysis: { entrypoints: Record<string, unknown> }
      problems: Record<string, { entrypoint: string; resolutionKind?: string }[]>
    }
    expect(Object.keys(report.analysis.entrypoints)).toEqual([...SUBPATHS, './package.json'])
    // ESM only: CommonJS `require` and the pre-exports `node10` resolution are out of scope.
    const counted = Object.values(report.problems).flat().filter((p) => !['node10', 'node16-cjs'].includes(p.resolutionKind ?? ''))
    expect(counted).toEqual([])
  }, 120_000)

  describe('installed into a scratch project', () => {
    beforeAll(async () => {
      await import('node:fs').then((fs) => fs.mkdirSync(scratch))
      writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }))
      writeFileSync(join(work, 'package.json'), '{"private":true}')
      await import('node:fs').then((fs) => fs.mkdirSync(ts7Dir))
      writeFileSync(join(ts7Dir, 'package.json'), '{"private":true}')
      const npmFlags = ['--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--no-package-lock', '--loglevel=error']
      const ts7 = sh('npm', ['install', 'typescript@7', ...npmFlags], ts7Dir, 170_000)
      // React 18 (the oldest supported), the other frameworks at the repo's versions.
      const app = sh(
        'npm',
        [
          'install',
          tarball,
          'react@18',
          'react-dom@18',
          '@types/react@18',
          '@types/react-dom@18',
          `vue@${pkg.devDependencies.vue}`,
          `svelte@${pkg.devDependencies.svelte}`,
          `@types/node@${pkg.devDependencies['@types/node']}`,
          ...npmFlags,
        ],
        scratch,
        170_000,
      )
      await Promise.all([ts7, app])
      writeFileSync(join(scratch, 'check.tsx'), CHECK_TSX)
      for (const [name, resolution] of [
        ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
        ['node16', { module: 'node16', moduleResolution: 'node16' }],
      ] as const) {
        const compilerOptions = { ...resolution, target: 'es2022', lib: ['es2022', 'dom', 'dom.iterable'], jsx: 'react-jsx', strict: true, noEmit: true, types: ['node'] }
        writeFileSync(join(scratch, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions, files: ['check.tsx'] }))
      }
      writeFileSync(join(scratch, 'runtime.mjs'), RUNTIME_MJS)
    }, 180_000)

    // Issue 13: TypeScript 7 checks side-effect imports, so the stylesheets need their types too.
    it.each(COMPILERS.flatMap(([version, tsc]) => ['bundler', 'node16'].map((name) => [version, name, tsc])))(
      'type-checks every subpath on TypeScript %s with moduleResolution %s',
      async (version, name, tsc) => {
        expect(await sh(process.execPath, [tsc, '--version'], scratch)).toMatch(new RegExp(`^Version ${version.replace('.', '\\.')}`))
        await sh(process.execPath, [tsc, '-p', `tsconfig.${name}.json`], scratch)
      },
      120_000,
    )

    it('resolves every subpath, imports the browser entries without a DOM, and renders on React 18', async () => {
      const happyDom = pathToFileURL(join(root, 'node_modules/happy-dom/lib/index.js')).href
      const report = JSON.parse(await sh(process.execPath, ['runtime.mjs', happyDom], scratch, 60_000)) as {
        resolved: Record<string, boolean>
        react: string
        html: string
        slots: number
        logo: boolean
        codes: string[]
        afterUnmount: number
      }
      expect(report.resolved).toEqual(Object.fromEntries(SUBPATHS.map((s) => [s, true])))
      expect(report.react).toMatch(/^18\./)
      expect(report.html).toBe('<div class="portal"></div>')
      expect(report.slots).toBe(1) // StrictMode left one portal
      expect(report.logo).toBe(true)
      expect(report.codes).toContain('session_expired')
      expect(report.afterUnmount).toBe(0)
    }, 60_000)
  })
})

/** Compiled by the repo's tsc in the scratch project; `@ts-expect-error` lines prove the types are not `any`. */
const CHECK_TSX = `
import { useState } from 'react'
import { renderToString } from 'react-dom/server'
import { createApp, h } from 'vue'
import type { Action } from 'svelte/action'
import { createPortal, createPricingPortal, type PortalHandle, type PortalOptions, type PricingOptions } from '@archetypeapi/portals'
import { CustomerPortal, PricingPortal } from '@archetypeapi/portals/react'
import { PortalsPlugin, CustomerPortal as VueCustomerPortal, PricingPortal as VuePricingPortal } from '@archetypeapi/portals/vue'
import { portal, pricingPortal } from '@archetypeapi/portals/svelte'
import '@archetypeapi/portals/element'
import { ArchetypeApi, createPortalHandler } from '@archetypeapi/portals/server'
import '@archetypeapi/portals/styles.css'
import '@archetypeapi/portals/dist/styles.css'

const el = document.createElement('div')
const handle: PortalHandle = createPortal(el, { token: 't', defaultView: 'billing', config: { primary: '#1c1c1c' } })
handle.update({ token: 'u' })
handle.state.get().status satisfies 'idle' | 'active' | 'expired' | 'error'
// @ts-expect-error defaultView is one of the three views
createPortal(el, { token: 't', defaultView: 'settings' })
createPricingPortal(el, { publicKey: 'pk_1', period: 'year' }).destroy()

function Page() {
  const [err, errHandler] = useState<string>('')
  const config = { primary: '#1c1c1c', textDarkPrimary: false, logo: <svg className="h-20" />, returnHref: '/' }
  return <CustomerPortal token="t" stripePubKey="pk" defaultView="billing" config={config} errorHandler={errHandler} className={err} />
}
renderToString(<Page />)
renderToString(<PricingPortal publicKey="pk_1" onSelect={({ plan, price }) => console.log(plan.name, price.amount)} />)
// @ts-expect-error token is required
renderToString(<CustomerPortal />)

createApp({ render: () => [h(VueCustomerPortal, { token: 't', onError: (e) => e.code }), h(VuePricingPortal, { publicKey: 'pk_1' })] }).use(PortalsPlugin, { apiUrl: '/api/portal' })

const action: Action<HTMLElement, PortalOptions> = portal
const pricingAction: Action<HTMLElement, PricingOptions> = pricingPortal
pricingPortal(el, { publicKey: 'pk_1' }).update({ publicKey: 'pk_2' })
void [action, pricingAction]

const element = document.createElement('archetype-customer-portal')
element.config = { primary: '#1c1c1c' }
element.getToken = async () => 't'
element.addEventListener('archetype-error', (event) => console.log(event.detail.code))
// @ts-expect-error the element's defaultView is one of the three views too
element.defaultView = 'settings'
document.createElement('archetype-pricing-portal').plans = ['plan_pro']

const minted: Promise<{ token: string }> = ArchetypeApi('app_1', 'x'.repeat(32)).Token.getCustomerPortalsToken('cus_1')
void [minted, createPortalHandler]
`

/**
 * Run by Node in the scratch project. Resolves every subpath, imports the browser
 * entries and server-renders before any DOM exists, then installs happy-dom's globals
 * and mounts under React 18's StrictMode with a transport that says the session expired.
 */
const RUNTIME_MJS = `
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
const subpaths = ${JSON.stringify(SUBPATHS)}
const resolved = {}
for (const s of subpaths) resolved[s] = existsSync(fileURLToPath(import.meta.resolve('${pkg.name}' + s.slice(1))))

const React = await import('react')
const { renderToString } = await import('react-dom/server')
await import('${pkg.name}')
await import('${pkg.name}/vue')
await import('${pkg.name}/svelte')
await import('${pkg.name}/element')
const { CustomerPortal } = await import('${pkg.name}/react')
const { ArchetypeApi } = await import('${pkg.name}/server')
const h = React.createElement
const html = renderToString(h(CustomerPortal, { token: 't', className: 'portal', config: { logo: h('b', null, 'Acme') } }))

const { token } = await ArchetypeApi('app_1', 'x'.repeat(32)).Token.getCustomerPortalsToken('cus_1')

// happy-dom's DOM as globals; Node keeps its own language built-ins, timers and transport.
const { Window } = await import(process.argv[2])
const window = new Window({ url: 'http://localhost/' })
for (const key of Object.getOwnPropertyNames(window)) {
  if (!(key in globalThis) || ['Event', 'EventTarget', 'CustomEvent'].includes(key)) globalThis[key] = window[key]
}
globalThis.window = window
globalThis.IS_REACT_ACT_ENVIRONMENT = true
const { createRoot } = await import('react-dom/client')

const expired = async () => new Response(JSON.stringify({ error: { code: 'session_expired', message: 'Session expired' } }), { status: 401, headers: { 'content-type': 'application/json' } })
const codes = []
const container = document.createElement('div')
document.body.append(container)
const root = createRoot(container)
const props = { token, apiUrl: 'http://portal.test/api/portal', fetch: expired, errorHandler: (code) => codes.push(code), config: { logo: h('b', { id: 'logo' }, 'Acme') } }
await React.act(async () => root.render(h(React.StrictMode, null, h(CustomerPortal, props))))
for (let i = 0; i < 200 && !codes.includes('session_expired'); i++) await React.act(() => new Promise((r) => setTimeout(r, 10)))
const slots = container.querySelectorAll('[data-ap-slot="logo"]').length
const logo = container.querySelector('[data-ap-slot="logo"] #logo') !== null
await React.act(async () => root.unmount())
console.log(JSON.stringify({ resolved, react: React.version, html, slots, logo, codes, afterUnmount: container.querySelectorAll('*').length }))
process.exit(0)
`
