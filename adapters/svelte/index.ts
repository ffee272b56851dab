/**
 * Svelte 5 actions: `<div use:portal={options} />`. The core's handle already has an
 * action's shape; this only narrows each new options object down to what changed.
 */
import { createPortal, createPricingPortal } from '../../src/index.js'
import type { PortalHandle, PortalOptions, PricingOptions } from '../../src/types.js'
import { optionSync } from '../sync.js'

/** Structurally a Svelte `ActionReturn`, declared here so the types need no `svelte` install. */
export interface PortalAction<O> {
  update(options: O): void
  destroy(): void
}

function action<O extends object>(mount: (el: HTMLElement, options: O) => PortalHandle<O>) {
  return (node: HTMLElement, options: O): PortalAction<O> => {
    const sync = optionSync(options)
    const handle = mount(node, sync.first)
    return {
      update(next) {
        const changed = sync.next(next)
        if (changed) handle.update(changed)
      },
      destroy: () => handle.destroy(),
    }
  }
}

export const portal = action<PortalOptions>(createPortal)
export const pricingPortal = action<PricingOptions>(createPricingPortal)
