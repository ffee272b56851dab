import type { PortalClient } from '../../client.js'
import type { ViewContext } from '../context.js'

/** What the account's cards render from: the view's context and the client's stores and flows. */
export type AccountContext = ViewContext & { client: Pick<PortalClient, 'stores' | 'flows'> }

/** A flow made for one view: destroyed when the view is left, so a late answer writes nothing. */
export function viewFlow<F extends { destroy(): void }>(ctx: ViewContext, flow: F): F {
  ctx.signal.addEventListener('abort', () => flow.destroy(), { once: true })
  return flow
}
