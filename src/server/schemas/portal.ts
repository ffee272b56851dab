/**
 * The Portal API's shapes, declared once: request bodies and queries (the handler
 * validates with them), responses (the OpenAPI document and the contract suite check
 * backends against them). `src/api/types.ts` keeps the same shapes as plain types for
 * the browser; `./wire-types.ts` fails to compile when the two drift apart.
 */
import * as z from 'zod'
import { flag, ID_PATTERN, text, whole } from './fields.js'
import { named } from './registry.js'
import { BillTo } from './billing-details.js'

export { BillingDetails, BillingDetailsBody } from './billing-details.js'

// ------------------------------------------------------------------ requests

export const EmptyBody = named('EmptyBody', z.strictObject({}), 'This route takes no fields; an empty body or `{}`.')
export const PriceBody = named('PriceBody', z.strictObject({ price_id: text() }))
export const ChangeSubscriptionBody = named(
  'ChangeSubscriptionBody',
  z.strictObject({
    price_id: text(),
    /** The preview's, so the charge equals what the customer was shown. */
    proration_date: whole().optional(),
  }),
)
export const CancelBody = named(
  'CancelBody',
  z.strictObject({ at_period_end: flag().optional() }),
  'Left out, `at_period_end` is true: the customer keeps what they paid for.',
)
export const AttachPaymentMethodBody = named(
  'AttachPaymentMethodBody',
  z.strictObject({ payment_method: text(), make_default: flag().optional() }),
)

/** An API key's name, as the engine keeps it (at most 100 characters). */
export const ApiKeyBody = named('ApiKeyBody', z.strictObject({ name: text(100) }))

/** The metric key a usage route is about. */
const metricField = () => text(100).meta({ description: 'A metric of the plan, e.g. `api_calls`.' })

/** `GET /usage?metric=&period=&granularity=`. */
export const UsageQuery = z.object({
  metric: metricField(),
  period: z.enum(['current', 'previous'], { error: 'must be "current" or "previous"' }).default('current'),
  granularity: z.enum(['day', 'hour'], { error: 'must be "day" or "hour"' }).default('day').meta({ description: 'Bucket size; buckets are UTC days or hours.' }),
})
export const UsageLimitBody = named(
  'UsageLimitBody',
  z.strictObject({
    metric: metricField(),
    max_overage_amount: whole().nullable().meta({ description: 'Minor units of overage allowed past the quota per period; null stops at the quota.' }),
  }),
)
export const UsageAlertBody = named(
  'UsageAlertBody',
  z.strictObject({
    metric: metricField(),
    threshold_percent: z.int({ error: 'must be a whole number from 1 to 1000' }).min(1, { error: 'must be a whole number from 1 to 1000' }).max(1000, { error: 'must be a whole number from 1 to 1000' }),
    of: z.enum(['quota', 'cap'], { error: 'must be "quota" or "cap"' }),
  }),
)

const LIMIT_MESSAGE = 'must be a whole number from 1 to 100'
/** `?limit=` (1..100, default 10) and `?starting_after=` (an id). */
export const PageQuery = z.object({
  limit: z.coerce
    .number({ error: LIMIT_MESSAGE })
    .int({ error: LIMIT_MESSAGE })
    .min(1, { error: LIMIT_MESSAGE })
    .max(100, { error: LIMIT_MESSAGE })
    .default(10),
  starting_after: z
    .string()
    .regex(ID_PATTERN, { error: 'must be an id from a previous page' })
    .optional()
    .meta({ description: 'The last id of the previous page.' }),
})

// ------------------------------------------------------------------ responses

export const ErrorCode = z.enum([
  'session_expired',
  'unauthorized',
  'network',
  'server',
  'bad_response',
  'invalid_config',
  'payment_failed',
  'stripe_unavailable',
  'not_found',
  'conflict',
  'rate_limited',
  'invalid_request',
  'forbidden',
])
export const ErrorBody = named(
  'ErrorBody',
  z.object({ error: z.object({ code: ErrorCode, message: z.string(), field: z.string().optional() }) }),
  'Every non-2xx answer. `field` names the request field at fault, when there is one.',
)

