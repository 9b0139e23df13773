/** What customers and operators read about answered queries: the log, hourly usage and answer counts. */
import { newestFirst, pageSize } from './paging.js';
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

export async function queryLog(
  { db, traits }: StoreContext,
  accountId: number,
  filter: QueryLogFilter,
): Promise<Page<QueryLogRow & { id: number }>> {
  const { from, to, code, mobile } = filter;
  if (code !== undefined && !Number.isSafeInteger(code)) throw new StoreError('invalid', `code ${code}`);
  const query = db
    .selectFrom('query_log')
    .selectAll()
    .where('account_id', '=', accountId)
    .$if(from !== undefined, (qb) => qb.where('at', '>=', traits.toDb(from!)))
    .$if(to !== undefined, (qb) => qb.where('at', '<', traits.toDb(to!)))
    .$if(code !== undefined, (qb) => qb.where('code', '=', code!))
    .$if(mobile !== undefined, (qb) => qb.where('mobile', '=', mobile!));
  return newestFirst(query, filter, toQueryLogRow);
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
