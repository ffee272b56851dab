/**
 * The slice of the official `stripe` client that `stripeBilling` calls, typed
 * structurally: a `new Stripe(key)` of any supported version (17+) fits it, and the
 * package's published types never need `stripe` installed (it is an optional peer).
 * Fields are the ones read here, as Stripe's API reference names them; both homes of a
 * subscription's period are listed (the subscription before API version 2025-03-31, its
 * items since).
 */

export type Expandable = string | { id: string }
export type Metadata = Record<string, string>

export interface StripeRequestOptions {
  idempotencyKey?: string
}

export interface StripeList<T> {
  data: T[]
  has_more: boolean
}

export interface StripeAddress {
  line1: string | null
  line2: string | null
  city: string | null
  postal_code: string | null
  state: string | null
  country: string | null
}

export interface StripeTaxId {
  id: string
  type: string
  value: string
}

export interface StripeCustomer {
  id: string
  deleted?: void
  email: string | null
  name?: string | null
  address?: StripeAddress | null
  metadata: Metadata
  invoice_settings: { default_payment_method: Expandable | null }
  default_source?: Expandable | null
}

export interface StripeDeletedCustomer {
  id: string
  deleted: true
}

export interface StripeProduct {
  id: string
  active: boolean
  name: string
  description: string | null
  metadata: Metadata
  marketing_features?: Array<{ name?: string }>
}

export interface StripePrice {
  id: string
  active: boolean
  currency: string
  product: Expandable
  type: string
  unit_amount: number | null
  billing_scheme?: string
  recurring: { interval: string; interval_count: number; usage_type?: string; trial_period_days?: number | null } | null
}

export interface StripeSubscriptionItem {
  id: string
  price: StripePrice
  quantity?: number
  current_period_start?: number
  current_period_end?: number
}

export interface StripeSubscription {
  id: string
  status: string
  customer: Expandable
  created: number
  cancel_at_period_end: boolean
  cancel_at?: number | null
  /** When the cancellation was asked for (also for one at the period end); null once resumed. */
  canceled_at?: number | null
  /** When a canceled subscription stopped. */
  ended_at?: number | null
  trial_end: number | null
  schedule: Expandable | null
  default_payment_method?: Expandable | null
  items: StripeList<StripeSubscriptionItem>
  current_period_start?: number
  current_period_end?: number
}

export interface StripeSchedulePhase {
  start_date: number
  end_date: number
  items: Array<{ price: Expandable }>
}

export interface StripeSubscriptionSchedule {
  id: string
  status: string
  phases: StripeSchedulePhase[]
  current_phase: { start_date: number; end_date: number } | null
}

export interface StripeInvoiceLine {
  description: string | null
  amount: number
  quantity: number | null
  period: { start: number; end: number }
  /** Since API version 2025-03-31. */
  parent?: { subscription_item_details?: { proration?: boolean } | null } | null
  /** Before it. */
  proration?: boolean
}

export interface StripeInvoice {
  id?: string
  customer: Expandable | null
  number: string | null
  created: number
  status: string | null
  total: number
  amount_due: number
  currency: string
  invoice_pdf?: string | null
  hosted_invoice_url?: string | null
  lines: StripeList<StripeInvoiceLine>
  /** The customer's details as Stripe copied them when the invoice was finalized. */
  customer_name?: string | null
  customer_email?: string | null
  customer_address?: StripeAddress | null
  customer_tax_ids?: Array<{ type: string; value: string | null }> | null
}

export interface StripePaymentMethod {
  id: string
  type: string
  created: number
  customer: Expandable | null
  card?: { brand: string; last4: string; exp_month: number; exp_year: number } | null
}

/** Method parameters: what is sent, in Stripe's names. */
export interface SubscriptionItemParams {
  id?: string
  price?: string
  quantity?: number
}

export interface SubscriptionChangeParams {
  items?: SubscriptionItemParams[]
  proration_behavior?: 'always_invoice' | 'create_prorations' | 'none'
  proration_date?: number
  payment_behavior?: 'allow_incomplete' | 'default_incomplete' | 'error_if_incomplete' | 'pending_if_incomplete'
  cancel_at_period_end?: boolean
}

export interface SchedulePhaseParams {
  items: Array<{ price?: string; quantity?: number }>
  start_date?: number
  end_date?: number
  proration_behavior?: 'always_invoice' | 'create_prorations' | 'none'
}

