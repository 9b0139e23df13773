/**
 * The paging the store's listings share: newest first by id, `before` an id to continue below, and
 * `next` the id to pass as `before` for the following page. The query log pages by time instead
 * (see queryLog), with the same `before` and `next`.
 */
import { type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from './schema.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Page, type PageOptions, StoreError } from './store.js';

export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new StoreError('invalid', `page size ${limit}`);
  return Math.min(limit, MAX_PAGE_SIZE);
}

/** Rows fetched with one extra beyond `limit`: the extra one only tells whether a next page exists. */
export function toPage<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const page = rows.slice(0, limit);
  return { rows: page, next: rows.length > limit ? page[page.length - 1].id : null };
}

/** One page of `query`, newest first: it reads one table keyed by `id`, filtered as the caller wants. */
export async function newestFirst<
  TB extends keyof Database,
  Row extends { id: number },
  T extends { id: number },
>(
  query: SelectQueryBuilder<Database, TB, Row>,
  options: PageOptions,
  toRow: (row: Row) => T,
): Promise<Page<T>> {
  const limit = pageSize(options.limit);
  const { before } = options;
  const rows = await query
    .$if(before !== undefined, (qb) => qb.where(sql.ref('id'), '<', before!))
    .orderBy(sql.ref('id'), 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows.map(toRow), limit);
}
