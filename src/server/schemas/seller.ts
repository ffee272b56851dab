/**
 * The Seller API's shapes, declared once: what `createSellerHandler` validates and what
 * its OpenAPI document publishes. Shapes shared with the Portal API (Subscription,
 * PaymentMethod, RevealedApiKey...) are the Portal API's own.
 */
import * as z from 'zod'
import { AppInputSchema, MetricInputSchema, PlanInputSchema, PriceInputSchema } from './engine-input.js'
import { text, whole } from './fields.js'
import { Customer, list, Plan, Subscription, SubscriptionStatus } from './portal.js'
import { named } from './registry.js'

/** A customer's id in the seller's own system (the token's `sub`): any 1-200 visible characters. */
export const CustomerUid = z.string().min(1).max(200).regex(/^[^\x00-\x1f\x7f]+$/)

/** The most events one `POST /v1/usage` takes. */
export const MAX_USAGE_EVENTS = 1000

// ------------------------------------------------------------------ requests

export const PortalTokenBody = named(
  'PortalTokenBody',
  z.strictObject({ customer: text(200).meta({ description: "The customer's id in your system: the token's `sub`." }) }),
)
export const CustomerBody = named(
  'CustomerBody',
  z.strictObject({
    email: z.string({ error: 'must be a string' }).max(320, { error: 'is longer than 320 characters' }).optional(),
    name: z.string({ error: 'must be a string' }).max(200, { error: 'is longer than 200 characters' }).optional(),
  }),
  'Fields left out keep their value (a new customer gets "").',
)
export const SubscribeBody = named('SubscribeBody', z.strictObject({ price_id: text() }))

const POSITIVE = 'must be a positive whole number'
export const UsageEvent = named(
  'UsageEvent',
  z.strictObject({
    customer: text(200),
    metric: text(64),
    amount: z.int({ error: POSITIVE }).min(1, { error: POSITIVE }),
    id: text(200).optional().meta({ description: 'Unique per app: a resent event with the same id is counted once.' }),
    at: whole().optional().meta({ description: 'When it happened, Unix seconds; default now.' }),
  }),
)
export type UsageEventInput = z.output<typeof UsageEvent>

/** An event of a batch: parsed, or refused on its own so that the rest of the batch counts. */
export type UsageItem = { event: UsageEventInput } | { error: { issues: z.core.$ZodIssue[] } }
const UsageItem = UsageEvent.transform((event): UsageItem => ({ event })).catch((ctx): UsageItem => ({ error: ctx.error }))

export const UsageBatch = named(
  'UsageBatch',
  z.strictObject({
    events: z
      .array(UsageItem, { error: 'must be a list of events' })
      .min(1, { error: 'must hold at least one event' })
      .max(MAX_USAGE_EVENTS, { error: `holds at most ${MAX_USAGE_EVENTS} events per batch; send the rest in another` }),
  }),
)

export const KeyVerifyBody = named(
  'KeyVerifyBody',
  z.strictObject({
    key: text(),
    metric: text(64).optional().meta({ description: 'A metric or flag to check; with it, an allowed call is also tracked.' }),
    amount: z.int({ error: POSITIVE }).min(1, { error: POSITIVE }).optional().meta({ description: 'Default 1.' }),
    id: text(200).optional().meta({ description: 'The tracked event’s id, so a retried verify is counted once.' }),
  }),
)

/** A catalogue object matched by id on the next run: the id is required. */
const matchedId = () => z.string({ error: 'is required: the catalogue matches objects by id' }).regex(/^[A-Za-z0-9_-]{1,100}$/, { error: 'must be 1-100 letters, digits, _ or -' })

/**
 * Pricing as code: the same document the engine's `applyCatalogue` takes (its field names,
 * `trialDays` and all, so one catalogue file serves Node and HTTP alike). `app.id` is the
 * handler's own app; left out, it is filled in.
 */
export const Catalogue = named(
  'Catalogue',
  z.strictObject({
    app: z.strictObject({ ...AppInputSchema.shape, id: z.string().optional() }),
    metrics: z.array(MetricInputSchema).optional(),
    plans: z.array(z.strictObject({ ...PlanInputSchema.shape, id: matchedId(), prices: z.array(z.strictObject({ ...PriceInputSchema.shape, id: matchedId() })).min(1, { error: 'must list at least one price' }) })),
  }),
)

