/**
 * The endpoints of Stripe's API that `stripeBilling` calls, answered from a `World`.
 * Paths, parameters and response objects follow Stripe's API reference; list endpoints
 * page with `limit` / `starting_after` and answer `{ object: 'list', data, has_more, url }`.
 */
import { arr, bool, num, obj, str, type FormObject } from './form.js'
import { declined, invalid, missing, TEST_TOKENS, unsupported, type Invoice, type World } from './world.js'

export type Handler = (world: World, params: FormObject, match: string[]) => unknown
export interface Route {
  method: 'GET' | 'POST' | 'DELETE'
  path: RegExp
  handler: Handler
}

const list = <T>(data: T[], hasMore: boolean, url: string) => ({ object: 'list', data, has_more: hasMore, url })

function limitOf(params: FormObject): number {
  const limit = num(params.limit) ?? 10
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalid('This value must be less than or equal to 100.', 'limit')
  return limit
}

/** A page of `items` (already newest first) after the `starting_after` object. */
function page<T extends { id: string }>(items: T[], params: FormObject, url: string, what: string) {
  const limit = limitOf(params)
  const after = str(params.starting_after)
  let from = 0
  if (after !== undefined) {
    const index = items.findIndex((i) => i.id === after)
    if (index < 0) throw missing(what, after, 'starting_after')
    from = index + 1
  }
  return list(items.slice(from, from + limit), from + limit < items.length, url)
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

/** An invoice as the API shows it: its lines as an embedded list of the first ten. */
export function invoiceJson({ seq: _seq, ...invoice }: Invoice) {
  return clone({ ...invoice, lines: list(invoice.lines.slice(0, 10), invoice.lines.length > 10, `/v1/invoices/${invoice.id}/lines`) })
}

const newestFirst = (a: Invoice, b: Invoice) => b.created - a.created || b.seq - a.seq

/** `metadata['key']:'value'`, the one query the portal sends to the Customer Search API. */
function parseSearch(query: string): { key: string; value: string } {
  const m = /^metadata\['([^'\\]+)'\]:'((?:[^'\\]|\\.)*)'$/.exec(query.trim())
  if (!m) throw unsupported(`the search query ${JSON.stringify(query)}`)
  return { key: m[1], value: m[2].replace(/\\(.)/g, '$1') }
}

function customerJson(world: World, id: string) {
  if (world.deletedCustomers.has(id)) return { id, object: 'customer', deleted: true }
  return clone(world.customer(id))
}

export const routes: Route[] = [
  // ---------------------------------------------------------------- customers
  {
    method: 'GET',
    path: /^\/v1\/customers\/search$/,
    handler(world, params) {
      const { key, value } = parseSearch(str(params.query) ?? '')
      const found = [...world.customers.values()].filter((c) => !world.deletedCustomers.has(c.id) && c.metadata[key] === value)
      const limit = limitOf(params)
      return { object: 'search_result', data: clone(found.slice(0, limit)), has_more: found.length > limit, next_page: null, url: '/v1/customers/search' }
    },
  },
  { method: 'GET', path: /^\/v1\/customers\/([^/]+)$/, handler: (world, _p, [id]) => customerJson(world, world.customer(id).id) },
  {
    method: 'POST',
    path: /^\/v1\/customers\/([^/]+)$/,
    handler(world, params, [id]) {
      const customer = world.customer(id)
      if (str(params.name) !== undefined) customer.name = str(params.name) || null
      if (str(params.email) !== undefined) customer.email = str(params.email) || null
      // '' unsets the address; an object sets the fields it names ('' unsets one).
      if (params.address === '') customer.address = null
      else if (params.address !== undefined) {
        const given = obj(params.address)
        const fields = ['city', 'country', 'line1', 'line2', 'postal_code', 'state'] as const
        const next = { ...(customer.address ?? { city: null, country: null, line1: null, line2: null, postal_code: null, state: null }) }
        for (const f of fields) if (str(given[f]) !== undefined) next[f] = str(given[f]) || null
        customer.address = next
      }
      const pm = str(obj(params.invoice_settings).default_payment_method)
      if (pm !== undefined) {
        const method = world.paymentMethods.get(pm)
        if (!method || method.customer !== customer.id) {
          throw invalid(`The customer does not have a payment method with the ID ${pm}. The payment method must be attached to the customer.`, 'invoice_settings[default_payment_method]', 'resource_missing')
        }
        customer.invoice_settings.default_payment_method = pm
      }
      return clone(customer)
    },
  },
  {
    method: 'GET',
    path: /^\/v1\/customers\/([^/]+)\/tax_ids$/,
    handler(world, params, [id]) {
      world.customer(id)
      const ids = world.taxIdsOf(id).reverse()
      return clone(page(ids, params, `/v1/customers/${id}/tax_ids`, 'tax_id'))
    },
  },
  {
    method: 'POST',
    path: /^\/v1\/customers\/([^/]+)\/tax_ids$/,
    handler(world, params, [id]) {
      world.customer(id)
      const type = str(params.type)
      const value = str(params.value)
      if (!type) throw invalid('Missing required param: type.', 'type')
      if (!value) throw invalid('Missing required param: value.', 'value')
      // Stripe checks the value's format too; the portal checks it first, so the double takes it as sent.
      const taxId = { id: world.id('txi'), object: 'tax_id' as const, country: null, created: world.now(), customer: id, livemode: false as const, type, value }
      world.taxIds.set(taxId.id, taxId)
      return clone(taxId)
    },
  },
  {
    method: 'DELETE',
    path: /^\/v1\/customers\/([^/]+)\/tax_ids\/([^/]+)$/,
    handler(world, _params, [id, taxId]) {
      const found = world.taxIds.get(taxId)
      if (!found || found.customer !== id) throw missing('tax_id', taxId)
      world.taxIds.delete(taxId)
      return { id: taxId, object: 'tax_id', deleted: true }
    },
  },
  {
    method: 'GET',
    path: /^\/v1\/customers\/([^/]+)\/payment_methods$/,
    handler(world, params, [id]) {
      world.customer(id)
      if (str(params.type) !== undefined && str(params.type) !== 'card') throw unsupported(`payment methods of type ${str(params.type)}`)
      const methods = [...world.paymentMethods.values()].filter((pm) => pm.customer === id).sort((a, b) => b.created - a.created)
      return clone(page(methods, params, `/v1/customers/${id}/payment_methods`, 'payment_method'))
    },
  },

  // ---------------------------------------------------------------- catalog
  {
    method: 'GET',
    path: /^\/v1\/products$/,
    handler(world, params) {
      const active = bool(params.active)
      const products = [...world.products.values()].filter((p) => active === undefined || p.active === active).reverse()
      return clone(page(products, params, '/v1/products', 'product'))
    },
  },
  {
    method: 'GET',
    path: /^\/v1\/products\/([^/]+)$/,
    handler(world, _params, [id]) {
      const product = world.products.get(id)
      if (!product) throw missing('product', id)
      return clone(product)
    },
  },
  {
    method: 'GET',
    path: /^\/v1\/prices$/,
    handler(world, params) {
      const active = bool(params.active)
      const type = str(params.type)
      const prices = [...world.prices.values()].filter((p) => (active === undefined || p.active === active) && (type === undefined || p.type === type)).reverse()
      return clone(page(prices, params, '/v1/prices', 'price'))
    },
  },

  // ---------------------------------------------------------------- subscriptions and schedules
  {
    method: 'GET',
    path: /^\/v1\/subscriptions$/,
    handler(world, params) {
      const customer = str(params.customer)
      const status = str(params.status)
      const subs = [...world.subscriptions.values()]
        .filter((s) => (customer === undefined || s.customer === customer) && (status === 'all' ? true : status === undefined ? s.status !== 'canceled' : s.status === status))
        .sort((a, b) => b.created - a.created)
      return clone(page(subs, params, '/v1/subscriptions', 'subscription'))
    },
  },
  {
    method: 'POST',
    path: /^\/v1\/subscriptions$/,
    handler(world, params) {
      const items = arr(params.items).map(obj)
      if (items.length !== 1) throw unsupported('a subscription with other than one item')
      const price = str(items[0].price)
      if (!price) throw invalid('Missing required param: items[0][price].', 'items[0][price]')
      return clone(
        world.createSubscription({
          customer: str(params.customer) ?? '',
          price,
          trialDays: num(params.trial_period_days),
          paymentBehavior: str(params.payment_behavior) ?? 'allow_incomplete',
        }),
      )
    },
  },
  { method: 'GET', path: /^\/v1\/subscriptions\/([^/]+)$/, handler: (world, _p, [id]) => clone(world.subscription(id)) },
  {
    method: 'POST',
    path: /^\/v1\/subscriptions\/([^/]+)$/,
    handler(world, params, [id]) {
      const items = arr(params.items).map(obj)
      if (items.length > 1) throw unsupported('updating more than one item')
      return clone(
        world.updateSubscription(id, {
          itemId: str(items[0]?.id),
          price: str(items[0]?.price),
          prorationBehavior: str(params.proration_behavior),
          prorationDate: num(params.proration_date),
          paymentBehavior: str(params.payment_behavior),
          cancelAtPeriodEnd: bool(params.cancel_at_period_end),
        }),
      )
    },
  },
  { method: 'DELETE', path: /^\/v1\/subscriptions\/([^/]+)$/, handler: (world, _p, [id]) => clone(world.cancelSubscription(id)) },
  {
    method: 'POST',
    path: /^\/v1\/subscription_schedules$/,
    handler(world, params) {
      const from = str(params.from_subscription)
      if (!from) throw unsupported('schedules that do not start from a subscription')
      return clone(world.createSchedule(from))
    },
  },
  { method: 'GET', path: /^\/v1\/subscription_schedules\/([^/]+)$/, handler: (world, _p, [id]) => clone(world.schedule(id)) },
  {
    method: 'POST',
    path: /^\/v1\/subscription_schedules\/([^/]+)$/,
    handler(world, params, [id]) {
      const phases = params.phases === undefined ? undefined : arr(params.phases).map(obj)
      return clone(
        world.updateSchedule(id, {
          endBehavior: str(params.end_behavior),
          phases: phases?.map((p) => ({
            items: arr(p.items).map(obj).map((item) => ({ price: str(item.price), quantity: num(item.quantity) })),
            startDate: num(p.start_date),
            endDate: num(p.end_date),
            prorationBehavior: str(p.proration_behavior),
          })),
        }),
      )
    },
  },
  { method: 'POST', path: /^\/v1\/subscription_schedules\/([^/]+)\/release$/, handler: (world, _p, [id]) => clone(world.releaseSchedule(id)) },

  // ---------------------------------------------------------------- invoices
  {
    method: 'POST',
    path: /^\/v1\/invoices\/create_preview$/,
    handler(world, params) {
      const details = obj(params.subscription_details)
      const item = obj(arr(details.items)[0])
      const trialEnd = details.trial_end
      return clone(
        world.preview({
          customer: str(params.customer),
          subscription: str(params.subscription),
          price: str(item.price),
          itemId: str(item.id),
          prorationBehavior: str(details.proration_behavior),
          prorationDate: num(details.proration_date),
          trialEnd: trialEnd === 'now' ? world.now() : num(trialEnd),
          cancelAtPeriodEnd: bool(details.cancel_at_period_end),
        }),
      )
    },
  },
  {
    method: 'GET',
    path: /^\/v1\/invoices$/,
    handler(world, params) {
      const customer = str(params.customer)
      const status = str(params.status)
      let invoices = [...world.invoices.values()].sort(newestFirst)
      const after = str(params.starting_after)
      if (after !== undefined) {
        // Stripe pages from the cursor object's place in time, whoever it belongs to.
        const cursor = world.invoice(after)
        invoices = invoices.filter((i) => newestFirst(cursor, i) < 0)
      }
      invoices = invoices.filter((i) => (customer === undefined || i.customer === customer) && (status === undefined || i.status === status))
      const limit = limitOf(params)
      return list(invoices.slice(0, limit).map(invoiceJson), invoices.length > limit, '/v1/invoices')
    },
  },
  { method: 'GET', path: /^\/v1\/invoices\/([^/]+)$/, handler: (world, _p, [id]) => invoiceJson(world.invoice(id)) },
  {
    method: 'GET',
    path: /^\/v1\/invoices\/([^/]+)\/lines$/,
    handler: (world, params, [id]) => clone(page(world.invoice(id).lines, params, `/v1/invoices/${id}/lines`, 'line_item')),
  },
  { method: 'POST', path: /^\/v1\/invoices\/([^/]+)\/pay$/, handler: (world, params, [id]) => invoiceJson(world.pay(id, str(params.payment_method))) },

  // ---------------------------------------------------------------- payment methods and setup
  {
    method: 'GET',
    path: /^\/v1\/payment_methods\/([^/]+)$/,
    handler: (world, _p, [id]) => clone(world.paymentMethod(id)),
  },
  {
    method: 'POST',
    path: /^\/v1\/payment_methods\/([^/]+)\/attach$/,
    handler(world, params, [id]) {
      const customer = world.customer(str(params.customer) ?? '', 'customer')
      const token = TEST_TOKENS[id]
      if (token) {
        if (token.outcome === 'decline_on_attach') throw declined()
        return clone(world.addCard({ customer: customer.id, brand: token.brand, last4: token.last4, outcome: token.outcome }))
      }
      const pm = world.paymentMethod(id)
      if (pm.customer) throw invalid('The payment method you provided has already been attached to a customer.', 'payment_method')
      pm.customer = customer.id
      return clone(pm)
    },
  },
  {
    method: 'POST',
    path: /^\/v1\/payment_methods\/([^/]+)\/detach$/,
    handler(world, _params, [id]) {
      const pm = world.paymentMethod(id)
      if (!pm.customer) throw invalid('The payment method you provided is not attached to a customer so detachment is impossible.', 'payment_method')
      const customer = world.customers.get(pm.customer)
      if (customer?.invoice_settings.default_payment_method === pm.id) customer.invoice_settings.default_payment_method = null
      pm.customer = null
      return clone(pm)
    },
  },
  {
    method: 'POST',
    path: /^\/v1\/setup_intents$/,
    handler(world, params) {
      const customer = str(params.customer)
      if (customer !== undefined) world.customer(customer, 'customer')
      const id = world.id('seti')
      const intent = {
        id,
        object: 'setup_intent' as const,
        automatic_payment_methods: bool(obj(params.automatic_payment_methods).enabled) ? { enabled: true } : null,
        client_secret: `${id}_secret_${id.slice(-10)}`,
        created: world.now(),
        customer: customer ?? null,
        livemode: false as const,
        payment_method: null,
        status: 'requires_payment_method' as const,
        usage: str(params.usage) ?? 'off_session',
      }
      world.setupIntents.set(id, intent)
      return clone(intent)
    },
  },

  // ---------------------------------------------------------------- usage and checkout
  {
    method: 'GET',
    path: /^\/v1\/billing\/meters\/([^/]+)\/event_summaries$/,
    handler(world, params, [id]) {
      const meter = world.meters.get(id)
      if (!meter) throw missing('billing.meter', id)
      const customer = str(params.customer)
      const start = num(params.start_time)
      const end = num(params.end_time)
      if (!customer) throw invalid('Missing required param: customer.', 'customer')
      if (start === undefined || end === undefined) throw invalid('Missing required param: start_time and end_time.', start === undefined ? 'start_time' : 'end_time')
      for (const [name, value] of [['start_time', start], ['end_time', end]] as const) {
        if (value % 60 !== 0) throw invalid(`${name} must be aligned with minute boundaries.`, name)
      }
      if (end <= start) throw invalid('end_time must be after start_time.', 'end_time')
      const url = `/v1/billing/meters/${id}/event_summaries`
      const sum = (from: number, to: number) =>
        world.meterEvents.filter((e) => e.meter === id && e.customer === customer && e.timestamp >= from && e.timestamp < to).reduce((total, e) => total + e.value, 0)
      // Summary ids name their window, so a page's last id is a stable cursor.
      const summary = (from: number, to: number) => ({ id: `mtrusg_${id}_${customer}_${from}_${to}`, object: 'billing.meter_event_summary', aggregated_value: sum(from, to), start_time: from, end_time: to, livemode: false, meter: id })
      const window = str(params.value_grouping_window)
      if (window === undefined) return list([summary(start, end)], false, url)
      // Grouped: one summary per UTC hour or day, newest first (as Stripe lists them), the bounds on the window's boundaries.
      const size = window === 'hour' ? 3_600 : window === 'day' ? 86_400 : 0
      if (size === 0) throw invalid(`Invalid value_grouping_window: must be one of day or hour`, 'value_grouping_window')
      for (const [name, value] of [['start_time', start], ['end_time', end]] as const) {
        if (value % size !== 0) throw invalid(`${name} must be aligned with ${window === 'hour' ? 'hour' : 'day (UTC midnight)'} boundaries when value_grouping_window is ${window}.`, name)
      }
      const windows = []
      for (let from = end - size; from >= start; from -= size) windows.push(summary(from, from + size))
      return page(windows, params, url, 'billing.meter_event_summary')
    },
  },
  {
    // One meter event; Stripe refuses an identifier it has seen (uniqueness over at least 24 hours).
    method: 'POST',
    path: /^\/v1\/billing\/meter_events$/,
    handler(world, params) {
      const eventName = str(params.event_name)
      const meter = [...world.meters.values()].find((m) => m.event_name === eventName)
      if (!meter) throw invalid(`No active meter found for event_name ${eventName}.`, 'event_name')
      const payload = obj(params.payload)
      const customer = str(payload.stripe_customer_id)
      const value = Number(str(payload.value) ?? 1)
      if (!customer) throw invalid('Missing required param: payload[stripe_customer_id].', 'payload[stripe_customer_id]')
      if (!Number.isFinite(value)) throw invalid('payload[value] must be a number.', 'payload[value]')
      const identifier = str(params.identifier) ?? world.id('mev')
      if (world.meterEvents.some((e) => e.identifier === identifier)) {
        throw invalid(`An event already exists with identifier ${identifier}.`, 'identifier', 'resource_already_exists')
      }
      const timestamp = num(params.timestamp) ?? world.now()
      world.meterEvents.push({ meter: meter.id, customer, value, timestamp, identifier })
      return { object: 'billing.meter_event', created: world.now(), event_name: eventName, identifier, livemode: false, payload, timestamp }
    },
  },
  {
    method: 'POST',
    path: /^\/v1\/checkout\/sessions$/,
    handler(world, params) {
      const mode = str(params.mode)
      if (mode !== 'subscription') throw unsupported(`checkout mode ${mode}`)
      const item = obj(arr(params.line_items)[0])
      const price = world.price(str(item.price) ?? '', 'line_items[0][price]')
      const id = world.id('cs_test')
      return {
        id,
        object: 'checkout.session',
        cancel_url: str(params.cancel_url) ?? null,
        livemode: false,
        mode,
        status: 'open',
        success_url: str(params.success_url) ?? null,
        url: `https://checkout.stripe-double.test/c/pay/${id}`,
        metadata: {},
        currency: price.currency,
      }
    },
  },
]
