/**
 * The store on PostgreSQL (pg Pool), shared by every node of a cluster. Write transactions run at
 * READ COMMITTED; the group commit locks its accounts' rows first, so nodes charging the same
 * account queue on the row and each reads the balance (and the idempotency keys) the previous one
 * committed: billing stays exact across processes and nodes.
 */
import pg, { type CustomTypesConfig, type PoolConfig } from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { KyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrations.js';
import type { Database } from './schema.js';

/** Connections per store (per node); a group commit holds one for the length of its transaction. */
export const POSTGRES_POOL_SIZE = 10;
/**
 * How long getting a connection may take: while the database is away, a request waits this long
 * at most before it is answered -8, rather than queueing until the database comes back.
 */
export const POSTGRES_CONNECT_TIMEOUT_MS = 5_000;
/** A connection lost without a word (a cut cable) is noticed by TCP keepalive after this. */
const KEEPALIVE_DELAY_MS = 10_000;

/**
 * bigint (ids, balances, counts) and numeric (sums) arrive as strings by default, to be safe past
 * 2^53; ours never get there, and parsing them here keeps the shared code engine-neutral. Set per
 * pool rather than on pg's global registry, which other code in the process may rely on.
 */
const numericTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC
      ? Number
      : pg.types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};

/** Losing the database under load loses every connection at once: one line a second says it. */
let lostWarnedAt = 0;
function warnLost(message: string): void {
  if (Date.now() - lostWarnedAt < 1000) return;
  lostWarnedAt = Date.now();
  console.error(`mnpd store: ${message}`);
}

export class PostgresStore extends KyselyStore {
  /** `config` is pg's (a connectionString, and e.g. `options: '-c search_path=…'`); call `migrate()` before use. */
  constructor(config: PoolConfig) {
    const pool = new pg.Pool({
      max: POSTGRES_POOL_SIZE,
      connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
      ...config,
      types: numericTypes,
    });
    // A connection that breaks (a restart, pg_terminate_backend, a cut network) emits 'error',
    // which would end the process without a listener. Idle ones the pool drops by itself; one in
    // use fails its query (answered -8, uncharged) and the pool drops it when it comes back.
    pool.on('error', (error) => warnLost(`idle PostgreSQL connection lost: ${error.message}`));
    pool.on('connect', (client) =>
      client.on('error', (error) => warnLost(`PostgreSQL connection lost: ${error.message}`)),
    );
    super(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), {
      rowLocks: true,
      unnestInserts: true,
      toDb: (date) => date,
      clock: (aheadMs = 0) => sql<Date>`(now() + make_interval(secs => ${aheadMs / 1000}))`,
    });
  }

  protected write<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  migrate(): Promise<void> {
    return migrateToLatest(this.db, 'postgres');
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
