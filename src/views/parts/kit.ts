/**
 * The core's helpers that the views' chunks use, in one module: a chunk's entry (the
 * invoices, billing and pricing views, the payment banner, the API-keys card) imports them
 * from here. Why: the bundler puts a module that the core and some chunks share in a
 * shared chunk per distinct set of chunks reaching it, so helpers taken one by one (the
 * banner only buttons and ids, the invoices view no colours) made as many initial files,
 * each compressed apart. Reached together, they are one file.
 *
 * Only what the core loads up front belongs here (anything else would come along with
 * every view chunk); test/unit/views/kit.test.ts checks both.
 */
export { append, h, replaceChildren, type Child } from '../../dom/h.js'
export { safeHref } from '../../dom/href.js'
// What the Stripe card form's colour maths take from the core (../billing/stripe-entry.ts).
export { colorParts, DARK_TEXT, LIGHT_TEXT } from '../../theme/syntax.js'
export { button, type ButtonVariant } from './buttons.js'
export { badge, metricName, priceText, statusBadge, subscriptionDate, type Tone } from './format.js'
export { card, emptyState, uid, viewRoot } from './layout.js'
export { bindResource, byFocusKey, errorPanel, skeleton, type Bindable, type ResourceRender } from './resource.js'
