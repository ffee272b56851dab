/**
 * examples/python/seller_quickstart.py, run by the machine's `python3` (standard library
 * only) against a live Seller API on loopback over a fresh SQLite engine: a non-JavaScript
 * client driving every step end to end. Skipped, saying why, only where python3 is absent.
 */
import { execFile, execFileSync } from 'node:child_process'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_SECRET } from '../helpers/portal.js'
import { createTestSeller, type TestSeller } from '../helpers/seller.js'

const script = resolve(import.meta.dirname, '../../examples/python/seller_quickstart.py')

function findPython(): string | null {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' })
    return 'python3'
  } catch {
    return null
  }
}
const python = findPython()
if (!python) console.log('[python example] skipped: no `python3` on PATH')

describe.skipIf(!python)('the Python example against a live Seller API', () => {
  let seller: TestSeller
  beforeAll(async () => {
    seller = await createTestSeller({ seed: false })
  })
  afterAll(() => seller.close())

  it('mints a token, upserts a customer, applies a catalogue, subscribes, reports usage once, verifies a key and reads entitlements', async () => {
    const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number | null }>((done) => {
      const child = execFile(python!, [script], { env: { ...process.env, SELLER_API_URL: seller.url, APP_SECRET: TEST_SECRET }, timeout: 60_000 }, (error, out, err) =>
        done({ stdout: out, stderr: err, code: error ? ((error as { code?: number }).code ?? 1) : 0 }),
      )
      child.stdin?.end()
    })
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const lines = stdout.trim().split('\n')
    expect(lines).toEqual([
      'catalogue dry run: would create plans starter, pro',
      'catalogue applied: changed=True',
      'catalogue applied again: changed=False',
      'customer: ada@example.com (Ada Lovelace)',
      'card: visa ending 4242',
      'subscription: trialing on starter_month',
      expect.stringMatching(/^api key: \S+…\S+$/),
      expect.stringMatching(/^portal token: 3 parts, expires_at=\d{10}$/),
      'usage batch 1: accepted=2 duplicates=0 rejected=0',
      'usage batch 2: accepted=1 duplicates=0 rejected=1 (#1 metric: Unknown metric "cpu_seconds": create it first)',
      'usage batch 3: accepted=0 duplicates=2 rejected=0',
      'verify: valid=True customer=ada@example.com allowed=True tracked=True',
      'verify a forged key: valid=False',
      'entitlement: api_calls used=36 limit=1000 remaining=964',
      'a batch of 1001 events: 413 events',
    ])
    // What the script did is what the engine holds.
    const scope = { appId: 'app_demo', customUid: 'ada@example.com' }
    const session = await seller.portal.billing.getSession(scope)
    expect(session.usage.find((u) => u.metric === 'api_calls')?.used).toBe(36)
    console.log(`[python example] ${lines.length} steps printed by ${execFileSync(python!, ['--version']).toString().trim()}`)
  })
})
