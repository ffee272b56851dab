/**
 * React adapter: a drop-in for the original `<CustomerPortal>`. One core instance per
 * mounted component; re-renders hand the core only what changed. Nothing here runs
 * at import or during a server render (effects never run there). `"use client"` is
 * added to the built file by build.mjs. The hooks to build your own UI are in ./hooks.ts.
 */
import { useEffect, useRef, useState, type ReactElement, type ReactNode } from 'react'
import { createPortal as reactPortal } from 'react-dom'
import { createPortal, createPricingPortal } from '../../src/index.js'
import type { PortalClient } from '../../src/headless.js'
import type { PortalConfig, PortalHandle, PortalOptions, PricingOptions } from '../../src/types.js'
import { forwardErrors, optionSync, type ErrorHandler, type OptionSync } from '../sync.js'

/** `config.logo` may be any React node; a string URL or a DOM node goes to the core as is. */
export interface ReactPortalConfig extends Omit<PortalConfig, 'logo'> {
  logo?: ReactNode | Node
}

interface AdapterProps {
  config?: ReactPortalConfig
  /**
   * The original docs' error prop, e.g. a `useState` setter: gets the code of every
   * error the portal reports (`"session_expired"`, `"network"`, `"not_found"`, ...)
   * and `""` once it recovers. `onError` gets the same errors in full.
   */
  errorHandler?: ErrorHandler
  className?: string
  /**
   * A client shared with other portals and the hooks on the page (`usePortalClient`):
   * one session, one request per resource, and a plan changed anywhere shows everywhere.
   */
  client?: PortalClient
}

export type CustomerPortalProps = Omit<PortalOptions, 'config'> & AdapterProps
export type PricingPortalProps = Omit<PricingOptions, 'config'> & AdapterProps

type Mount<O> = (el: HTMLElement, options: O) => PortalHandle<O>

export * from './hooks.js'

const LOGO_SLOT = '[data-ap-slot="logo"]'

export function CustomerPortal(props: CustomerPortalProps): ReactElement {
  return useMountedPortal(createPortal, props)
}

export function PricingPortal(props: PricingPortalProps): ReactElement {
  return useMountedPortal(createPricingPortal, props)
}

function isCoreLogo(logo: unknown): logo is string | Node {
  return typeof logo === 'string' || (typeof Node !== 'undefined' && logo instanceof Node)
}

function useMountedPortal<O extends { config?: PortalConfig }>(mount: Mount<O>, props: Omit<O, 'config'> & AdapterProps): ReactElement {
  const { className, errorHandler, config, ...rest } = props
  const logo = config?.logo
  // A React logo is rendered by React into the core's slot, so the core never sees it.
  const reactLogo = logo != null && typeof logo !== 'boolean' && !isCoreLogo(logo) ? logo : null
  const options = { ...rest, config: config && (reactLogo ? { ...config, logo: undefined } : config) } as O
  if (!config) delete options.config

  const el = useRef<HTMLDivElement>(null)
  const live = useRef<{ handle: PortalHandle<O>; sync: OptionSync<O> } | null>(null)
  const onCode = useRef(errorHandler)
  const [slot, setSlot] = useState<Element | null>(null)

  // Mount once; StrictMode's second run finds the first instance destroyed.
  useEffect(() => {
    const root = el.current as HTMLDivElement
    const sync = optionSync(options)
    const handle = mount(root, sync.first)
    live.current = { handle, sync }
    const stop = forwardErrors(handle, () => onCode.current)
    setSlot(root.querySelector(LOGO_SLOT))
    return () => {
      stop()
      handle.destroy()
      live.current = null
    }
  }, [mount])

  useEffect(() => {
    onCode.current = errorHandler
    const changed = live.current?.sync.next(options)
    if (changed) live.current?.handle.update(changed)
  })

  return (
    <>
      <div ref={el} className={className} />
      {slot && reactLogo ? reactPortal(reactLogo, slot) : null}
    </>
  )
}
