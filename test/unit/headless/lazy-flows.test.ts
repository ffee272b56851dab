// @vitest-environment node
/**
 * A portal's own client loads its flows' chunk on demand (src/flows/lazy.ts): a flow made
 * before the chunk is here is a stand-in that waits for it and then acts and reads as the
 * real flow; once the chunk is here, factories hand out the real flows.
 */
import { afterEach, beforeEach, expect, test } from 'vitest'
import { createClientWithFlows, type PortalClient } from '../../../src/client.js'
import { lazyFlows, loadFlows } from '../../../src/flows/lazy.js'
import { setup, type Setup } from './support.js'

let t: Setup
let client: PortalClient | undefined
beforeEach(() => {
  t = setup()
})
afterEach(async () => {
  client?.destroy()
  await t.close()
})

const portalClient = async (customer: string) =>
  (client = createClientWithFlows({ token: await t.server.token(customer), apiUrl: t.server.apiUrl, fetch: t.fetch }, lazyFlows))

// One test: the chunk, once loaded, stays loaded for the module (as on a page).
test('before the chunk: an idle stand-in that runs, mirrors the real state and stops when destroyed; after it: the real flow', async () => {
  const c = await portalClient('cus_active')
  const stopped = c.flows.resume()
  stopped.destroy()
  const cancel = c.flows.cancel()
  expect(cancel.get()).toEqual({ status: 'idle' })
  const seen: string[] = []
  cancel.subscribe((state) => seen.push(state.status))
  expect(await cancel.open()).toMatchObject({ status: 'choosing', atPeriodEnd: true })
  expect(await cancel.confirm()).toMatchObject({ status: 'done', subscription: { cancel_at_period_end: true } })
  expect(cancel.get()).toMatchObject({ status: 'done' })
  expect(seen).toEqual(['idle', 'choosing', 'canceling', 'done'])
  // Destroyed before its chunk came: its command sends nothing.
  expect(await stopped.run()).toEqual({ status: 'idle' })
  expect(t.count('POST', /resume/)).toBe(0)

  await loadFlows()
  const resume = c.flows.resume()
  const done = resume.run()
  expect(resume.get().status).toBe('running') // the real flow: the command acts at once
  expect(await done).toMatchObject({ status: 'done', result: { cancel_at_period_end: false } })
})
