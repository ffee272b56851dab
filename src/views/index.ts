import { loadFlows } from '../flows/lazy.js'
import { withEnglish } from '../i18n/translate.js'
import type { ViewName } from '../types.js'
import { dashboard } from './dashboard.js'
import { withKit } from './parts/core-kit.js'
import { lazyView, type ViewLoader } from './lazy.js'

/**
 * The customer portal's views. The dashboard, the default, ships in the initial chunk;
 * the others are chunks of their own (with their English strings), fetched on navigation
 * or prefetched by the shell. Each gets the core's helpers from its loader (`withKit`).
 */
export const views: Record<ViewName, ViewLoader> = {
  dashboard: () => dashboard,
  invoices: lazyView(() => import('./invoices.js').then(withKit).then((m) => withEnglish(m.english, m.invoices))),
  // The billing view runs flows: their chunk comes with it, so its flows are the real ones at once.
  billing: lazyView(() => Promise.all([import('./billing.js').then(withKit), loadFlows()]).then(([m]) => withEnglish(m.english, m.billing))),
}
