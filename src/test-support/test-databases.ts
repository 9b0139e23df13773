import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The store engines a test can run against: SQLite always, PostgreSQL when DATABASE_URL names a
 * server. CI sets it and must fail loudly when the server is missing; without it (a laptop) the
 * PostgreSQL cases are skipped with a printed reason.
 */
export const DATABASE_URL = process.env.DATABASE_URL || undefined;
export const POSTGRES_SKIP_REASON = 'DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)';

export type Engine = 'sqlite' | 'postgres';

export function availableEngines(suite: string): Engine[] {
  if (!DATABASE_URL) console.log(`${suite}: PostgreSQL skipped: ${POSTGRES_SKIP_REASON}`);
  return DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** A fresh PostgreSQL schema for one test run, and a URL whose connections use it. */
export async function freshPostgresSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!DATABASE_URL) throw new Error(POSTGRES_SKIP_REASON);
  const schema = `mnpd_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}
