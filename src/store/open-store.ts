import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import { type Store, StoreError } from './store.js';

export const SQLITE_FILE = 'mnpd.sqlite';
const SQLITE_EXTENSIONS = ['.sqlite', '.sqlite3', '.db'];

export type StoreTarget = { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string };

/**
 * Where a database URL points: nothing → the SQLite file of the data directory; `sqlite:PATH`
 * or a path ending in .sqlite/.sqlite3/.db → that SQLite file; `postgres://` or `postgresql://` →
 * PostgreSQL.
 */
export function storeTarget(databaseUrl: string | undefined, dataDir: string): StoreTarget {
  const url = databaseUrl?.trim() ?? '';
  if (url === '') return { engine: 'sqlite', file: join(dataDir, SQLITE_FILE) };
  if (/^postgres(ql)?:\/\//i.test(url)) return { engine: 'postgres', url };
  if (/^sqlite:/i.test(url)) {
    // sqlite:relative, sqlite:/absolute and sqlite:///absolute alike.
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file !== '') return { engine: 'sqlite', file };
  } else if (SQLITE_EXTENSIONS.some((ext) => url.toLowerCase().endsWith(ext))) {
    return { engine: 'sqlite', file: url };
  }
  throw new StoreError(
    'invalid',
    `unsupported database URL ${url}: use postgres://…, sqlite:PATH or a path ending in ${SQLITE_EXTENSIONS.join('/')}`,
  );
}

/** Opens the store a database URL names and brings its schema up to date. */
export async function openStore(databaseUrl: string | undefined, dataDir: string): Promise<Store> {
  const target = storeTarget(databaseUrl, dataDir);
  let store: SqliteStore | PostgresStore;
  if (target.engine === 'sqlite') {
    mkdirSync(dirname(target.file), { recursive: true });
    store = new SqliteStore(target.file);
  } else {
    store = new PostgresStore({ connectionString: target.url });
  }
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
