/** Customers' API keys: stored as prefix, last four and SHA-256 hash; the secret is shown once. */
import type { ApiKey, List, RevealedApiKey } from '../../../api/types.js'
import { BillingError, type ApiKeyChange, type ApiKeyOwner, type CustomerScope } from '../types.js'
import { hashApiKey, maskApiKey, newApiKeySecret, newId } from './ids.js'
import type { ApiKeysTable, Db } from './schema.js'
import { findCustomer } from './lookups.js'
import type { EngineContext } from './context.js'

/** The default most API keys one customer may hold; `openSqliteBilling({ maxApiKeysPerCustomer })` changes it. */
export const DEFAULT_MAX_API_KEYS = 10
const MAX_NAME = 100

export function apiKeyMethods(ctx: EngineContext, options: { maxPerCustomer?: number } = {}) {
  const { db, now, tx, lockCustomer } = ctx
  const maxPerCustomer = options.maxPerCustomer ?? DEFAULT_MAX_API_KEYS
  // Guards on this same object drop a rolled or revoked key from their cache at once.
  const listeners = new Set<(change: ApiKeyChange) => void>()
  const emit = (change: ApiKeyChange) => {
    for (const listener of listeners) listener(change)
  }
  function onApiKeyChange(listener: (change: ApiKeyChange) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('onApiKeyChange(listener): listener must be a function')
    listeners.add(listener)
    return () => listeners.delete(listener)
  }

  /** The customer's live key, or `not_found` (another customer's key is not found either). */
  async function liveKey(q: Db, scope: CustomerScope, apiKeyId: string): Promise<ApiKeysTable> {
    const customer = await lockCustomer(q, scope)
    const key = await q
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', apiKeyId)
      .where('customer_id', '=', customer.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (!key) throw new BillingError('not_found', 'No such API key')
    return key
  }

  const toApiKey = (k: Pick<ApiKeysTable, 'id' | 'name' | 'prefix' | 'last4' | 'created' | 'last_used'>): ApiKey => ({
    id: k.id,
    name: k.name,
    masked: maskApiKey(k.prefix, k.last4),
    created: k.created,
    last_used: k.last_used,
  })

  async function listApiKeys(scope: CustomerScope): Promise<List<ApiKey>> {
    const customer = await findCustomer(db, scope.appId, scope.customUid)
    const rows = await db
      .selectFrom('api_keys')
      .select(['id', 'name', 'prefix', 'last4', 'created', 'last_used'])
      .where('customer_id', '=', customer.id)
      .where('revoked_at', 'is', null)
      // Keys made in the same second (the demo seeds two) tie on `created`, and ids are
      // random, so the tie falls to the order they were made (`seq`): the same on every run.
      .orderBy('created')
      .orderBy('seq')
      .execute()
    return { data: rows.map(toApiKey), has_more: false }
  }

  async function rollApiKey(scope: CustomerScope, apiKeyId: string): Promise<RevealedApiKey> {
    const rolled = await tx(async (q) => {
      const key = await liveKey(q, scope, apiKeyId)
      // The same key id gets a new secret; the old secret stops working at once.
      const fresh = newApiKeySecret()
      const patch = { prefix: fresh.prefix, last4: fresh.last4, hash: fresh.hash, created: now(), last_used: null }
      await q.updateTable('api_keys').set(patch).where('id', '=', key.id).execute()
      return { ...toApiKey({ ...key, ...patch }), secret: fresh.secret }
    })
    emit({ apiKeyId: rolled.id, kind: 'rolled' })
    return rolled
  }

  /** Revokes a key for good: it stops verifying at once and leaves the list. */
  async function revokeApiKey(scope: CustomerScope, apiKeyId: string): Promise<ApiKey> {
    const revoked = await tx(async (q) => {
      const key = await liveKey(q, scope, apiKeyId)
      await q.updateTable('api_keys').set({ revoked_at: now() }).where('id', '=', key.id).execute()
      return toApiKey(key)
    })
    emit({ apiKeyId: revoked.id, kind: 'revoked' })
    return revoked
  }

  async function createApiKey(scope: CustomerScope, name: string): Promise<RevealedApiKey> {
    if (typeof name !== 'string' || name.trim() === '') throw new BillingError('invalid_request', 'name is required', { field: 'name' })
    if (name.trim().length > MAX_NAME) throw new BillingError('invalid_request', `name is longer than ${MAX_NAME} characters`, { field: 'name' })
    return tx(async (q) => {
      const customer = await lockCustomer(q, scope)
      const held = await q
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('customer_id', '=', customer.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow()
      if (Number(held.n) >= maxPerCustomer) {
        throw new BillingError('conflict', `You already have ${maxPerCustomer} API keys, the most allowed: revoke one before creating another`, { field: 'name' })
      }
      const last = await q.selectFrom('api_keys').select((eb) => eb.fn.max('seq').as('seq')).where('customer_id', '=', customer.id).executeTakeFirst()
      const fresh = newApiKeySecret()
      const row: ApiKeysTable = {
        id: newId('key'),
        app_id: scope.appId,
        customer_id: customer.id,
        name: name.trim(),
        prefix: fresh.prefix,
        last4: fresh.last4,
        hash: fresh.hash,
        created: now(),
        last_used: null,
        revoked_at: null,
        seq: Number(last?.seq ?? 0) + 1,
      }
      await q.insertInto('api_keys').values(row).execute()
      return { ...toApiKey(row), secret: fresh.secret }
    })
  }

  /**
   * The owner of an API key, or null for an unknown, revoked or rolled one. The lookup is
   * by SHA-256 hash (an index probe on a value the caller cannot steer), so its timing
   * tells nothing about stored keys. `markUsed` (default true) sets `last_used` now; the
   * guard passes false and moves it with tracked usage instead, at most once a minute.
   */
  async function verifyApiKey(apiKeySecret: string, options: { markUsed?: boolean } = {}): Promise<ApiKeyOwner | null> {
    if (typeof apiKeySecret !== 'string' || apiKeySecret.length > 200) return null
    const find = (q: Db) =>
      q
        .selectFrom('api_keys as k')
        .innerJoin('customers as c', 'c.id', 'k.customer_id')
        .select(['k.id', 'k.app_id', 'c.custom_uid'])
        .where('k.hash', '=', hashApiKey(apiKeySecret))
        .where('k.revoked_at', 'is', null)
        .executeTakeFirst()
    const row = options.markUsed === false
      ? await find(db)
      : await tx(async (q) => {
          const found = await find(q)
          if (found) await q.updateTable('api_keys').set({ last_used: now() }).where('id', '=', found.id).execute()
          return found
        })
    return row ? { appId: row.app_id, customUid: row.custom_uid, apiKeyId: row.id } : null
  }

  return { listApiKeys, rollApiKey, revokeApiKey, createApiKey, verifyApiKey, onApiKeyChange }
}
