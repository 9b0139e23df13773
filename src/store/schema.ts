/**
 * The one schema of both engines: the Kysely table types the queries are checked against, and the
 * migrations that create them. Migrations live in code (no files read at run time) and differ
 * between engines only in the column types the engines force: identity columns, and timestamps
 * (timestamptz on PostgreSQL, epoch milliseconds in an integer on SQLite, which has no date type).
 */
import {
  type ColumnType,
  type CreateTableBuilder,
  type Generated,
  type Kysely,
  type Migration,
  Migrator,
  sql,
} from 'kysely';
import type { AccountStatus, FeeType, KeyKind } from './store.js';

export type Engine = 'sqlite' | 'postgres';

/** A timestamp as its column holds it: a Date from PostgreSQL, epoch milliseconds from SQLite. */
export type DbTime = Date | number;
type Timestamp = ColumnType<DbTime, DbTime, DbTime>;

/** How the engines differ inside the shared queries (not in how they lock or migrate). */
export interface EngineTraits {
  /**
   * True where reads inside a write transaction must lock the account rows they rely on; false
   * where the write transaction itself excludes every other writer (SQLite).
   */
  rowLocks: boolean;
  /** A Date as the timestamp columns hold it. */
  toDb(date: Date): DbTime;
}
type NullableTimestamp = ColumnType<DbTime | null, DbTime | null, DbTime | null>;

export interface AccountsTable {
  id: Generated<number>;
  name: string;
  fee_type: FeeType;
  balance: number;
  credit_limit: number | null;
  qps_limit: number | null;
  status: AccountStatus;
  created_at: Timestamp;
}

export interface ApiKeysTable {
  id: Generated<number>;
  account_id: number;
  kind: KeyKind;
  hash: string;
  hint: string;
  label: string;
  created_at: Timestamp;
  revoked_at: NullableTimestamp;
}

export interface IpRulesTable {
  id: Generated<number>;
  account_id: number;
  cidr: string;
}

export interface LedgerTable {
  id: Generated<number>;
  account_id: number;
  delta: number;
  reason: string;
  balance_after: number;
  at: Timestamp;
}

export interface QueryLogTable {
  id: Generated<number>;
  at: Timestamp;
  account_id: number;
  key_id: number | null;
  client_ip: string;
  mobile: string;
  code: number;
  res: string | null;
  init_isp: string | null;
  now_isp: string | null;
  segments_version: string | null;
  ported_version: string | null;
  latency_ms: number;
  request_id: string;
}

export interface UsageHourlyTable {
  account_id: number;
  hour: Timestamp;
  queries: number;
}

export interface IdempotencyTable {
  account_id: number;
  key: string;
  body: string;
  created_at: Timestamp;
}

export interface OperatorsTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  created_at: Timestamp;
}

export interface Database {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  ip_rules: IpRulesTable;
  ledger: LedgerTable;
  query_log: QueryLogTable;
  usage_hourly: UsageHourlyTable;
  idempotency: IdempotencyTable;
  operators: OperatorsTable;
}

// Migrations see the database as it was when they were written, not as `Database` says today.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyTable = CreateTableBuilder<any, any>;

function columnTypes(engine: Engine) {
  return {
    timestamp: engine === 'postgres' ? 'timestamptz' : 'integer',
    /** Integer primary key; SQLite's AUTOINCREMENT keeps ids of pruned rows from coming back. */
    withId: (table: AnyTable): AnyTable =>
      engine === 'postgres'
        ? table.addColumn('id', 'bigint', (c) => c.generatedByDefaultAsIdentity().primaryKey())
        : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()),
  } as const;
}

function initial(engine: Engine): Migration {
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

/** In name order, which is the order they run in; never edit one that has shipped, add the next. */
export function migrations(engine: Engine): Record<string, Migration> {
  return { '0001_initial': initial(engine) };
}

/**
 * Brings the schema to the latest migration; a no-op when it is there already. On PostgreSQL the
 * migration tables are pinned to the current schema (the first of search_path): left unqualified,
 * Kysely takes a `kysely_migration` table in ANY schema of the database as ours and skips creating it.
 */
export async function migrateToLatest(db: AnyDb, engine: Engine): Promise<void> {
  let migrationTableSchema: string | undefined;
  if (engine === 'postgres') {
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = rows[0]?.schema ?? undefined;
    if (!migrationTableSchema)
      throw new Error('no current schema: does the first schema of search_path exist?');
  }
  const migrator = new Migrator({
    db,
    migrationTableSchema,
    provider: { getMigrations: async () => migrations(engine) },
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(`migration failed: ${String(error)}`);
}
