/**
 * The Svelte actions over the real core and the real Portal API, used from a real
 * `.svelte` component (fixtures/Portal.svelte) compiled here with svelte/compiler.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compile } from 'svelte/compiler'
import { afterAll, expect, it, vi } from 'vitest'
import type { PortalError } from '../../src/types.js'
import { realPortal, viewText } from './real.js'

const here = dirname(fileURLToPath(import.meta.url))
// Beside fixtures/ at the same depth, so the component's relative imports still resolve; .tmp/ is git-ignored.
const outDir = join(here, '.tmp')
const outFile = join(outDir, `Portal-${process.pid}.js`)
afterAll(() => rmSync(outFile, { force: true }))

// Node's export conditions pick Svelte's server build, whose mount() refuses to run; the test is a browser.
const svelteDir = dirname(createRequire(import.meta.url).resolve('svelte/package.json'))
const svelte = (await import(/* @vite-ignore */ join(svelteDir, 'src/index-client.js'))) as typeof import('svelte')

async function loadFixture() {
  const filename = join(here, 'fixtures/Portal.svelte')
  const { js, warnings } = compile(readFileSync(filename, 'utf8'), { filename, generate: 'client' })
  expect(warnings.map((w) => w.message)).toEqual([])
  mkdirSync(outDir, { recursive: true })
  writeFileSync(outFile, js.code)
  return (await import(/* @vite-ignore */ outFile)).default
}

it('shows the plan, reports session_expired, resumes on a new token, and destroys with the element', async () => {
  const real = await realPortal()
  const errors: PortalError[] = []
  const target = document.createElement('div')
  document.body.append(target)
  const component = svelte.mount(await loadFixture(), {
    target,
    props: { token: real.expiredToken, ...real.transport, onError: (e: PortalError) => errors.push(e) },
  }) as { setToken(token: string): void; hide(): void }
  svelte.flushSync()

  await vi.waitFor(() => expect(errors.map((e) => e.code)).toEqual(['session_expired']))
  expect(target.querySelectorAll('.host > .ap-portal')).toHaveLength(1)
  expect(target.querySelector('[data-ap-slot="logo"] img')?.getAttribute('src')).toBe('/logo.svg')

  const root = target.querySelector('.ap-portal')
  component.setToken(real.freshToken)
  svelte.flushSync()
  await vi.waitFor(() => expect(viewText(target)).toContain('Pro'), { timeout: 5000 })
  expect(target.querySelector('.ap-portal')).toBe(root) // updated, not remounted

  component.hide()
  svelte.flushSync()
  expect(target.querySelector('.ap-portal')).toBeNull()
  svelte.unmount(component)
  target.remove()
  await real.portal.close()
})
