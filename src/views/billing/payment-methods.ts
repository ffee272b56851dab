import type { List, PaymentMethod, PaymentSetup } from '../../api/types.js'
import { h, replaceChildren } from '../../dom/h.js'
import type { ViewContext } from '../context.js'
import { actionButton, once } from '../parts/buttons.js'
import { badge } from '../parts/format.js'
import { card, emptyState } from '../parts/layout.js'
import { bindResource, loadResource } from '../parts/resource.js'
import { addMethodForm } from './add-method.js'
import { cardLabel } from './labels.js'

/** The customer's cards: set default, remove (after a confirmation), add. */
export function paymentMethodsCard(ctx: ViewContext): HTMLElement {
  const { t } = ctx
  const methods = loadResource(ctx, (signal) => ctx.api.get<List<PaymentMethod>>('/payment-methods', { signal }))
  const listHost = h('div')
  const addHost = h('div', { class: 'ap-add-method' })

  const addButton = actionButton(ctx, {
    label: t('billing.methods.add'),
    variant: 'primary',
    run: async () => {
      const setup = await ctx.api.post<PaymentSetup>('/payment-methods/setup', undefined, once(ctx))
      const form = addMethodForm(ctx, setup, {
        added: () => {
          closeForm()
          void methods.reload()
        },
        close: closeForm,
      })
      replaceChildren(addHost, form)
      form.querySelector<HTMLElement>('h3')?.focus()
    },
  })
  function closeForm(): void {
    replaceChildren(addHost, addButton)
    addButton.focus()
  }
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
              await ctx.api.post<PaymentMethod>(`/payment-methods/${encodeURIComponent(method.id)}/default`, undefined, once(ctx))
              await methods.reload()
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
            await ctx.api.delete<unknown>(`/payment-methods/${encodeURIComponent(method.id)}`, once(ctx))
            await methods.reload()
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
  void methods.reload()
  return card(t('billing.methods.title'), listHost, addHost)
}
