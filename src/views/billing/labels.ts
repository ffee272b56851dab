import type { PaymentMethod } from '../../api/types.js'
import type { ViewContext } from '../context.js'

/** "Visa ending in 4242" */
export function cardLabel(ctx: ViewContext, method: PaymentMethod): string {
  const brand = method.brand.charAt(0).toUpperCase() + method.brand.slice(1)
  return ctx.t('billing.methods.card', { brand, last4: method.last4 })
}
