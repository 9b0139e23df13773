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

export class PostgresStore extends KyselyStore {
  /** `config` is pg's (a connectionString, and e.g. `options: '-c search_path=…'`); call `migrate()` before use. */
  constructor(config: PoolConfig) {
    const pool = new pg.Pool({ max: POSTGRES_POOL_SIZE, ...config, types: numericTypes });
    // An idle connection that breaks (server restart) is dropped by the pool; without a listener
    // its 'error' event would end the process.
    pool.on('error', (error) =>
      console.error(`mnpd store: idle PostgreSQL connection lost: ${error.message}`),
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