export const DryRunQuery = z.object({
  dry_run: z
    .enum(['0', '1', 'true', 'false'], { error: 'must be 1 or 0' })
    .optional()
    .transform((value) => value === '1' || value === 'true')
    .meta({ description: '`1`: answer the diff without applying it.' }),
})

export const CustomerPageQuery = z.object({
  limit: z.coerce
    .number({ error: 'must be a whole number from 1 to 100' })
    .int({ error: 'must be a whole number from 1 to 100' })
    .min(1, { error: 'must be a whole number from 1 to 100' })
    .max(100, { error: 'must be a whole number from 1 to 100' })
    .default(10),
  starting_after: CustomerUid.optional().meta({ description: 'The last customer id of the previous page.' }),
})

// ------------------------------------------------------------------ responses

export const PortalToken = named('PortalToken', z.object({ token: z.string(), expires_at: z.int() }))
export const CustomerList = named('CustomerList', list(Customer))
export const SellerPlan = named('SellerPlan', z.object({ ...Plan.shape, public: z.boolean(), archived: z.boolean() }))
export const PlanList = named('PlanList', list(SellerPlan))

export const CheckReason = z.enum(['quota_exceeded', 'spend_limit_reached', 'no_subscription', 'subscription_inactive', 'not_in_plan'])
export const CheckResult = named(
  'CheckResult',
  z.object({
    allowed: z.boolean(),
    reason: CheckReason.optional(),
    used: z.number(),
    limit: z.number().nullable(),
    remaining: z.number().nullable(),
    overage: z.boolean(),
    overage_priced: z.boolean(),
    resets_at: z.int().nullable(),
    status: SubscriptionStatus.nullable().optional(),
    stops_at: z.number().nullable().optional(),
  }),
)
export const MetricEntitlement = z.object({
  metric: z.string(),
  name: z.string(),
  unit: z.string(),
  used: z.number(),
  limit: z.number().nullable(),
  remaining: z.number().nullable(),
  overage_priced: z.boolean(),
})
export const Entitlements = named(
  'Entitlements',
  z.object({
    plan_id: z.string().nullable(),
    status: SubscriptionStatus.nullable(),
    resets_at: z.int().nullable(),
    metrics: z.array(MetricEntitlement),
    flags: z.array(z.string()),
  }),
)
export const CustomerDetail = named(
  'CustomerDetail',
  z.object({ ...Customer.shape, subscription: Subscription.nullable(), entitlements: Entitlements }),
)
export const UsageRejection = z.object({ index: z.int(), id: z.string().optional(), field: z.string(), message: z.string() })
export const UsageResult = named(
  'UsageResult',
  z.object({
    accepted: z.int(),
    duplicates: z.int(),
    rejected: z.array(UsageRejection).meta({ description: 'Events refused, by their index in the batch; the others counted.' }),
  }),
)
export const KeyVerdict = named(
  'KeyVerdict',
  z.object({
    valid: z.boolean(),
    customer: z.object({ id: z.string() }).nullable(),
    api_key_id: z.string().nullable(),
    check: CheckResult.nullable().meta({ description: 'With `metric`: the verdict. Null without one, or for an invalid key.' }),
    tracked: z.boolean(),
  }),
)
const CatalogueChanges = z.object({
  created: z.array(z.string()),
  updated: z.array(z.object({ id: z.string(), changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })) })),
  archived: z.array(z.string()),
})
export const CatalogueDiff = named(
  'CatalogueDiff',
  z.object({ changed: z.boolean(), dryRun: z.boolean(), app: CatalogueChanges, metrics: CatalogueChanges, plans: CatalogueChanges, prices: CatalogueChanges }),
  'What applying the catalogue changes (or, with `dry_run`, would change). A price whose amount changed is `updated`: a new price row takes its id; subscribers of the old one keep it.',
)
export const RevokedApiKey = named('RevokedApiKey', z.object({ id: z.string(), deleted: z.literal(true) }))
