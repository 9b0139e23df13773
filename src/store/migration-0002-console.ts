/**
 * 0002: what the web console needs. Account thresholds and console passwords, answer statistics
 * per hour and code (the query log is pruned, the charts must not be), console sessions, the
 * operators' audit log, uploaded batch jobs cut into chunks, and the record of data imports.
 */
import { type Migration, sql } from 'kysely';
import { type AnyDb, columnTypes } from './migration-kit.js';
import type { Engine } from './schema.js';

export function consoleTables(engine: Engine): Migration {
  const { timestamp, withId } = columnTypes(engine);
  return {
    async up(db: AnyDb) {
      // One column per statement: SQLite's ALTER TABLE adds one at a time.
      await db.schema.alterTable('accounts').addColumn('low_balance_threshold', 'bigint').execute();
      await db.schema.alterTable('accounts').addColumn('password_hash', 'text').execute();

      // No index on the number: every charge would pay a random insert into it (a third fewer
      // /carrier answers per second in bench:http, a 1000-number batch 60% slower at p99), for a
      // search customers run now and then. It walks the account's rows newest first instead, and
      // a date range narrows it through query_log_account_at.

      await db.schema
        .createTable('answer_stats_hourly')
        .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
        .addColumn('hour', timestamp, (c) => c.notNull())
        .addColumn('code', 'integer', (c) => c.notNull())
        .addColumn('answers', 'bigint', (c) => c.notNull())
        .addColumn('ported', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('answer_stats_hourly_pk', ['account_id', 'hour', 'code'])
        .execute();
      // Statistics of every account at once (the operator's view) read by hour.
      await db.schema
        .createIndex('answer_stats_hourly_hour')
        .on('answer_stats_hourly')
        .column('hour')
        .execute();
      // The charts start with the history the query log still holds (so far only charged answers).
      const hour =
        engine === 'postgres'
          ? sql`date_trunc('hour', at at time zone 'UTC') at time zone 'UTC'`
          : sql`(at / 3600000) * 3600000`;
      await sql`
        insert into answer_stats_hourly (account_id, hour, code, answers, ported)
        select account_id, ${hour}, code, count(*), sum(case when code = 0 and res = '1' then 1 else 0 end)
        from query_log
        group by account_id, ${hour}, code
      `.execute(db);

      await db.schema
        .createTable('console_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('customer', 'operator')`))
        .addColumn('subject_id', 'bigint', (c) => c.notNull())
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('expires_at', timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('console_sessions_subject')
        .on('console_sessions')
        .columns(['role', 'subject_id'])
        .execute();
      await db.schema
        .createIndex('console_sessions_expires_at')
        .on('console_sessions')
        .column('expires_at')
        .execute();

      await withId(db.schema.createTable('audit_log'))
        .addColumn('at', timestamp, (c) => c.notNull())
        .addColumn('operator', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .execute();

      await withId(db.schema.createTable('batch_jobs'))
        .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('draft', 'queued', 'running', 'done', 'stopped', 'cancelled')`),
        )
        .addColumn('total', 'integer', (c) => c.notNull())
        .addColumn('invalid', 'integer', (c) => c.notNull())
        .addColumn('duplicates', 'integer', (c) => c.notNull())
        .addColumn('processed', 'integer', (c) => c.notNull())
        .addColumn('charged', 'integer', (c) => c.notNull())
        .addColumn('chunks', 'integer', (c) => c.notNull())
        .addColumn('stop_reason', 'text')
        .addColumn('invalid_samples', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('started_at', timestamp)
        .addColumn('finished_at', timestamp)
        .execute();
      await db.schema
        .createIndex('batch_jobs_account_id')
        .on('batch_jobs')
        .columns(['account_id', 'id'])
        .execute();
      await db.schema.createIndex('batch_jobs_status').on('batch_jobs').column('status').execute();

      await db.schema
        .createTable('batch_job_chunks')
        .addColumn('job_id', 'bigint', (c) => c.notNull().references('batch_jobs.id'))
        .addColumn('chunk_no', 'integer', (c) => c.notNull())
        .addColumn('entries', 'text', (c) => c.notNull())
        .addColumn('output', 'text')
        .addColumn('charged', 'integer')
        .addPrimaryKeyConstraint('batch_job_chunks_pk', ['job_id', 'chunk_no'])
        .execute();

      await withId(db.schema.createTable('data_imports'))
        .addColumn('at', timestamp, (c) => c.notNull())
        .addColumn('node', 'text', (c) => c.notNull())
        .addColumn('operator', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('full', 'delta')`))
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('running', 'applied', 'rejected', 'failed')`),
        )
        .addColumn('rows', 'bigint', (c) => c.notNull())
        .addColumn('message', 'text')
        .addColumn('report', 'text')
        .addColumn('finished_at', timestamp)
        .execute();
      await db.schema.createIndex('data_imports_status').on('data_imports').column('status').execute();
    },
  };
}
