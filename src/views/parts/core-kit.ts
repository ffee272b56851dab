/**
 * The views kit's contents: the core's own helpers that the views' chunks use, handed to
 * them at run time (./kit.ts says why). Every loader of a chunk that takes the kit (the
 * invoices, billing and pricing views, the payment banner, the API-keys card) passes the
 * loaded module through `withKit` before using it.
 */
import { atom } from 'nanostores'
import { isAbortError } from '../../api/transport.js'
import { h, replaceChildren } from '../../dom/h.js'
import { safeHref } from '../../dom/href.js'
import { onListeners, toPortalError } from '../../stores/resource.js'
import { colorParts, DARK_TEXT, LIGHT_TEXT } from '../../theme/syntax.js'
import { button } from './buttons.js'
import { badge, metricName, priceText, statusBadge, subscriptionDate } from './format.js'
import { card, emptyState, uid, viewRoot } from './layout.js'
import { bindResource, byFocusKey, errorPanel, skeleton } from './resource.js'

export const coreKit = {
  h,
  replaceChildren,
  safeHref,
  button,
  badge,
  metricName,
  priceText,
  statusBadge,
  subscriptionDate,
  card,
  emptyState,
  uid,
  viewRoot,
  bindResource,
  byFocusKey,
  errorPanel,
  skeleton,
  // The Stripe card form's colour maths (../billing/stripe-entry.ts).
  colorParts,
  DARK_TEXT,
  LIGHT_TEXT,
  // The account's stores and the action buttons (../account/sections.ts, ./actions.ts, ../pricing.ts).
  atom,
  onListeners,
  toPortalError,
  isAbortError,
}
export type Kit = typeof coreKit

/** A chunk that takes the kit: its entry re-exports ./kit.ts's `installKit`. */
export interface TakesKit {
  installKit(kit: Kit): void
}

/** A chunk just loaded, with the kit installed: for a loader's `.then`, before the chunk runs anything. */
export function withKit<Chunk extends TakesKit>(chunk: Chunk): Chunk {
  chunk.installKit(coreKit)
  return chunk
}
