import type { PaymentMethod } from '../../api/types.js'
import type { ViewContext } from '../context.js'
import { actionButton, own, runFlow } from '../parts/actions.js'
import { loaded } from '../parts/joined.js'
import { badge, bindResource, card, emptyState, h, replaceChildren } from '../parts/kit.js'
import { addMethodForm, attachWith, beginAdding } from './add-method.js'
import { cardLabel } from './labels.js'

/** The customer's cards: set default, remove (after a confirmation), add. */
export function paymentMethodsCard(ctx: ViewContext): HTMLElement {
  const { t } = ctx
  const { stores, flows } = ctx.client
  const methods = stores.paymentMethods
  const adding = own(ctx, flows.addPaymentMethod())
  const listHost = h('div')
  const addHost = h('div', { class: 'ap-add-method' })

  const addButton = actionButton(ctx, {
    label: t('billing.methods.add'),
    variant: 'primary',
    run: async () => {
      const setup = await beginAdding(adding)
      // The flow reloads the list once the method is attached.
      const cancel = () => {
        void adding.close()
        closeForm()
      }
      const form = addMethodForm(ctx, setup, {
        attach: (paymentMethod, makeDefault) => attachWith(adding, paymentMethod, makeDefault),
        added: closeForm,
        close: cancel,
      })
      // Open, it is the add-payment-method flow (for the deep-link router, which closes it with
      // `ap-close` on back); Escape closes it as its Cancel does.
      form.setAttribute('data-ap-flow', 'add-payment-method')
      form.addEventListener('ap-close', cancel)
      form.addEventListener('keydown', (event) => {
        if (event.key !== 'Escape') return
        event.preventDefault()
        cancel()
      })
      replaceChildren(addHost, form)
      form.querySelector<HTMLElement>('h3')?.focus()
    },
  })
  function closeForm(): void {
    replaceChildren(addHost, addButton)
    addButton.focus()
  }
  // Where a deep link to adding a payment method (and the banner's Update payment method) lands.
  addButton.setAttribute('data-ap-open', 'add-payment-method')
  replaceChildren(addHost, addButton)

  function item(method: PaymentMethod): HTMLElement {
    const label = cardLabel(ctx, method)
    return h(
      'li',
      { class: 'ap-method', 'data-method-id': method.id },
      h('span', { class: 'ap-method__card' }, label),
      h('span', { class: 'ap-method__expiry ap-muted' }, t('billing.methods.expires', { month: String(method.exp_month).padStart(2, '0'), year: method.exp_year })),
      method.is_default && badge(t('billing.methods.default'), 'info'),
      h(
        'span',
        { class: 'ap-actions' },
        !method.is_default &&
          actionButton(ctx, {
            label: t('billing.methods.setDefault'),
            ariaLabel: t('billing.methods.setDefaultLabel', { card: label }),
            focusKey: `default-${method.id}`,
            run: async () => {
              await runFlow(ctx, flows.setDefaultPaymentMethod(), method.id)
              await loaded(methods)
              return t('billing.methods.defaultSet', { card: label })
            },
          }),
        actionButton(ctx, {
          label: t('billing.methods.remove'),
          ariaLabel: t('billing.methods.removeLabel', { card: label }),
          focusKey: `remove-${method.id}`,
          confirm: () =>
            ctx.confirm({
              title: t('billing.methods.removeTitle', { card: label }),
              body: t('billing.methods.removeBody'),
              confirmLabel: t('billing.methods.remove'),
              destructive: true,
            }),
          run: async () => {
            await runFlow(ctx, flows.removePaymentMethod(), method.id)
            await loaded(methods)
            return t('billing.methods.removed', { card: label })
          },
        }),
      ),
    )
  }

  bindResource(ctx, listHost, methods, {
    errorTitle: t('billing.methods.error'),
    skeletonRows: 2,
    render: (list) => (list.data.length === 0 ? emptyState(t('billing.methods.empty')) : h('ul', { class: 'ap-methods' }, list.data.map(item))),
  })
  return card(t('billing.methods.title'), listHost, addHost)
}