export interface StripeClient {
  customers: {
    search(params: { query: string; limit?: number }, options?: StripeRequestOptions): Promise<StripeList<StripeCustomer>>
    retrieve(id: string, params?: object, options?: StripeRequestOptions): Promise<StripeCustomer | StripeDeletedCustomer>
    update(
      id: string,
      params: {
        invoice_settings?: { default_payment_method?: string }
        name?: string
        email?: string
        /** `''` removes the address. */
        address?: { line1?: string; line2?: string; city?: string; postal_code?: string; state?: string; country?: string } | ''
      },
      options?: StripeRequestOptions,
    ): Promise<StripeCustomer>
    listTaxIds(id: string, params?: { limit?: number }, options?: StripeRequestOptions): Promise<StripeList<StripeTaxId>>
    createTaxId(id: string, params: { type: string; value: string }, options?: StripeRequestOptions): Promise<StripeTaxId>
    deleteTaxId(id: string, taxId: string, params?: object, options?: StripeRequestOptions): Promise<{ id: string; deleted: true }>
    listPaymentMethods(
      id: string,
      params?: { type?: 'card'; limit?: number; starting_after?: string },
      options?: StripeRequestOptions,
    ): Promise<StripeList<StripePaymentMethod>>
  }
  products: {
    list(params?: { active?: boolean; limit?: number; starting_after?: string }, options?: StripeRequestOptions): Promise<StripeList<StripeProduct>>
    retrieve(id: string, params?: object, options?: StripeRequestOptions): Promise<StripeProduct>
  }
  prices: {
    list(
      params?: { active?: boolean; type?: 'one_time' | 'recurring'; limit?: number; starting_after?: string },
      options?: StripeRequestOptions,
    ): Promise<StripeList<StripePrice>>
  }
  subscriptions: {
    list(
      params?: { customer?: string; status?: 'all'; limit?: number },
      options?: StripeRequestOptions,
    ): Promise<StripeList<StripeSubscription>>
    create(
      params: {
        customer?: string
        items?: SubscriptionItemParams[]
        trial_period_days?: number
        payment_behavior?: SubscriptionChangeParams['payment_behavior']
        metadata?: Record<string, string>
      },
      options?: StripeRequestOptions,
    ): Promise<StripeSubscription>
    update(id: string, params?: SubscriptionChangeParams, options?: StripeRequestOptions): Promise<StripeSubscription>
    cancel(id: string, params?: object, options?: StripeRequestOptions): Promise<StripeSubscription>
  }
  subscriptionSchedules: {
    create(params?: { from_subscription?: string }, options?: StripeRequestOptions): Promise<StripeSubscriptionSchedule>
    retrieve(id: string, params?: object, options?: StripeRequestOptions): Promise<StripeSubscriptionSchedule>
    update(
      id: string,
      params?: { end_behavior?: 'cancel' | 'none' | 'release' | 'renew'; phases?: SchedulePhaseParams[]; proration_behavior?: 'always_invoice' | 'create_prorations' | 'none' },
      options?: StripeRequestOptions,
    ): Promise<StripeSubscriptionSchedule>
    release(id: string, params?: object, options?: StripeRequestOptions): Promise<StripeSubscriptionSchedule>
  }
  invoices: {
    list(
      params?: { customer?: string; status?: 'draft' | 'open' | 'paid' | 'uncollectible' | 'void'; limit?: number; starting_after?: string },
      options?: StripeRequestOptions,
    ): Promise<StripeList<StripeInvoice & { id: string }>>
    retrieve(id: string, params?: object, options?: StripeRequestOptions): Promise<StripeInvoice & { id: string }>
    listLineItems(id: string, params?: { limit?: number; starting_after?: string }, options?: StripeRequestOptions): Promise<StripeList<StripeInvoiceLine & { id: string }>>
    createPreview(
      params?: {
        customer?: string
        subscription?: string
        subscription_details?: SubscriptionChangeParams & { trial_end?: number | 'now' }
      },
      options?: StripeRequestOptions,
    ): Promise<StripeInvoice>
    pay(id: string, params?: { payment_method?: string }, options?: StripeRequestOptions): Promise<StripeInvoice & { id: string }>
  }
  paymentMethods: {
    retrieve(id: string, params?: object, options?: StripeRequestOptions): Promise<StripePaymentMethod>
    attach(id: string, params: { customer: string }, options?: StripeRequestOptions): Promise<StripePaymentMethod>
    detach(id: string, params?: object, options?: StripeRequestOptions): Promise<StripePaymentMethod>
  }
  setupIntents: {
    create(
      params?: { customer?: string; usage?: 'off_session' | 'on_session'; automatic_payment_methods?: { enabled: boolean } },
      options?: StripeRequestOptions,
    ): Promise<{ client_secret: string | null }>
  }
  billing: {
    /** Stripe v17+; one usage event for a Billing Meter (`identifier` makes a resend count once). */
    meterEvents: {
      create(
        params: { event_name: string; payload: Record<string, string>; identifier?: string; timestamp?: number },
        options?: StripeRequestOptions,
      ): Promise<{ identifier: string }>
    }
    meters: {
      listEventSummaries(
        id: string,
        params: { customer: string; start_time: number; end_time: number; limit?: number; starting_after?: string; value_grouping_window?: 'hour' | 'day' },
        options?: StripeRequestOptions,
      ): Promise<StripeList<{ id: string; aggregated_value: number; start_time: number; end_time: number }>>
    }
  }
  checkout: {
    sessions: {
      create(
        params?: {
          mode?: 'payment' | 'setup' | 'subscription'
          line_items?: Array<{ price?: string; quantity?: number }>
          success_url?: string
          cancel_url?: string
          subscription_data?: { trial_period_days?: number }
        },
        options?: StripeRequestOptions,
      ): Promise<{ url: string | null }>
    }
  }
}

export const idOf = (value: Expandable): string => (typeof value === 'string' ? value : value.id)