export const Period = z.enum(['month', 'year'])
export const Price = named(
  'Price',
  z.object({
    id: z.string(),
    period: Period,
    amount: z.int(),
    currency: z.string(),
    change_effective: z.enum(['now', 'period_end']).optional().describe("Customer's GET /plans only, on every price but the current one: when a change to it takes effect (as its preview says)"),
    change_allowed: z.boolean().optional().describe("Customer's GET /plans only: whether this portal lets the customer switch to it (`features.plans`, `features.changePlan: 'upgrades_only'`)"),
  }),
)
export const MetricInfo = z.object({ name: z.string(), unit: z.string() })
export const Plan = named(
  'Plan',
  z.object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    features: z.array(z.string()),
    quotas: z.record(z.string(), z.number().nullable()),
    flags: z.array(z.string()).optional(),
    metrics: z.record(z.string(), MetricInfo).optional(),
    trial_days: z.int(),
    featured: z.boolean(),
    prices: z.array(Price),
  }),
)
export const SubscriptionStatus = z.enum(['trialing', 'active', 'past_due', 'canceled'])
export const Subscription = named(
  'Subscription',
  z.object({
    id: z.string(),
    status: SubscriptionStatus,
    plan_id: z.string(),
    price_id: z.string(),
    current_period_start: z.int(),
    current_period_end: z.int(),
    cancel_at_period_end: z.boolean(),
    trial_end: z.int().nullable(),
    scheduled_change: z.object({ price_id: z.string(), at: z.int() }).nullable(),
    canceled_at: z.int().nullable().optional(),
    ended_at: z.int().nullable().optional(),
  }),
)
export const Customer = named('Customer', z.object({ id: z.string(), email: z.string(), name: z.string() }))
export const SpendLimit = named(
  'SpendLimit',
  z.object({ max_overage_amount: z.int().nullable(), currency: z.string() }),
  'A customer-set overage cap: at most `max_overage_amount` minor units past the quota; null stops at the quota.',
)
export const UsageMeter = named(
  'UsageMeter',
  z.object({ metric: z.string(), name: z.string(), used: z.number(), limit: z.number().nullable(), unit: z.string(), spend_limit: SpendLimit.nullable().optional() }),
)
export const UpcomingInvoice = z.object({ amount_due: z.int(), currency: z.string(), date: z.int() })
export const PortalFeatures = named(
  'PortalFeatures',
  z.object({
    changePlan: z.union([z.boolean(), z.literal('upgrades_only')]),
    cancel: z.union([z.boolean(), z.literal('at_period_end')]),
    paymentMethods: z.boolean(),
    invoices: z.boolean(),
    billingDetails: z.boolean(),
    apiKeys: z.union([z.boolean(), z.literal('read_only')]),
    plans: z.array(z.string()).nullable(),
  }),
  'What the seller turned on (`createPortalHandler({ features })`), resolved; an action that is off answers 403 `forbidden`.',
)
export const Session = named(
  'Session',
  z.object({
    customer: Customer,
    subscription: Subscription.nullable(),
    plan: Plan.nullable(),
    price: Price.nullable(),
    usage: z.array(UsageMeter),
    upcoming_invoice: UpcomingInvoice.nullable(),
    api_keys_enabled: z.boolean(),
    features: PortalFeatures.optional(),
  }),
)
export const InvoiceStatus = z.enum(['draft', 'open', 'paid', 'void', 'uncollectible'])
export const InvoiceLine = z.object({
  description: z.string(),
  amount: z.int(),
  quantity: z.number(),
  period: z.object({ start: z.int(), end: z.int() }).nullable(),
})
export const Invoice = named(
  'Invoice',
  z.object({
    id: z.string(),
    number: z.string(),
    created: z.int(),
    status: InvoiceStatus,
    total: z.int(),
    currency: z.string(),
    pdf_url: z.string().nullable(),
    hosted_url: z.string().nullable(),
    lines: z.array(InvoiceLine).optional(),
    bill_to: BillTo.nullable().optional(),
  }),
)
export const PaymentMethod = named(
  'PaymentMethod',
  z.object({ id: z.string(), brand: z.string(), last4: z.string(), exp_month: z.int(), exp_year: z.int(), is_default: z.boolean() }),
)
export const PaymentSetup = named(
  'PaymentSetup',
  z.discriminatedUnion('provider', [
    z.object({ provider: z.literal('stripe'), client_secret: z.string() }),
    z.object({ provider: z.literal('sandbox'), test_cards: z.array(z.string()) }),
  ]),
)
const apiKeyShape = { id: z.string(), name: z.string(), masked: z.string(), created: z.int(), last_used: z.int().nullable() }
export const ApiKey = named('ApiKey', z.object(apiKeyShape))
export const RevealedApiKey = named('RevealedApiKey', z.object({ ...apiKeyShape, secret: z.string() }), 'The whole key, shown once.')
export const ReplayedApiKey = named(
  'ReplayedApiKey',
  z.object({ ...apiKeyShape, secret: z.never().optional(), secret_already_shown: z.literal(true) }),
  'An Idempotency-Key replay of a create or roll: the key without its secret, which was shown once.',
)
/** What a route that `reveals: 'secret'` answers: the secret once, then replays without it. */
export const RevealedApiKeyAnswer = z.union([RevealedApiKey, ReplayedApiKey])

