/**
 * Svelte needs no hooks: the headless client's stores and flows follow the Svelte store
 * contract, so a real Svelte 5 component (fixtures/Headless.svelte, compiled here) reads
 * `$account` and `$change` directly, against the real Portal API.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compile } from 'svelte/compiler'
import { afterAll, expect, it, vi } from 'vitest'
import { createPortalClient } from '../../src/headless.js'
import { loggedTransport, realPortal } from './real.js'

const here = dirname(fileURLToPath(import.meta.url))
const outDir = join(here, '.tmp')
const outFile = join(outDir, `Headless-${process.pid}.js`)
afterAll(() => rmSync(outFile, { force: true }))

// Node's export conditions pick Svelte's server build, whose mount() refuses to run; the test is a browser.
const svelteDir = dirname(createRequire(import.meta.url).resolve('svelte/package.json'))
const svelte = (await import(/* @vite-ignore */ join(svelteDir, 'src/index-client.js'))) as typeof import('svelte')

async function loadFixture() {
  const filename = join(here, 'fixtures/Headless.svelte')
  const { js, warnings } = compile(readFileSync(filename, 'utf8'), { filename, generate: 'client' })
  expect(warnings.map((w) => w.message)).toEqual([])
  mkdirSync(outDir, { recursive: true })
  writeFileSync(outFile, js.code)
  return (await import(/* @vite-ignore */ outFile)).default
}

it('$account loads once for two components, $change changes the plan and $account follows, and unmounting unsubscribes', async () => {
  const real = await realPortal()
  const transport = loggedTransport(real)
  const client = createPortalClient({ token: real.freshToken, ...transport })
  const Headless = await loadFixture()
  const target = document.createElement('div')
  document.body.append(target)
  const text = (testId: string) => target.querySelector(`[data-testid="${testId}"]`)?.textContent
  await new Promise((resolve) => setTimeout(resolve, 20))
  expect(transport.requests).toEqual([]) // nothing loads before a component reads a store

  const a = svelte.mount(Headless, { target, props: { client, id: 'a' } })
  const b = svelte.mount(Headless, { target, props: { client, id: 'b' } })
  svelte.flushSync()
  await vi.waitFor(() => expect([text('plan-a'), text('plan-b')]).toEqual(['Pro', 'Pro']))
  expect(transport.requests).toEqual(['GET /session'])

  target.querySelector('button')!.click()
  await vi.waitFor(() => expect([text('plan-a'), text('plan-b')]).toEqual(['Scale', 'Scale']), { timeout: 5000 })
  expect([text('flow-a'), text('flow-b')]).toEqual(['done', 'idle']) // one flow per component
  expect(transport.count('POST /subscription')).toBe(1)

  svelte.unmount(a)
  svelte.unmount(b)
  svelte.flushSync()
  expect(client.stores.account.lc).toBe(0) // Svelte unsubscribed
  client.destroy()
  target.remove()
  await real.portal.close()
})
