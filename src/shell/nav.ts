import { h, replaceChildren } from '../dom/h.js'
import type { MessageKey } from '../i18n/messages.js'
import type { Translate } from '../i18n/translate.js'
import type { PortalFeatures } from '../api/types.js'
import type { PortalConfig, ViewName } from '../types.js'

export interface Nav {
  el: HTMLElement
  /** The labels, the logo and the return link, in the current locale and config. */
  render(t: Translate, config: PortalConfig): void
  /** Marks the current view's item with `aria-current="page"`. */
  markCurrent(view: ViewName): void
  /** Takes these views' items out of the nav (the seller turned every section of them off), and puts the others back. */
  hide(views: readonly ViewName[]): void
}

/**
 * The customer portal's sidebar (a top bar below 640 px): logo, one item per view, return
 * link. Pointing at an item or focusing it calls `prefetch`, so its view's chunk is there by the click.
 */
export function createNav(names: readonly ViewName[], navigate: (view: ViewName) => void, prefetch: (view: ViewName) => void): Nav {
  const logoSlot = h('div', { class: 'ap-logo', 'data-ap-slot': 'logo' })
  let coreLogo: Node | undefined
  const buttons = names.map((name) =>
    h('button', { type: 'button', class: 'ap-nav__item', 'data-view': name, onClick: () => navigate(name), onPointerenter: () => prefetch(name), onFocus: () => prefetch(name) }),
  )
  const list = h('ul', { class: 'ap-nav__list' }, buttons.map((button) => h('li', null, button)))
  const returnLink = h('a', { class: 'ap-return' })
  const el = h('nav', { class: 'ap-sidebar' }, logoSlot, list, returnLink)

  return {
    el,
    render(t, config) {
      el.setAttribute('aria-label', t('nav.label'))
      buttons.forEach((button, i) => (button.textContent = t(`nav.${names[i]}` as MessageKey)))
      // Only the node the core put in is replaced: an adapter may render its own logo into the slot.
      coreLogo?.parentNode?.removeChild(coreLogo)
      coreLogo = typeof config.logo === 'string' ? h('img', { src: config.logo, alt: t('logo.alt') }) : config.logo
      if (coreLogo) logoSlot.appendChild(coreLogo)
      if (config.returnHref) {
        returnLink.setAttribute('href', config.returnHref)
        replaceChildren(returnLink, h('span', { 'aria-hidden': 'true' }, '← '), t('nav.return'))
        returnLink.hidden = false
      } else {
        returnLink.removeAttribute('href')
        returnLink.hidden = true
      }
    },
    markCurrent(view) {
      for (const button of buttons) {
        if (button.dataset.view === view) button.setAttribute('aria-current', 'page')
        else button.removeAttribute('aria-current')
      }
    },
    hide(views) {
      buttons.forEach((button, i) => (button.parentElement!.hidden = views.includes(names[i])))
    },
  }
}

/** The billing view's sections: it leaves the nav only when every one of them is off. */
const BILLING: (keyof PortalFeatures)[] = ['changePlan', 'cancel', 'paymentMethods', 'billingDetails']

/** The views whose every section the seller turned off (they leave the nav). */
export function hiddenViews(features: PortalFeatures | undefined): ViewName[] {
  const hidden: ViewName[] = []
  if (features?.invoices === false) hidden.push('invoices')
  if (BILLING.every((name) => features?.[name] === false)) hidden.push('billing')
  return hidden
}