/** `{ data, has_more }`: every cursor-paginated list. */
export const list = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), has_more: z.boolean() })
export const InvoiceList = named('InvoiceList', list(Invoice))
export const PaymentMethodList = named('PaymentMethodList', list(PaymentMethod))
export const ApiKeyList = named('ApiKeyList', list(ApiKey))

export const PlansResponse = named('PlansResponse', z.object({ data: z.array(Plan), current_price_id: z.string().nullable() }))
export const PreviewLine = z.object({ description: z.string(), amount: z.int() })
export const SubscriptionPreview = named(
  'SubscriptionPreview',
  z.object({
    price_id: z.string(),
    amount_due_now: z.int(),
    currency: z.string(),
    next_renewal_amount: z.int(),
    effective: z.enum(['now', 'period_end']),
    effective_at: z.int(),
    proration_date: z.int().optional(),
    lines: z.array(PreviewLine),
    needs_card: z.boolean().optional(),
  }),
)
export const PublicPlansResponse = named('PublicPlansResponse', z.object({ data: z.array(Plan) }))
export const CheckoutResponse = named('CheckoutResponse', z.object({ url: z.string() }))
export const Deleted = named('Deleted', z.object({ id: z.string(), deleted: z.literal(true) }))
export const OpenApiDocument = named('OpenApiDocument', z.looseObject({ openapi: z.string() }), 'This API described as OpenAPI 3.1.')

export const UsageBucket = z.object({ start: z.int(), value: z.number() })
export const UsageForecast = named(
  'UsageForecast',
  z.object({ total: z.number(), at_limit_on: z.int().nullable(), overage_amount: z.int(), currency: z.string() }),
  'A linear estimate: the rate so far carried to the period end, never past a hard quota or the spend limit.',
)
export const UsageReport = named(
  'UsageReport',
  z.object({
    metric: z.string(),
    unit: z.string(),
    period: z.object({ start: z.int(), end: z.int() }),
    granularity: z.enum(['day', 'hour']),
    buckets: z.array(UsageBucket),
    total: z.number(),
    limit: z.number().nullable(),
    forecast: UsageForecast,
    spend_limit: SpendLimit.nullable(),
  }),
  'Usage per UTC day or hour, from the period start up to now (empty buckets are 0); the first bucket starts at the period start.',
)
export const UsageLimit = named('UsageLimit', z.object({ metric: z.string(), ...SpendLimit.shape }))
export const UsageAlert = named(
  'UsageAlert',
  z.object({ id: z.string(), metric: z.string(), threshold_percent: z.int(), of: z.enum(['quota', 'cap']), created: z.int() }),
)
export const UsageAlertList = named('UsageAlertList', list(UsageAlert))
