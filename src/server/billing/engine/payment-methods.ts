/** The sandbox's cards: attach from test tokens, default, remove. */
import type { List, PaymentMethod, PaymentSetup } from '../../../api/types.js'
import { BillingError, type CustomerScope } from '../types.js'
import { TEST_CARD_TOKENS, testCard } from './cards.js'
import { newId } from './ids.js'
import type { Db, PaymentMethodsTable } from './schema.js'
import { collectOpenInvoices } from './charging.js'
import { findCustomer } from './lookups.js'
import type { EngineContext } from './context.js'

export function paymentMethodMethods(ctx: EngineContext) {
  const { db, now, tx, customerNow, lockCustomer } = ctx

  const toPaymentMethod = (p: PaymentMethodsTable): PaymentMethod => ({
    id: p.id,
    brand: p.brand,
    last4: p.last4,
    exp_month: p.exp_month,
    exp_year: p.exp_year,
    is_default: p.is_default === 1,
  })

  const activeMethods = (q: Db, customerId: string) =>
    q.selectFrom('payment_methods').selectAll().where('customer_id', '=', customerId).where('detached_at', 'is', null)

  async function findMethod(q: Db, customerId: string, id: string): Promise<PaymentMethodsTable> {
    const pm = await activeMethods(q, customerId).where('id', '=', id).executeTakeFirst()
    if (!pm) throw new BillingError('not_found', 'No such payment method')
    return pm
  }

  async function listPaymentMethods(scope: CustomerScope): Promise<List<PaymentMethod>> {
    const customer = await findCustomer(db, scope.appId, scope.customUid)
    const rows = await activeMethods(db, customer.id).orderBy('is_default', 'desc').orderBy('created', 'desc').orderBy('id').execute()
    return { data: rows.map(toPaymentMethod), has_more: false }
  }

  async function setupPaymentMethod(scope: CustomerScope): Promise<PaymentSetup> {
    await findCustomer(db, scope.appId, scope.customUid)
    return { provider: 'sandbox', test_cards: [...TEST_CARD_TOKENS] }
  }

  async function attachPaymentMethod(scope: CustomerScope, token: string, options: { makeDefault?: boolean } = {}): Promise<PaymentMethod> {
    const card = testCard(token)
    return tx(async (q) => {
      const customer = await customerNow(q, scope)
      const existing = await activeMethods(q, customer.id).select('id').execute()
      const isDefault = options.makeDefault === true || existing.length === 0
      if (isDefault) await q.updateTable('payment_methods').set({ is_default: 0 }).where('customer_id', '=', customer.id).execute()
      const at = now()
      const row: PaymentMethodsTable = {
        id: newId('pm'),
        app_id: customer.app_id,
        customer_id: customer.id,
        brand: card.brand,
        last4: card.last4,
        exp_month: 12,
        exp_year: new Date(at * 1000).getUTCFullYear() + 3,
        is_default: isDefault ? 1 : 0,
        charge_outcome: card.charge_outcome,
        created: at,
        detached_at: null,
      }
      await q.insertInto('payment_methods').values(row).execute()
      // A working card settles what a failed one left open.
      if (isDefault) await collectOpenInvoices(q, customer, at)
      return toPaymentMethod(row)
    })
  }

  async function setDefaultPaymentMethod(scope: CustomerScope, id: string): Promise<PaymentMethod> {
    return tx(async (q) => {
      const customer = await customerNow(q, scope)
      const pm = await findMethod(q, customer.id, id)
      await q.updateTable('payment_methods').set({ is_default: 0 }).where('customer_id', '=', customer.id).where('id', '!=', id).execute()
      await q.updateTable('payment_methods').set({ is_default: 1 }).where('id', '=', id).execute()
      await collectOpenInvoices(q, customer, now())
      return toPaymentMethod({ ...pm, is_default: 1 })
    })
  }

  async function removePaymentMethod(scope: CustomerScope, id: string): Promise<void> {
    await tx(async (q) => {
      const customer = await lockCustomer(q, scope)
      const pm = await findMethod(q, customer.id, id)
      await q.updateTable('payment_methods').set({ detached_at: now(), is_default: 0 }).where('id', '=', id).execute()
      if (pm.is_default === 1) {
        // The newest remaining card takes over, so a customer with cards always has a default.
        const next = await activeMethods(q, customer.id).select('id').orderBy('created', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()
        if (next) await q.updateTable('payment_methods').set({ is_default: 1 }).where('id', '=', next.id).execute()
      }
    })
  }

  return { listPaymentMethods, setupPaymentMethod, attachPaymentMethod, setDefaultPaymentMethod, removePaymentMethod }
}
