import type { Invoice, Session } from '../../api/types.js'
import { button, h, replaceChildren, uid } from '../parts/kit.js'
import { enabled } from './sections.js'
import { accountEn } from '../../i18n/messages-account.js'
import type { AccountContext } from './context.js'
import { payControl } from './pay.js'

export interface BannerOptions {
  /** Also look for an open invoice when the subscription is not past_due (one more request). */
  watchInvoices: boolean
  /** Update payment method: the add-method flow (the billing view's, where the banner's view has none). */
  updatePaymentMethod(): void
}

/**
 * A failed payment, at the top of a view: what failed (the open invoice's amount and date),
 * **Pay now** with the default card (a decline is shown in the banner) and **Update payment
 * method**. It renders the account and invoices stores and leaves once nothing is owed.
 */
export function paymentBanner(ctx: AccountContext, options: BannerOptions): HTMLElement {
  const { t, format } = ctx
  const { stores } = ctx.client
  const host = h('div', { class: 'ap-banner-host' })
  let session: Session | undefined
  let open: Invoice | undefined
  let stopInvoices: (() => void) | undefined
  let shownFor: string | undefined

  function render(): void {
    const pastDue = session?.subscription?.status === 'past_due'
    const key = pastDue || open ? `${pastDue}:${open?.id}` : undefined
    if (key === shownFor) return
    shownFor = key
    const hadFocus = host.contains(host.ownerDocument.activeElement)
    if (!key || !session) {
      replaceChildren(host)
      if (hadFocus) host.closest('.ap-view')?.querySelector<HTMLElement>('h1')?.focus()
      return
    }
    const features = session.features
    const titleId = uid('banner')
    const pay = open && enabled(features, 'invoices') ? payControl(ctx, open, t('account.banner.payNow'), 'primary') : undefined
    replaceChildren(
      host,
      h(
        'section',
        { class: 'ap-banner ap-notice ap-notice--danger', 'aria-labelledby': titleId },
        h('h2', { class: 'ap-banner__title', id: titleId }, t('account.banner.title')),
        h(
          'p',
          null,
          open ? t('account.banner.invoice', { amount: format.money(open.total, open.currency), number: open.number, date: format.date(open.created) }) : t('account.banner.pastDue'),
        ),
        h('p', { class: 'ap-muted' }, t('account.banner.body')),
        pay?.error,
        h(
          'div',
          // A deep link to paying lands here, on Pay now (focused, not pressed).
          { class: 'ap-actions', 'data-ap-open': pay && 'pay-invoice' },
          pay?.button,
          enabled(features, 'paymentMethods') && button(t('account.banner.update'), options.updatePaymentMethod, pay ? 'secondary' : 'primary'),
        ),
      ),
    )
  }

  const stopAccount = stores.account.subscribe((state) => {
    if (ctx.signal.aborted || !state.data) return
    session = state.data
    // The invoices are read only where they may be (not when the seller turned them off).
    if (!stopInvoices && enabled(session.features, 'invoices') && (options.watchInvoices || session.subscription?.status === 'past_due')) {
      stopInvoices = stores.invoices.subscribe((list) => {
        if (ctx.signal.aborted || !list.data) return
        open = list.data.data.find((invoice) => invoice.status === 'open')
        render()
      })
    }
    render()
  })
  ctx.signal.addEventListener(
    'abort',
    () => {
      stopAccount()
      stopInvoices?.()
    },
    { once: true },
  )
  return host
}

/** The strings that ship in this chunk (the dashboard adds them as it loads it). */
export const english = [accountEn]

/** The core's helpers, which this chunk's loader hands over before using it (../parts/kit.ts). */
export { installKit } from '../parts/kit.js'
