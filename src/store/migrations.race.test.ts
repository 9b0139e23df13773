/**
 * A store opens while other clients of the same PostgreSQL database drop their schemas (test
 * suites in parallel, another application): Kysely's migrator lists the tables of every schema,
 * and a schema dropped during that listing failed the start with "schema … does not exist".
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DATABASE_URL, POSTGRES_SKIP_REASON, freshPostgresSchema } from '../test-support/test-databases.js';
import { openStore } from './open-store.js';

const OPENS = 6;

describe.skipIf(!DATABASE_URL)('opening a PostgreSQL store while other schemas come and go', () => {
  it(
    `opens ${OPENS} times of ${OPENS} while two clients create and drop schemas`,
    { timeout: 60_000 },
    async () => {
      let churning = true;
      const churn = async () => {
        const client = new pg.Client({ connectionString: DATABASE_URL });
        await client.connect();
        while (churning) {
          const schema = `mnpd_churn_${randomBytes(6).toString('hex')}`;
          await client.query(
            `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (id serial PRIMARY KEY); CREATE TABLE ${schema}.u (id serial PRIMARY KEY)`,
          );
          await client.query(`DROP SCHEMA ${schema} CASCADE`);
        }
        await client.end();
      };
      const churners = [churn(), churn()];
      const failures: string[] = [];
      try {
        for (let i = 0; i < OPENS; i++) {
          const postgres = await freshPostgresSchema();
          try {
            const store = await openStore(postgres.url, '/nonexistent');
            await store.close();
          } catch (error) {
            failures.push((error as Error).message);
          } finally {
            await postgres.drop();
          }
        }
      } finally {
        churning = false;
        await Promise.all(churners);
      }
      expect(failures).toEqual([]);
    },
  );
});

if (!DATABASE_URL) console.log(`migrations race: skipped: ${POSTGRES_SKIP_REASON}`);
