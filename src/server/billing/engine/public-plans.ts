/** The pricing portal: public plans by public key, and sandbox checkout links. */
import type { CheckoutResponse, PublicPlansResponse } from '../../../api/types.js'
import { BillingError } from '../types.js'
import { findPrice, loadPlans } from './lookups.js'
import type { Db } from './schema.js'
import type { EngineContext } from './context.js'

export function publicPlanMethods(ctx: EngineContext) {
  const { db, baseUrl } = ctx

  async function appByPublicKey(q: Db, publicKey: string): Promise<{ id: string }> {
    const app = await q.selectFrom('apps').select('id').where('public_key', '=', publicKey).executeTakeFirst()
    if (!app) throw new BillingError('not_found', 'No such pricing page')
    return app
  }

  async function listPublicPlans(publicKey: string): Promise<PublicPlansResponse> {
    const app = await appByPublicKey(db, publicKey)
    const plans = await db.selectFrom('plans').selectAll().where('app_id', '=', app.id).where('public', '=', 1).where('archived_at', 'is', null).orderBy('sort_order').orderBy('id').execute()
    return { data: await loadPlans(db, plans) }
  }

  async function createCheckout(publicKey: string, priceId: string): Promise<CheckoutResponse> {
    const app = await appByPublicKey(db, publicKey)
    const price = await findPrice(db, app.id, priceId)
    if (!price || price.public === 0 || price.archived_at !== null || price.plan_archived_at !== null) throw new BillingError('invalid_request', 'No such price', { field: 'price_id' })
    const query = new URLSearchParams({ key: publicKey, price: price.id })
    return { url: `${baseUrl}/checkout?${query}` }
  }

  return { listPublicPlans, createCheckout }
}
