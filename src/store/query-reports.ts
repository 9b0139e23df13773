/** What customers and operators read about answered queries: the log, hourly usage and answer counts. */
import { pageSize, toPage } from './paging.js';
import { toAnswerStatsHour, toDate, toQueryLogRow } from './rows.js';
import type { StoreContext } from './store-context.js';
import {
  type AnswerStatsHour,
  type Page,
  type QueryLogFilter,
  type QueryLogRow,
  StoreError,
  type UsageHour,
} from './store.js';

/**
 * One page of an account's log, newest first by time, the id breaking ties: the order of
 * query_log_account_at, so that neither paging nor a time filter needs another index, which every
 * group commit would pay for. `before` is the id of the last row of the previous page; an id that is
 * no row of the account (gone with retention, or any number) continues below that id.
 */
export async function queryLog(
  { db, traits }: StoreContext,
  accountId: number,
  filter: QueryLogFilter,
): Promise<Page<QueryLogRow & { id: number }>> {
  const { from, to, code, mobile, before } = filter;
  if (code !== undefined && !Number.isSafeInteger(code)) throw new StoreError('invalid', `code ${code}`);
  const limit = pageSize(filter.limit);
  if (before !== undefined && !Number.isSafeInteger(before))
    throw new StoreError('invalid', `before ${before}`);
  const cursor =
    before === undefined
      ? undefined
      : await db
          .selectFrom('query_log')
          .select('at')
          .where('id', '=', before)
          .where('account_id', '=', accountId)
          .executeTakeFirst();
  const rows = await db
    .selectFrom('query_log')
    .selectAll()
    .where('account_id', '=', accountId)
    .$if(from !== undefined, (qb) => qb.where('at', '>=', traits.toDb(from!)))
    .$if(to !== undefined, (qb) => qb.where('at', '<', traits.toDb(to!)))
    .$if(code !== undefined, (qb) => qb.where('code', '=', code!))
    .$if(mobile !== undefined, (qb) => qb.where('mobile', '=', mobile!))
    .$if(cursor !== undefined, (qb) =>
      qb
        .where('at', '<=', cursor!.at)
        .where((eb) => eb.or([eb('at', '<', cursor!.at), eb('id', '<', before!)])),
    )
    .$if(before !== undefined && cursor === undefined, (qb) => qb.where('id', '<', before!))
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows.map(toQueryLogRow), limit);
}

/** Charged queries are the code-0 answers (see planCharges), which the answer statistics count. */
export async function usage(
  { db, traits }: StoreContext,
  accountId: number,
  from: Date,
  to: Date,
): Promise<UsageHour[]> {
  const rows = await db
    .selectFrom('answer_stats_hourly')
    .select(['account_id', 'hour', 'answers'])
    .where('account_id', '=', accountId)
    .where('code', '=', 0)
    .where('hour', '>=', traits.toDb(from))
    .where('hour', '<', traits.toDb(to))
    .orderBy('hour')
    .execute();
  return rows.map((row) => ({ accountId: row.account_id, hour: toDate(row.hour), queries: row.answers }));
}

export async function answerStats(
  { db, traits }: StoreContext,
  accountId: number | null,
  from: Date,
  to: Date,
): Promise<AnswerStatsHour[]> {
  const rows = await db
    .selectFrom('answer_stats_hourly')
    .selectAll()
    .$if(accountId !== null, (qb) => qb.where('account_id', '=', accountId!))
    .where('hour', '>=', traits.toDb(from))
    .where('hour', '<', traits.toDb(to))
    .orderBy('hour')
    .orderBy('account_id')
    .orderBy('code')
    .execute();
  return rows.map(toAnswerStatsHour);
}

export async function topAccounts(
  { db, traits }: StoreContext,
  from: Date,
  to: Date,
  limit: number,
): Promise<{ accountId: number; name: string; queries: number }[]> {
  const rows = await db
    .selectFrom('answer_stats_hourly as u')
    .innerJoin('accounts as a', 'a.id', 'u.account_id')
    .select(['u.account_id', 'a.name'])
    .select((eb) => eb.fn.sum<number>('u.answers').as('queries'))
    .where('u.code', '=', 0)
    .where('u.hour', '>=', traits.toDb(from))
    .where('u.hour', '<', traits.toDb(to))
    .groupBy(['u.account_id', 'a.name'])
    .orderBy('queries', 'desc')
    .orderBy('u.account_id')
    .limit(pageSize(limit))
    .execute();
  return rows.map((row) => ({ accountId: row.account_id, name: row.name, queries: Number(row.queries) }));
}
