/**
 * The engines the store suites run against: SQLite on a temporary file, and PostgreSQL when
 * DATABASE_URL names a server (each database a schema of its own, dropped afterwards).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { PostgresStore } from '../postgres.js';
import { SqliteStore } from '../sqlite.js';
import type { Store } from '../store.js';

/** A database of its own; `open` may be called more than once, like several processes would. */
export interface TestDatabase {
  open(): Store;
  /** The raw database, unmigrated and untyped, to set up what no store method makes (old schemas). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  raw(): Kysely<any>;
  dispose(): Promise<void>;
}

export interface StoreEngine {
  name: 'SQLite' | 'PostgreSQL';
  engine: 'sqlite' | 'postgres';
  /** Why this engine is not tested in this run; undefined when it is. */
  skipReason?: string;
  create(): Promise<TestDatabase>;
}

const DATABASE_URL = process.env.DATABASE_URL;

export const storeEngines: StoreEngine[] = [
  {
    name: 'SQLite',
    engine: 'sqlite',
    async create() {
      const dir = await mkdtemp(join(tmpdir(), 'mnpd-store-'));
      const file = join(dir, 'mnpd.sqlite');
      return {
        open: () => new SqliteStore(file),
        raw: () => new Kysely({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) }),
        dispose: () => rm(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'PostgreSQL',
    engine: 'postgres',
    skipReason: DATABASE_URL
      ? undefined
      : 'DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)',
    async create() {
      // Fails loudly when the server named by DATABASE_URL does not answer.
      const admin = new pg.Client({ connectionString: DATABASE_URL });
      await admin.connect();
      const schema = `mnpd_test_${randomBytes(6).toString('hex')}`;
      await admin.query(`create schema ${schema}`);
      const config = { connectionString: DATABASE_URL, options: `-c search_path=${schema}` };
      return {
        open: () => new PostgresStore(config),
        raw: () => new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ ...config, max: 1 }) }) }),
        async dispose() {
          await admin.query(`drop schema ${schema} cascade`);
          await admin.end();
        },
      };
    },
  },
];

/**
 * A migrated store on a database of its own for the describe block it is called in: opened before
 * its first test, closed and dropped after its last. `store` stands for it (a proxy).
 */
export function storeForThisSuite(engine: StoreEngine): {
  store: Store;
  /** A second store on the same database, migrated as another process would, for `fn` only. */
  withSecondStore<T>(fn: (other: Store) => Promise<T>): Promise<T>;
} {
  let database: TestDatabase | undefined;
  let current: Store | undefined;
  beforeAll(async () => {
    database = await engine.create();
    current = database.open();
    await current.migrate();
  });
  afterAll(async () => {
    await current?.close();
    await database?.dispose();
  });
  const store = new Proxy({} as Store, {
    get: (_target, property) => {
      if (!current) throw new Error('the store is used before beforeAll opened it');
      const value = Reflect.get(current, property);
      // The store's methods reach its private fields through `this`: the store, not the proxy.
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
  return { store, withSecondStore: (fn) => withMigrated(database!.open(), fn) };
}

/**
 * A migrated store on a fresh database of its own, for `fn` only: for what reads or deletes across
 * every account, where other tests' rows would be in the way.
 */
export async function withOwnStore<T>(engine: StoreEngine, fn: (own: Store) => Promise<T>): Promise<T> {
  const own = await engine.create();
  try {
    return await withMigrated(own.open(), fn);
  } finally {
    await own.dispose();
  }
}

async function withMigrated<T>(store: Store, fn: (store: Store) => Promise<T>): Promise<T> {
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

export function logSkippedEngines(suite: string): void {
  for (const engine of storeEngines) {
    if (engine.skipReason) console.log(`${suite}: ${engine.name} skipped: ${engine.skipReason}`);
  }
}

let names = 0;
export const uniqueName = (prefix: string) => `${prefix}-${++names}-${randomBytes(3).toString('hex')}`;

export { HOUR, T0, chargeItem, logItem } from '../../core/test-support/charge-items.js';
