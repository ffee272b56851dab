/**
 * Svelte 5 actions: `<div use:portal={options} />`. The core's handle already has an
 * action's shape; this only narrows each new options object down to what changed.
 */
import { createPortal, createPricingPortal } from '../../src/index.js'
import type { PortalHandle, PortalOptions, PricingOptions } from '../../src/types.js'
import { forwardErrors, optionSync, type ErrorHandler } from '../sync.js'

/** Structurally a Svelte `ActionReturn`, declared here so the types need no `svelte` install. */
export interface PortalAction<O> {
  update(options: O): void
  destroy(): void
}

/** `errorHandler` gets the code of every error the portal reports, and `''` once it recovers. */
export type ActionOptions<O> = O & { errorHandler?: ErrorHandler }

function action<O extends object>(mount: (el: HTMLElement, options: O) => PortalHandle<O>) {
  return (node: HTMLElement, { errorHandler, ...options }: ActionOptions<O>): PortalAction<ActionOptions<O>> => {
    let onCode = errorHandler
    const sync = optionSync(options as O)
    const handle = mount(node, sync.first)
    const stop = forwardErrors(handle, () => onCode)
    return {
      update({ errorHandler, ...next }) {
        onCode = errorHandler
        const changed = sync.next(next as O)
        if (changed) handle.update(changed)
      },
      destroy() {
        stop()
        handle.destroy()
      },
    }
  }
}

export const portal = action<PortalOptions>(createPortal)
export const pricingPortal = action<PricingOptions>(createPricingPortal)
