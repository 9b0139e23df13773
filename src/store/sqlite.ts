/**
 * The store on one SQLite file (better-sqlite3), for a single machine. Durable before it answers
 * (WAL with synchronous=FULL: a commit is on disk when it returns); writers exclude each other with
 * BEGIN IMMEDIATE, so a balance read inside a write transaction stays true until its commit, also
 * against other processes on the same file (the CLI beside a running server).
 */
import { realpathSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, type SqliteDatabase, SqliteDialect, type SqliteStatement, sql } from 'kysely';
import { KyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrations.js';
import type { Database } from './schema.js';

/** How long a writer waits for another process's write transaction before giving up with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/**
 * One queue per database file in this process. better-sqlite3 is synchronous: a second connection
 * of the same process waiting for the file's write lock would block the event loop, and with it the
 * transaction holding the lock, until the busy timeout. Writers of one process therefore queue here
 * first and meet SQLite's lock only against other processes.
 */
const writeQueues = new Map<string, WriteQueue>();

class WriteQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

function writeQueueFor(file: string): WriteQueue {
  if (file === ':memory:') return new WriteQueue();
  const key = realpathSync(file);
  let queue = writeQueues.get(key);
  if (!queue) writeQueues.set(key, (queue = new WriteQueue()));
  return queue;
}

/** Prepared statements kept per connection; the store's statements are far fewer than this. */
export const STATEMENT_CACHE_SIZE = 500;

/**
 * The connection as Kysely sees it, with prepared statements reused. Kysely prepares every query it
 * runs; preparing the group commit's multi-row INSERTs again each time cost as much as running them
 * (a commit of 36 charges took twice as long). The store never streams, so a statement is never
 * still being read when it runs again.
 */
function reusingStatements(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string): SqliteStatement {
      let statement = statements.get(text);
      if (!statement) {
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statement = sqlite.prepare(text);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

export class SqliteStore extends KyselyStore {
  readonly #sqlite: BetterSqlite3.Database;
  readonly #queue: WriteQueue;

  /** Opens (creating if needed) the database file; call `migrate()` before use. */
  constructor(file: string) {
    const sqlite = new BetterSqlite3(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    const database = reusingStatements(sqlite);
    super(
      new Kysely<Database>({ dialect: new SqliteDialect({ database }) }),
      {
        rowLocks: false,
        unnestInserts: false,
        toDb: (date) => date.getTime(),
        // The machine's clock: every process on one SQLite file runs on the same machine.
        clock: (aheadMs = 0) => sql<number>`(cast(unixepoch('subsec') * 1000 as integer) + ${aheadMs})`,
      },
      (text, parameters) => {
        // Outside a transaction of `write`, another query of Kysely's could be mid-way on the connection.
        if (!sqlite.inTransaction) throw new Error('a direct statement outside a write transaction');
        const statement = database.prepare(text);
        if (statement.reader) return { rows: statement.all(parameters) };
        return { rows: [], numAffectedRows: BigInt(statement.run(parameters).changes) };
      },
    );
    this.#sqlite = sqlite;
    this.#queue = writeQueueFor(file);
  }

  protected write<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.#queue.run(() =>
      // One connection for the whole transaction; Kysely's own `transaction()` would BEGIN DEFERRED,
      // which takes the write lock only at the first write, after the balances were read.
      this.db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (error) {
          // Some errors (SQLITE_FULL, SQLITE_IOERR…) have rolled back already.
          if (this.#sqlite.inTransaction) await sql`rollback`.execute(conn);
          throw error;
        }
      }),
    );
  }

  migrate(): Promise<void> {
    return this.#queue.run(() => migrateToLatest(this.db, 'sqlite'));
  }

  /** After the writes already queued for the file, so none of them meets a closed connection. */
  close(): Promise<void> {
    return this.#queue.run(() => this.db.destroy());
  }
}
