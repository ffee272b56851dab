/** Size page: both portals, every view: the package's whole browser core as a user's bundler sees it. */
import { createPortal, createPricingPortal } from '@archetypeapi/portals'

const token = document.querySelector<HTMLMetaElement>('meta[name="portal-token"]')?.content ?? ''
createPortal(document.getElementById('portal')!, { token })
createPricingPortal(document.getElementById('pricing')!, { publicKey: 'pk_live_example', token })
