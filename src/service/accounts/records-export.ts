/** An account's query log as a CSV file, for Excel: newest first, at most MAX_EXPORT_ROWS rows. */
import { stringify } from 'csv-stringify/sync';
import { MAX_PAGE_SIZE, type QueryLogFilter, type QueryLogStore } from '../../store/store.js';
import { inertCell } from '../csv-cells.js';

/** Rows of one CSV export; a longer history is exported in date ranges. */
export const MAX_EXPORT_ROWS = 100_000;

const CSV_HEADER = [
  'id',
  'at',
  'mobile',
  'code',
  'res',
  'init_isp',
  'now_isp',
  'client_ip',
  'latency_ms',
  'request_id',
];

/** The BOM (without which Excel reads Chinese as mojibake), the header, then the rows page by page. */
export async function* recordsCsv(
  store: Pick<QueryLogStore, 'queryLog'>,
  accountId: number,
  filter: QueryLogFilter,
): AsyncGenerator<string> {
  yield '\uFEFF' + stringify([CSV_HEADER]);
  let before = filter.before;
  let left = MAX_EXPORT_ROWS;
  while (left > 0) {
    const page = await store.queryLog(accountId, { ...filter, before, limit: Math.min(MAX_PAGE_SIZE, left) });
    if (page.rows.length === 0) return;
    yield stringify(
      page.rows.map((row) =>
        [
          row.id,
          row.at.toISOString(),
          row.mobile,
          row.code,
          row.res ?? '',
          row.initIsp ?? '',
          row.nowIsp ?? '',
          row.clientIp,
          row.latencyMs,
          row.requestId,
        ].map(inertCell),
      ),
    );
    left -= page.rows.length;
    if (page.next === null) return;
    before = page.next;
  }
}
