/**
 * Issue 12, the token extras:
 *
 * - a uid whose token would pass the size limit is refused at mint, with the limit named,
 *   so every token that mints is one the Portal API accepts;
 * - a token remembered by the verifier expires at the same second as one it has never seen.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { ArchetypeApi, CLOCK_LEEWAY_SECONDS, MAX_TOKEN_BYTES, createPortalToken, portalTokenVerifier } from '../../src/server/token.js'
import { TEST_APP_ID, TEST_SECRET } from '../helpers/portal.js'
import { caseCounter } from './support.js'

const counter = caseCounter()
afterAll(() => console.log(`security (tokens): ${counter.tried()} cases: every minted token verifies, cached and uncached expire alike`))

describe('a uid too long for a token is refused at mint', () => {
  it('around the limit, a uid either mints a token that verifies or is refused naming the limit', async () => {
    const verify = portalTokenVerifier({ appId: TEST_APP_ID, secret: TEST_SECRET })
    let minted = 0
    let refused = 0
    for (let length = 2_700; length <= 3_100; length += 5) {
      const customUid = 'u'.repeat(length)
      counter.count()
      try {
        const { token } = await createPortalToken({ appId: TEST_APP_ID, secret: TEST_SECRET, customUid })
        expect((await verify(token)).customUid).toBe(customUid)
        minted++
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError)
        expect((error as Error).message).toContain(`${MAX_TOKEN_BYTES}-byte limit`)
        expect((error as Error).message).toContain('customUid')
        refused++
      }
    }
    expect(minted).toBeGreaterThan(0)
    expect(refused).toBeGreaterThan(0)
  })

  it('the original SDK shape refuses it too', async () => {
    counter.count()
    await expect(ArchetypeApi(TEST_APP_ID, TEST_SECRET).Token.getCustomerPortalsToken('u'.repeat(5_000))).rejects.toThrow(`${MAX_TOKEN_BYTES}-byte limit`)
  })
})

describe('one expiry rule for cached and uncached tokens', () => {
  it('at every second around exp + leeway, a remembered token and a fresh verifier agree', async () => {
    const iat = 1_800_000_000
    const { token, expires_at: exp } = await createPortalToken({ appId: TEST_APP_ID, secret: TEST_SECRET, customUid: 'cus_active', now: () => iat })
    for (let offset = CLOCK_LEEWAY_SECONDS - 3; offset <= CLOCK_LEEWAY_SECONDS + 3; offset++) {
      let clock = iat
      const cached = portalTokenVerifier({ appId: TEST_APP_ID, secret: TEST_SECRET, now: () => clock })
      await cached(token) // remembered now
      clock = exp + offset
      const fresh = portalTokenVerifier({ appId: TEST_APP_ID, secret: TEST_SECRET, now: () => clock })
      const outcome = (p: Promise<unknown>) => p.then(() => 'accepted', (e: { code?: string }) => e.code)
      const [a, b] = [await outcome(cached(token)), await outcome(fresh(token))]
      expect(a, `exp + ${offset}`).toBe(b)
      expect(a).toBe(offset < CLOCK_LEEWAY_SECONDS ? 'accepted' : 'session_expired')
      counter.count()
    }
  })
})
