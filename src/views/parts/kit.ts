/**
 * The core's helpers as the views' chunks see them: bindings that the chunk's loader fills,
 * at run time, with the core's own (`withKit` in ./core-kit.ts calls `installKit`). Every
 * module of a chunk (the invoices, billing and pricing views, the payment banner, the
 * API-keys card and what they share) takes what it uses of the core from here, and this
 * module imports nothing at run time. Why: the bundler puts a module that the core and
 * some chunk both import in a shared chunk, which the core's entry then imports statically:
 * an initial file more, compressed apart, plus the glue between them. With no chunk
 * importing the core, the core is one file.
 *
 * The bindings are empty until the loader installs the kit, so a chunk uses them only
 * inside functions, never while its modules are evaluated. test/unit/views/kit.test.ts
 * checks that the core loads in one file and that no chunk imports it.
 */
import type { Kit } from './core-kit.js'

export type { Child } from '../../dom/h.js'
export type { ButtonVariant } from './buttons.js'
export type { Tone } from './format.js'
export type { Bindable, ResourceRender } from './resource.js'

export let h: Kit['h']
export let replaceChildren: Kit['replaceChildren']
export let safeHref: Kit['safeHref']
export let button: Kit['button']
export let badge: Kit['badge']
export let metricName: Kit['metricName']
export let priceText: Kit['priceText']
export let statusBadge: Kit['statusBadge']
export let subscriptionDate: Kit['subscriptionDate']
export let card: Kit['card']
export let emptyState: Kit['emptyState']
export let uid: Kit['uid']
export let viewRoot: Kit['viewRoot']
export let bindResource: Kit['bindResource']
export let byFocusKey: Kit['byFocusKey']
export let errorPanel: Kit['errorPanel']
export let skeleton: Kit['skeleton']
export let colorParts: Kit['colorParts']
export let DARK_TEXT: Kit['DARK_TEXT']
export let LIGHT_TEXT: Kit['LIGHT_TEXT']
export let atom: Kit['atom']
export let onListeners: Kit['onListeners']
export let toPortalError: Kit['toPortalError']
export let isAbortError: Kit['isAbortError']

/** Fills the bindings above with the core's helpers (the same ones every time: a second portal's loader changes nothing). */
export function installKit(kit: Kit): void {
  ;({
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
    colorParts,
    DARK_TEXT,
    LIGHT_TEXT,
    atom,
    onListeners,
    toPortalError,
    isAbortError,
  } = kit)
}
