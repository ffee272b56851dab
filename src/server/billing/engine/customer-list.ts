/** The seller's list of an app's customers, oldest first, by cursor (the Seller API's `GET /v1/customers`). */
import type { Customer, List } from '../../../api/types.js'
import { BillingError, type PageParams } from '../types.js'
import type { EngineContext } from './context.js'

export function customerListMethods(ctx: EngineContext) {
  const { db } = ctx

  /** `starting_after` is a customer's own id (`custom_uid`); ties in `created` go by the row id, so every page is stable. */
  async function listCustomers(appId: string, page: PageParams): Promise<List<Customer>> {
    let query = db.selectFrom('customers').select(['id', 'custom_uid', 'email', 'name', 'created']).where('app_id', '=', appId)
    if (page.starting_after !== undefined) {
      const after = await db
        .selectFrom('customers')
        .select(['id', 'created'])
        .where('app_id', '=', appId)
        .where('custom_uid', '=', page.starting_after)
        .executeTakeFirst()
      if (!after) throw new BillingError('invalid_request', 'starting_after must be a customer id from a previous page', { field: 'starting_after' })
      query = query.where((eb) => eb.or([eb('created', '>', after.created), eb.and([eb('created', '=', after.created), eb('id', '>', after.id)])]))
    }
    const rows = await query.orderBy('created').orderBy('id').limit(page.limit + 1).execute()
    return {
      data: rows.slice(0, page.limit).map((row) => ({ id: row.custom_uid, email: row.email, name: row.name })),
      has_more: rows.length > page.limit,
    }
  }

  return { listCustomers }
}
