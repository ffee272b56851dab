import { describe, expect, test } from 'vitest'
import { createResource } from '../../src/stores/resource.js'

/** A load whose answers the test hands out in any order. */
function deferredLoads<T>() {
  const pending: { resolve(value: T): void; reject(error: unknown): void; signal: AbortSignal }[] = []
  const load = ({ signal }: { signal: AbortSignal }) => new Promise<T>((resolve, reject) => pending.push({ resolve, reject, signal }))
  return { load, pending }
}

describe('createResource', () => {
  test('a slow first answer that arrives after a newer one is dropped', async () => {
    const { load, pending } = deferredLoads<string>()
    const resource = createResource(load, { signal: new AbortController().signal })
    const first = resource.reload()
    const second = resource.reload()
    expect(pending[0].signal.aborted).toBe(true) // the older request is cancelled too
    pending[1].resolve('fresh')
    await second
    pending[0].resolve('stale')
    await first
    expect(resource.get()).toEqual({ status: 'ready', data: 'fresh' })
  })

  test('a late failure of an older load does not replace newer data with an error', async () => {
    const { load, pending } = deferredLoads<string>()
    const errors: unknown[] = []
    const resource = createResource(load, { signal: new AbortController().signal, onError: (e) => errors.push(e) })
    const first = resource.reload()
    const second = resource.reload()
    pending[1].resolve('fresh')
    await second
    pending[0].reject({ code: 'server', message: 'boom' })
    await first
    expect(resource.get()).toEqual({ status: 'ready', data: 'fresh' })
    expect(errors).toEqual([])
  })

  test('nothing is written after the owner aborts (view left, portal destroyed)', async () => {
    const { load, pending } = deferredLoads<string>()
    const owner = new AbortController()
    const resource = createResource(load, { signal: owner.signal })
    const loading = resource.reload()
    owner.abort()
    expect(pending[0].signal.aborted).toBe(true)
    pending[0].resolve('late')
    await loading
    expect(resource.get()).toEqual({ status: 'loading' })
    await resource.reload()
    expect(pending).toHaveLength(1) // no new request once aborted
  })

  test('an error keeps what was shown, and a mutation’s set() wins over a load in flight', async () => {
    const { load, pending } = deferredLoads<string>()
    const resource = createResource(load, { signal: new AbortController().signal })
    const first = resource.reload()
    pending[0].resolve('shown')
    await first
    const failing = resource.reload()
    pending[1].reject({ code: 'network', message: 'offline' })
    await failing
    expect(resource.get()).toEqual({ status: 'error', error: { code: 'network', message: 'offline' }, data: 'shown' })
    const inFlight = resource.reload()
    resource.setData('from mutation')
    pending[2].resolve('older read')
    await inFlight
    expect(resource.get()).toEqual({ status: 'ready', data: 'from mutation' })
  })
})
