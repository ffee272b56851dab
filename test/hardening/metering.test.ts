/**
 * Exactness under load, the bench's measure at test size: 50 concurrent clients over 5 keys
 * of 3 customers and 2 guard instances, each on its own engine over one SQLite file. After
 * close(), the usage the portal shows equals the requests answered 2xx, for every
 * customer; the hard-quota customer is refused at its limit and never past the stated
 * bound (instances × events per flush window). Same code as `npm run bench` (bench/metering.mjs).
 */
import { describe, expect, it } from 'vitest'
import { openSqliteBilling } from '../../src/server/billing/sqlite.js'
import { createApiKeyGuard } from '../../src/server/guard/index.js'
// @ts-expect-error: a plain .mjs bench module, typed by its use here
import { exactness } from '../../bench/metering.mjs'

interface Exactness {
  ok: Record<string, number>
  used: Record<string, number>
  refused: number
  hardLimit: number
  bound: number
  overshoot: number
  total: number
}

describe('metering under load', () => {
  it('counts exactly the 2xx answers across two guards on one file, and holds a hard limit within the bound', async () => {
    const result = (await exactness({ openSqliteBilling, createApiKeyGuard }, { clients: 50, requests: 120, hardLimit: 1_500, flushEvents: 100 })) as Exactness
    expect(result.used).toEqual(result.ok)
    expect(result.ok.hard + result.ok.over + result.ok.open + result.refused).toBe(result.total)
    // 2 of the 5 keys are the hard customer's: 2,400 requests against a limit of 1,500.
    expect(result.refused).toBeGreaterThan(0)
    expect(result.used.hard).toBeGreaterThanOrEqual(result.hardLimit)
    expect(result.overshoot).toBeLessThanOrEqual(result.bound)
    expect(result.used.over).toBe(2_400) // overage priced: nothing refused
  }, 60_000)
})
