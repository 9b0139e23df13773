/** 0001: accounts, keys, IP rules, the ledger, the query log, usage, idempotency and operators. */
import { type Migration, sql } from 'kysely';
import { type AnyDb, columnTypes } from './migration-kit.js';
import type { Engine } from './schema.js';

export function initial(engine: Engine): Migration {
  const { timestamp, withId } = columnTypes(engine);
  return {
    async up(db: AnyDb) {
      await withId(db.schema.createTable('accounts'))
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('fee_type', 'text', (c) => c.notNull().check(sql`fee_type in ('prepaid', 'postpaid')`))
        .addColumn('balance', 'bigint', (c) => c.notNull())
        .addColumn('credit_limit', 'bigint', (c) => c.check(sql`credit_limit >= 0`))
        .addColumn('qps_limit', 'integer', (c) => c.check(sql`qps_limit > 0`))
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'suspended')`))
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .execute();

      await withId(db.schema.createTable('api_keys'))
        .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('apikey', 'appcode')`))
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('hint', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('revoked_at', timestamp)
        .execute();
      await db.schema.createIndex('api_keys_account').on('api_keys').column('account_id').execute();

      await withId(db.schema.createTable('ip_rules'))
        .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
        .addColumn('cidr', 'text', (c) => c.notNull())
        .addUniqueConstraint('ip_rules_account_cidr', ['account_id', 'cidr'])
        .execute();

      await withId(db.schema.createTable('ledger'))
        .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
        .addColumn('delta', 'bigint', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('balance_after', 'bigint', (c) => c.notNull())
        .addColumn('at', timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ledger_account_id').on('ledger').columns(['account_id', 'id']).execute();

      await withId(db.schema.createTable('query_log'))
        .addColumn('at', timestamp, (c) => c.notNull())
        .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
        .addColumn('key_id', 'bigint', (c) => c.references('api_keys.id'))
        .addColumn('client_ip', 'text', (c) => c.notNull())
        .addColumn('mobile', 'text', (c) => c.notNull())
        .addColumn('code', 'integer', (c) => c.notNull())
        .addColumn('res', 'text')
        .addColumn('init_isp', 'text')
        .addColumn('now_isp', 'text')
        .addColumn('segments_version', 'text')
        .addColumn('ported_version', 'text')
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .execute();
      // Paging newest first, the customer's time filter, and prune by age.
      await db.schema
        .createIndex('query_log_account_id')
        .on('query_log')
        .columns(['account_id', 'id'])
        .execute();
      await db.schema
        .createIndex('query_log_account_at')
        .on('query_log')
        .columns(['account_id', 'at'])
        .execute();
      await db.schema.createIndex('query_log_at').on('query_log').column('at').execute();

      await db.schema
        .createTable('usage_hourly')
        .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
        .addColumn('hour', timestamp, (c) => c.notNull())
        .addColumn('queries', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('usage_hourly_pk', ['account_id', 'hour'])
        .execute();

      await db.schema
        .createTable('idempotency')
        .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_pk', ['account_id', 'key'])
        .execute();
      await db.schema.createIndex('idempotency_created_at').on('idempotency').column('created_at').execute();

      await withId(db.schema.createTable('operators'))
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .execute();
    },
  };
}
