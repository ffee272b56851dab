/** Size page: only the pricing portal, as tree-shaking leaves it. */
import { createPricingPortal } from '@archetypeapi/portals'

createPricingPortal(document.getElementById('pricing')!, { publicKey: 'pk_live_example' })
