/**
 * 0006: less for every group commit to write. Each B-tree a commit touches costs it at least one
 * more page in the write-ahead log, and the commit is a third of a /carrier request's time:
 * - usage_hourly goes: the charged queries of an hour are its code-0 answers, which
 *   answer_stats_hourly already counts. Hours it alone still knows (older than the query log that
 *   0002 counted from) are carried over first;
 * - query_log_at goes: only retention read it, and retention now goes account by account through
 *   query_log_account_at;
 * - query_log_account_id goes: the log pages newest first by time (the id breaking ties) through
 *   query_log_account_at, which its time filters need anyway.
 */
import { type Migration, sql } from 'kysely';
import type { AnyDb } from './migration-kit.js';

export function lighterCommit(): Migration {
  return {
    async up(db: AnyDb) {
      await sql`
        update answer_stats_hourly
        set answers = (
          select u.queries from usage_hourly u
          where u.account_id = answer_stats_hourly.account_id and u.hour = answer_stats_hourly.hour
        )
        where code = 0 and answers < (
          select u.queries from usage_hourly u
          where u.account_id = answer_stats_hourly.account_id and u.hour = answer_stats_hourly.hour
        )
      `.execute(db);
      await sql`
        insert into answer_stats_hourly (account_id, hour, code, answers, ported)
        select u.account_id, u.hour, 0, u.queries, 0 from usage_hourly u
        where not exists (
          select 1 from answer_stats_hourly a
          where a.account_id = u.account_id and a.hour = u.hour and a.code = 0
        )
      `.execute(db);
      await db.schema.dropTable('usage_hourly').execute();
      await db.schema.dropIndex('query_log_at').execute();
      await db.schema.dropIndex('query_log_account_id').execute();
    },
  };
}
