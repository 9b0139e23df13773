/**
 * 0014: batch jobs submitted over the API (`POST /jobs`) and their signed callbacks.
 * - batch_jobs: where a job came from (console or api), the client's requestId (one job per id
 *   and account, so a retried submission finds the first job), the callback URL, the base of the
 *   results URL the callback names, and whether its end-of-job event is still to be made;
 * - accounts: the callback secret, kept as it is: an HMAC is computed with the secret itself, so
 *   a hash of it would sign nothing (see CallbackStore.callbackSecret);
 * - callback_deliveries: one row per event (its body fixed once, so every attempt sends the same
 *   bytes), with its state, a lease so one node of a cluster sends it, and the next attempt's time;
 * - callback_attempts: every attempt, as the console shows it.
 */
import { type Migration, sql } from 'kysely';
import { type AnyDb, columnTypes } from './migration-kit.js';
import type { Engine } from './schema.js';

export function apiJobs(engine: Engine): Migration {
  const { timestamp, withId } = columnTypes(engine);
  return {
    async up(db: AnyDb) {
      // One column per statement: SQLite's ALTER TABLE adds one at a time.
      await db.schema
        .alterTable('batch_jobs')
        .addColumn('origin', 'text', (c) => c.notNull().defaultTo('console'))
        .execute();
      await db.schema.alterTable('batch_jobs').addColumn('request_id', 'text').execute();
      await db.schema.alterTable('batch_jobs').addColumn('callback_url', 'text').execute();
      await db.schema.alterTable('batch_jobs').addColumn('results_base', 'text').execute();
      // 'waiting' until the job's end event is made, then 'made'; null for a job without callback.
      await db.schema.alterTable('batch_jobs').addColumn('callback_state', 'text').execute();
      // NULLs are distinct in a unique index on both engines: jobs without a requestId never clash.
      await db.schema
        .createIndex('batch_jobs_request_id')
        .unique()
        .on('batch_jobs')
        .columns(['account_id', 'request_id'])
        .execute();
      await db.schema
        .createIndex('batch_jobs_callback_state')
        .on('batch_jobs')
        .column('callback_state')
        .execute();

      await db.schema.alterTable('accounts').addColumn('callback_secret', 'text').execute();

      await db.schema
        .createTable('callback_deliveries')
        .addColumn('event_id', 'text', (c) => c.primaryKey())
        .addColumn('job_id', 'bigint', (c) => c.notNull().unique().references('batch_jobs.id'))
        .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('pending', 'delivered', 'failed')`),
        )
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('first_attempt_at', timestamp)
        .addColumn('next_attempt_at', timestamp)
        .addColumn('finished_at', timestamp)
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', timestamp)
        .execute();
      await db.schema
        .createIndex('callback_deliveries_due')
        .on('callback_deliveries')
        .columns(['status', 'next_attempt_at'])
        .execute();

      await withId(db.schema.createTable('callback_attempts'))
        .addColumn('event_id', 'text', (c) => c.notNull().references('callback_deliveries.event_id'))
        .addColumn('job_id', 'bigint', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) =>
          c.notNull().check(sql`outcome in ('delivered', 'failed', 'refused')`),
        )
        .addColumn('http_status', 'integer')
        .addColumn('error', 'text')
        .addColumn('started_at', timestamp, (c) => c.notNull())
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', timestamp)
        .execute();
      await db.schema
        .createIndex('callback_attempts_job_id')
        .on('callback_attempts')
        .columns(['job_id', 'id'])
        .execute();
    },
  };
}
