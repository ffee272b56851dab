/**
 * Versioned schema migrations. Each one is a list of Kysely schema builders, compiled by
 * the dialect at hand (so the same list serves SQLite and PostgreSQL) and applied in one
 * transaction with its row in `billing_migrations`. Opening a file applies only the
 * versions it lacks. Never edit a released migration: add the next version.
 */
import { sql, type Compilable } from 'kysely'
import type { Db } from './schema.js'
import { query, transaction, type Script } from './script.js'

export interface Migration {
  version: number
  name: string
  up(db: Db): Compilable[]
}

const money = 'bigint' as const
const time = 'bigint' as const

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'initial',
    up: (db) => [
      db.schema
        .createTable('billing_seeds')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('applied_at', time, (c) => c.notNull()),
      db.schema
        .createTable('apps')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('public_key', 'text', (c) => c.notNull().unique())
        .addColumn('invoice_prefix', 'text', (c) => c.notNull())
        .addColumn('next_invoice_seq', 'bigint', (c) => c.notNull().defaultTo(1))
        .addColumn('created', time, (c) => c.notNull()),
      db.schema
        .createTable('metrics')
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('unit', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('metrics_pk', ['app_id', 'key']),
      db.schema
        .createTable('plans')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('features', 'text', (c) => c.notNull())
        .addColumn('trial_days', 'integer', (c) => c.notNull())
        .addColumn('featured', 'integer', (c) => c.notNull())
        .addColumn('public', 'integer', (c) => c.notNull())
        .addColumn('sort_order', 'integer', (c) => c.notNull())
        .addColumn('created', time, (c) => c.notNull()),
      db.schema.createIndex('plans_app').on('plans').columns(['app_id', 'sort_order']),
      db.schema
        .createTable('plan_quotas')
        .addColumn('plan_id', 'text', (c) => c.notNull().references('plans.id'))
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('quota', 'bigint')
        .addColumn('overage_amount', money)
        .addColumn('overage_block', 'bigint')
        .addPrimaryKeyConstraint('plan_quotas_pk', ['plan_id', 'metric']),
      db.schema
        .createTable('prices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('plan_id', 'text', (c) => c.notNull().references('plans.id'))
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('amount', money, (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('created', time, (c) => c.notNull()),
      db.schema.createIndex('prices_plan').on('prices').column('plan_id'),
      db.schema
        .createTable('customers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
        .addColumn('custom_uid', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('subscription_id', 'text')
        .addColumn('created', time, (c) => c.notNull())
        .addUniqueConstraint('customers_uid', ['app_id', 'custom_uid']),
      db.schema
        .createTable('subscriptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
        .addColumn('price_id', 'text', (c) => c.notNull().references('prices.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('anchor', time, (c) => c.notNull())
        .addColumn('current_period_start', time, (c) => c.notNull())
        .addColumn('current_period_end', time, (c) => c.notNull())
        .addColumn('cancel_at_period_end', 'integer', (c) => c.notNull())
        .addColumn('trial_end', time)
        .addColumn('scheduled_price_id', 'text', (c) => c.references('prices.id'))
        .addColumn('scheduled_at', time)
        .addColumn('canceled_at', time)
        .addColumn('created', time, (c) => c.notNull()),
      // Renewal sweeps look subscriptions up by period end.
      db.schema.createIndex('subscriptions_due').on('subscriptions').columns(['status', 'current_period_end']),
      db.schema
        .createTable('invoices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
        .addColumn('subscription_id', 'text', (c) => c.references('subscriptions.id'))
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('total', money, (c) => c.notNull())
        .addColumn('created', time, (c) => c.notNull())
        .addColumn('paid_at', time)
        .addUniqueConstraint('invoices_seq', ['app_id', 'seq']),
      db.schema.createIndex('invoices_customer').on('invoices').columns(['customer_id', 'created', 'seq']),
      db.schema
        .createTable('invoice_lines')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('invoice_id', 'text', (c) => c.notNull().references('invoices.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('amount', money, (c) => c.notNull())
        .addColumn('quantity', 'bigint', (c) => c.notNull())
        .addColumn('period_start', time)
        .addColumn('period_end', time),
      db.schema.createIndex('invoice_lines_invoice').on('invoice_lines').columns(['invoice_id', 'position']),
      db.schema
        .createTable('usage_records')
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('quantity', 'bigint', (c) => c.notNull())
        .addColumn('recorded_at', time, (c) => c.notNull()),
      db.schema.createIndex('usage_records_customer').on('usage_records').columns(['customer_id', 'metric', 'recorded_at']),
      db.schema
        .createTable('payment_methods')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
        .addColumn('brand', 'text', (c) => c.notNull())
        .addColumn('last4', 'text', (c) => c.notNull())
        .addColumn('exp_month', 'integer', (c) => c.notNull())
        .addColumn('exp_year', 'integer', (c) => c.notNull())
        .addColumn('is_default', 'integer', (c) => c.notNull())
        .addColumn('charge_outcome', 'text', (c) => c.notNull())
        .addColumn('created', time, (c) => c.notNull())
        .addColumn('detached_at', time),
      db.schema.createIndex('payment_methods_customer').on('payment_methods').column('customer_id'),
      db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('last4', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('created', time, (c) => c.notNull())
        .addColumn('last_used', time)
        .addColumn('revoked_at', time),
      db.schema.createIndex('api_keys_customer').on('api_keys').column('customer_id'),
    ],
  },
  {
    version: 2,
    name: 'customer_credit_balance',
    // Credit left over when a change is worth less than the unused time it replaces.
    up: (db) => [db.schema.alterTable('customers').addColumn('balance', money, (c) => c.notNull().defaultTo(0))],
  },
  {
    version: 3,
    name: 'subscription_ended_at',
    // When a subscription ended, apart from when its cancellation was asked for. Version 2
    // set `canceled_at` only when a subscription ended, so that is when the old ones did.
    up: (db) => [
      db.schema.alterTable('subscriptions').addColumn('ended_at', time),
      db.updateTable('subscriptions').set((eb) => ({ ended_at: eb.ref('canceled_at') })).where('status', '=', 'canceled'),
    ],
  },
  {
    version: 5,
    name: 'catalogue_archive',
    // Pricing as code (catalogue.ts): an archived plan or price is offered to no new
    // customer but kept for its subscribers; `lookup_key` is the id the catalogue declares,
    // which moves to the new price when an amount changes (the old row keeps its id).
    up: (db) => [
      db.schema.alterTable('plans').addColumn('archived_at', time),
      db.schema.alterTable('prices').addColumn('archived_at', time),
      db.schema.alterTable('prices').addColumn('lookup_key', 'text'),
      db.updateTable('prices').set((eb) => ({ lookup_key: eb.ref('id') })),
      db.schema.createIndex('prices_lookup').on('prices').columns(['app_id', 'lookup_key']),
    ],
  },
  {
    version: 6,
    name: 'metering',
    // Boolean plan flags (`check(scope, 'sso')`) and usage event ids: the unique key per app
    // makes `track` idempotent (a resent event is not counted twice; usage rows, and so
    // their ids, are kept for good). Per-period sums use `usage_records_customer` (version
    // 1); `api_keys.last_used` (version 1) moves with tracked usage.
    up: (db) => [
      db.schema.alterTable('plans').addColumn('flags', 'text', (c) => c.notNull().defaultTo('[]')),
      db.schema.alterTable('usage_records').addColumn('event_id', 'text'),
      db.schema.createIndex('usage_records_event').on('usage_records').columns(['app_id', 'event_id']).unique(),
    ],
  },
  {
    version: 7,
    name: 'portable_order_and_shared_state',
    up: (db) => [
      // A customer's keys in the order they were made, on any database (SQLite's rowid is
      // not portable). Older keys are numbered by creation time, then id.
      db.schema.alterTable('api_keys').addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0)),
      db.updateTable('api_keys').set((eb) => ({
        seq: eb
          .selectFrom('api_keys as k')
          .select((e) => e.fn.countAll().as('n'))
          .whereRef('k.customer_id', '=', 'api_keys.customer_id')
          .where((e) => e.or([e('k.created', '<', e.ref('api_keys.created')), e.and([e('k.created', '=', e.ref('api_keys.created')), e('k.id', '<=', e.ref('api_keys.id'))])])) as never,
      })),
      // State that several server instances on one database share (postgres/shared-stores.ts):
      // finished Idempotency-Key responses and running claims, and rate-limit windows. Times in ms.
      db.schema
        .createTable('billing_idempotency')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('fingerprint', 'text')
        .addColumn('response', 'text')
        // A claim (a request running) lapses at expires_at too.
        .addColumn('expires_at', 'bigint', (c) => c.notNull()),
      db.schema.createIndex('billing_idempotency_expiry').on('billing_idempotency').column('expires_at'),
      db.schema
        .createTable('billing_rate_limits')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('window_start', 'bigint', (c) => c.notNull())
        .addColumn('hits', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull()),
      db.schema.createIndex('billing_rate_limits_expiry').on('billing_rate_limits').column('expires_at'),
    ],
  },
  {
    version: 8,
    name: 'billing_details',
    // Billing details as JSON text (an Address, a TaxId[]), and each invoice's copy of them
    // as issued: null on invoices older than this version, which never had one.
    up: (db) => [
      db.schema.alterTable('customers').addColumn('address', 'text'),
      db.schema.alterTable('customers').addColumn('tax_ids', 'text', (c) => c.notNull().defaultTo('[]')),
      db.schema.alterTable('invoices').addColumn('bill_to', 'text'),
    ],
  },
  {
    version: 9,
    name: 'usage_rollup_limits_alerts',
    up: (db) => [
      // Usage per customer, metric and UTC hour, kept by trackMany in the transaction that
      // writes the events (usage-rollup.ts): a period's chart reads ~720 rows a month instead
      // of summing every event (1,000,000 events answer in milliseconds; an index alone still
      // visits each row). Backfilled from the events already recorded.
      db.schema
        .createTable('usage_hourly')
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('hour', time, (c) => c.notNull())
        .addColumn('quantity', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('usage_hourly_pk', ['customer_id', 'metric', 'hour']),
      db
        .insertInto('usage_hourly')
        .columns(['customer_id', 'metric', 'hour', 'quantity'])
        .expression(
          db
            .selectFrom('usage_records')
            .select((eb) => ['customer_id', 'metric', sql<number>`recorded_at - (recorded_at % 3600)`.as('hour'), eb.fn.sum<number>('quantity').as('quantity')])
            .groupBy(['customer_id', 'metric', sql`recorded_at - (recorded_at % 3600)`]),
        ),
      // The customer's overage cap per metric: null max_overage_amount stops at the quota.
      db.schema
        .createTable('usage_limits')
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('max_overage_amount', money)
        .addColumn('updated', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('usage_limits_pk', ['customer_id', 'metric']),
      db.schema
        .createTable('usage_alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('threshold_percent', 'integer', (c) => c.notNull())
        .addColumn('of', 'text', (c) => c.notNull())
        .addColumn('created', time, (c) => c.notNull())
        .addUniqueConstraint('usage_alerts_unique', ['customer_id', 'metric', 'threshold_percent', 'of']),
      // One row per alert and period it fired in: the claim that makes it fire once even
      // when several instances cross the threshold at the same moment.
      db.schema
        .createTable('usage_alert_firings')
        .addColumn('alert_id', 'text', (c) => c.notNull())
        .addColumn('period_start', time, (c) => c.notNull())
        .addColumn('fired_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('usage_alert_firings_pk', ['alert_id', 'period_start']),
    ],
  },
]

export const LATEST_VERSION = migrations[migrations.length - 1].version

/**
 * Applies every migration newer than the database's version, up to `to` (tests build
 * old-version files with it). Each runs in its own write transaction and re-reads the
 * version inside it, so two processes opening the same database at once apply it once.
 */
export function* migrate(db: Db, options: { to?: number } = {}): Script<number[]> {
  const to = options.to ?? LATEST_VERSION
  yield* query(
    db.schema
      .createTable('billing_migrations')
      .ifNotExists()
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('applied_at', time, (c) => c.notNull()),
  )
  const applied: number[] = []
  // Read first: an up-to-date file (the usual case) is opened without taking the write lock.
  // Every missing version is applied, not only those past the highest: versions developed
  // apart may land out of order.
  const present = new Set((yield* query<{ version: number }>(db.selectFrom('billing_migrations').select('version'))).map((r) => Number(r.version)))
  for (const migration of migrations) {
    if (migration.version > to) break
    if (present.has(migration.version)) continue
    const done = yield* transaction(function* () {
      const rows = yield* query(db.selectFrom('billing_migrations').select('version').where('version', '=', migration.version))
      if (rows.length > 0) return false
      for (const step of migration.up(db)) yield* query(step)
      yield* query(db.insertInto('billing_migrations').values({ version: migration.version, name: migration.name, applied_at: Math.floor(Date.now() / 1000) }))
      return true
    })
    if (done) applied.push(migration.version)
  }
  return applied
}

export function* currentVersion(db: Db): Script<number> {
  const rows = yield* query<{ version: number | null }>(db.selectFrom('billing_migrations').select((eb) => eb.fn.max('version').as('version')))
  return rows[0]?.version ?? 0
}
