/** Size page: only the customer portal, as tree-shaking leaves it. */
import { createPortal } from '@archetypeapi/portals'

const token = document.querySelector<HTMLMetaElement>('meta[name="portal-token"]')?.content ?? ''
createPortal(document.getElementById('portal')!, { token })
