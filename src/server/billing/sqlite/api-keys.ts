/** Customers' API keys: stored as prefix, last four and SHA-256 hash; the secret is shown once. */
import { sql } from 'kysely'
import type { ApiKey, List, RevealedApiKey } from '../../../api/types.js'
import { BillingError, type CustomerScope } from '../types.js'
import { hashApiKey, maskApiKey, newApiKeySecret, newId } from './ids.js'
import type { ApiKeysTable } from './schema.js'
import { findCustomer } from './store.js'
import type { EngineContext } from './context.js'

export function apiKeyMethods(ctx: EngineContext) {
  const { db, now, tx } = ctx

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
      // random, so the tie falls to insertion order (rowid): the same order on every run.
      .orderBy('created')
      .orderBy(sql`rowid`)
      .execute()
    return { data: rows.map(toApiKey), has_more: false }
  }

  async function rollApiKey(scope: CustomerScope, apiKeyId: string): Promise<RevealedApiKey> {
    return tx(async (q) => {
      const customer = await findCustomer(q, scope.appId, scope.customUid)
      const key = await q
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', apiKeyId)
        .where('customer_id', '=', customer.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      if (!key) throw new BillingError('not_found', 'No such API key')
      // The same key id gets a new secret; the old secret stops working at once.
      const fresh = newApiKeySecret()
      const patch = { prefix: fresh.prefix, last4: fresh.last4, hash: fresh.hash, created: now(), last_used: null }
      await q.updateTable('api_keys').set(patch).where('id', '=', key.id).execute()
      return { ...toApiKey({ ...key, ...patch }), secret: fresh.secret }
    })
  }

  async function createApiKey(scope: CustomerScope, name: string): Promise<RevealedApiKey> {
    if (typeof name !== 'string' || name.trim() === '') throw new BillingError('invalid_request', 'name is required', { field: 'name' })
    return tx(async (q) => {
      const customer = await findCustomer(q, scope.appId, scope.customUid)
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
      }
      await q.insertInto('api_keys').values(row).execute()
      return { ...toApiKey(row), secret: fresh.secret }
    })
  }

  async function verifyApiKey(apiKeySecret: string): Promise<{ appId: string; customUid: string; apiKeyId: string } | null> {
    if (typeof apiKeySecret !== 'string' || apiKeySecret.length > 200) return null
    return tx(async (q) => {
      const row = await q
        .selectFrom('api_keys as k')
        .innerJoin('customers as c', 'c.id', 'k.customer_id')
        .select(['k.id', 'k.app_id', 'c.custom_uid'])
        .where('k.hash', '=', hashApiKey(apiKeySecret))
        .where('k.revoked_at', 'is', null)
        .executeTakeFirst()
      if (!row) return null
      await q.updateTable('api_keys').set({ last_used: now() }).where('id', '=', row.id).execute()
      return { appId: row.app_id, customUid: row.custom_uid, apiKeyId: row.id }
    })
  }

  return { listApiKeys, rollApiKey, createApiKey, verifyApiKey }
}
