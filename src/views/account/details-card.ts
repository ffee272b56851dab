import type { BillingDetails, BillingDetailsUpdate, PortalError, TaxId } from '../../api/types.js'
import { COUNTRY_CODES } from '../../api/countries.js'
import type { MessageKey } from '../../i18n/messages.js'
import { setBusy } from '../parts/actions.js'
import { card, errorPanel, h, replaceChildren, skeleton, uid } from '../parts/kit.js'
import { viewFlow, type AccountContext } from './context.js'
import { countryNamer, taxIdTypesFor } from './tax.js'

type Field = HTMLInputElement | HTMLSelectElement

/**
 * The billing details card: name, email, address (the country a select of ISO codes in the
 * portal's language) and one tax ID (its type offered by the country). Saving runs the
 * `updateBillingDetails` flow; a refusal the server pins on a field (`address.country`,
 * `tax_ids[0].value`) is shown on that field, which takes focus.
 */
export function billingDetailsCard(ctx: AccountContext): HTMLElement {
  const { t } = ctx
  const body = h('div')
  const el = card(t('account.details.title'), body)
  el.classList.add('ap-details')
  const store = ctx.client.stores.billingDetails
  let form: HTMLFormElement | undefined
  const stop = store.subscribe((state) => {
    if (ctx.signal.aborted || form) return
    if (state.data) replaceChildren(body, (form = detailsForm(ctx, state.data)))
    else if (state.status === 'error') replaceChildren(body, errorPanel(ctx, t('account.details.error'), state.error, () => void store.reload()))
    else replaceChildren(body, skeleton(ctx, 4))
  })
  ctx.signal.addEventListener('abort', stop, { once: true })
  return el
}

function detailsForm(ctx: AccountContext, details: BillingDetails): HTMLFormElement {
  const { t } = ctx
  const flow = viewFlow(ctx, ctx.client.flows.updateBillingDetails())
  const fields = new Map<string, { input: Field; error: HTMLElement }>()
  const countryName = countryNamer(ctx.options.get().locale)
  const address = details.address
  const [firstTaxId, ...otherTaxIds] = details.tax_ids

  function field(name: string, label: MessageKey, input: Field, required = false): HTMLElement {
    const id = uid('field')
    const error = h('p', { class: 'ap-form__error', id: `${id}-error`, hidden: true })
    input.id = id
    input.name = name
    input.setAttribute('aria-describedby', error.id)
    if (required) input.required = true
    fields.set(name, { input, error })
    return h('div', { class: 'ap-field' }, h('label', { for: id }, t(label)), input, error)
  }
  const text = (value: string | null | undefined, autocomplete: string, type = 'text') => h('input', { type, class: 'ap-input', value: value ?? '', autocomplete })

  const countries = COUNTRY_CODES.map((code) => ({ code, name: countryName(code) })).sort((a, b) => a.name.localeCompare(b.name, ctx.options.get().locale))
  const country = h(
    'select',
    { class: 'ap-input', autocomplete: 'country' },
    h('option', { value: '' }, t('account.details.noCountry')),
    countries.map(({ code, name }) => h('option', { value: code, selected: code === address?.country }, name)),
  )
  const taxType = h('select', { class: 'ap-input' })
  const taxValue = text(firstTaxId?.value, 'off')
  /** The types the chosen country uses; the one chosen stays when it is still offered. */
  function offerTaxTypes(): void {
    const chosen = taxType.value || firstTaxId?.type
    const offered = taxIdTypesFor(country.value)
    replaceChildren(taxType, offered.map((type) => h('option', { value: type, selected: type === chosen }, t(`account.tax.${type}`))))
  }
  country.addEventListener('change', offerTaxTypes)
  offerTaxTypes()

  const submit = h('button', { type: 'submit', class: 'ap-button ap-button--primary' }, t('account.details.save'))
  const formError = h('p', { class: 'ap-form__error', role: 'alert', hidden: true })
  const saved = h('p', { class: 'ap-form__status ap-muted', hidden: true })
  const form = h(
    'form',
    // Where a deep link to the billing details lands (its first field takes focus).
    { class: 'ap-form ap-details__form', novalidate: true, 'data-ap-open': 'billing-details', onSubmit: (event) => void save(event) },
    field('name', 'account.details.name', text(details.name, 'organization'), true),
    field('email', 'account.details.email', text(details.email, 'email', 'email'), true),
    h(
      'fieldset',
      { class: 'ap-fieldset' },
      h('legend', null, t('account.details.address')),
      field('address.country', 'account.details.country', country),
      field('address.line1', 'account.details.line1', text(address?.line1, 'address-line1')),
      field('address.line2', 'account.details.line2', text(address?.line2, 'address-line2')),
      field('address.postal_code', 'account.details.postalCode', text(address?.postal_code, 'postal-code')),
      field('address.city', 'account.details.city', text(address?.city, 'address-level2')),
      field('address.state', 'account.details.state', text(address?.state, 'address-level1')),
    ),
    h(
      'fieldset',
      { class: 'ap-fieldset' },
      h('legend', null, t('account.details.taxId')),
      field('tax_ids[0].type', 'account.details.taxType', taxType),
      field('tax_ids[0].value', 'account.details.taxId', taxValue),
    ),
    formError,
    h('div', { class: 'ap-actions' }, submit, saved),
  )

  const value = (name: string) => fields.get(name)!.input.value.trim()
  const orNull = (name: string) => value(name) || null

  function body(): BillingDetailsUpdate {
    const hasAddress = ['address.country', 'address.line1', 'address.city'].some((name) => value(name))
    const taxIds: TaxId[] = value('tax_ids[0].value') ? [{ type: taxType.value as TaxId['type'], value: value('tax_ids[0].value') }, ...otherTaxIds] : otherTaxIds
    return {
      name: value('name'),
      email: value('email'),
      // No country, street or city: no address (the server names what a partial one lacks).
      address: hasAddress
        ? { line1: value('address.line1'), line2: orNull('address.line2'), city: value('address.city'), postal_code: orNull('address.postal_code'), state: orNull('address.state'), country: value('address.country') }
        : null,
      tax_ids: taxIds,
    }
  }

  function showError(error: PortalError | undefined): void {
    for (const { input, error: slot } of fields.values()) {
      input.removeAttribute('aria-invalid')
      slot.hidden = true
      slot.textContent = ''
    }
    formError.hidden = true
    if (!error) return
    const target = error.field ? fields.get(error.field) : undefined
    if (target) {
      target.input.setAttribute('aria-invalid', 'true')
      target.error.textContent = error.message
      target.error.hidden = false
      target.input.focus()
    } else {
      formError.textContent = error.message
      formError.hidden = false
    }
    ctx.announce(target ? t('account.details.invalid', { message: error.message }) : error.message)
  }

  async function save(event: Event): Promise<void> {
    event.preventDefault()
    if (flow.get().status === 'running') return
    saved.hidden = true
    setBusy(submit, true)
    const outcome = await flow.run(body())
    if (ctx.signal.aborted) return
    setBusy(submit, false)
    if (outcome.status === 'done') {
      showError(undefined)
      saved.textContent = t('account.details.saved')
      saved.hidden = false
      ctx.announce(t('account.details.saved'))
    } else if (outcome.status === 'failed') {
      showError(outcome.error)
    }
  }

  return form
}
