import { PassThrough, Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { REASONS, ResultCode } from '../../core/result-codes.js';
import type { BatchChunkOutput, BatchJobStore } from '../../store/store.js';
import { ANSWER_COLUMNS, RESULT_COLUMNS } from '../../core/result-columns.js';
import { inertCell } from '../csv-cells.js';
import { decodeChunkOutput } from './chunk-output.js';

export { RESULT_COLUMNS } from '../../core/result-columns.js';
const NO_ANSWER = ANSWER_COLUMNS.map(() => '');

/** Chunks read from the store at a time: about 20,000 rows, whatever the size of the job. */
export const EXPORT_PAGE_CHUNKS = 20;

/** A row under RESULT_COLUMNS. */
export type ResultRow = [mobile: string, code: number, reason: string, ...cells: string[]];

function reasonOf(code: number): string {
  return REASONS[code as ResultCode] ?? '';
}

/**
 * A chunk's rows in entry order. Its code-0 answers past the count charged were refused for the
 * balance when the chunk was committed: they read -5 and show no carrier.
 */
export function chunkRows(chunk: BatchChunkOutput): ResultRow[] {
  let paid = 0;
  return decodeChunkOutput(chunk.output).map((answer): ResultRow => {
    const [mobile, code, ...cells] = answer;
    if (cells.length === 0 || code !== 0 || paid >= chunk.charged) {
      const shown = code === 0 ? ResultCode.InsufficientBalance : code;
      return [mobile, shown, reasonOf(shown), ...NO_ANSWER];
    }
    paid++;
    return [mobile, 0, reasonOf(0), ...cells.map((cell) => cell ?? '')];
  });
}

/** The results of the account's job a page of chunks at a time, so memory stays flat for 1M rows. */
export async function* resultPages(
  store: Pick<BatchJobStore, 'batchChunkOutputs'>,
  accountId: number,
  jobId: number,
): AsyncGenerator<ResultRow[]> {
  let from = 0;
  for (;;) {
    const chunks = await store.batchChunkOutputs(accountId, jobId, from, EXPORT_PAGE_CHUNKS);
    if (chunks.length === 0) return;
    yield chunks.flatMap(chunkRows);
    if (chunks.length < EXPORT_PAGE_CHUNKS) return;
    from = chunks[chunks.length - 1].chunkNo + 1;
  }
}

/** UTF-8 with a BOM, without which Excel reads Chinese text as mojibake. */
export function resultsCsv(pages: AsyncIterable<ResultRow[]>): Readable {
  return Readable.from(
    (async function* () {
      yield '\uFEFF' + stringify([[...RESULT_COLUMNS]]);
      for await (const rows of pages) yield stringify(rows.map((row) => row.map(inertCell)));
    })(),
  );
}

/** Resolves when `stream` wants more data, or is gone (the client went away). */
function drained(stream: PassThrough): Promise<void> {
  if (!stream.writableNeedDrain || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done).off('close', done);
      resolve();
    };
    stream.on('drain', done).on('close', done);
  });
}

/**
 * Written row by row by exceljs's streaming writer; between pages it waits for the client, since
 * the writer itself would buffer every row a slow client has not taken yet.
 */
export function resultsXlsx(pages: AsyncIterable<ResultRow[]>): Readable {
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: false,
    useSharedStrings: false,
  });
  const sheet = workbook.addWorksheet('results');
  void (async () => {
    try {
      sheet.addRow([...RESULT_COLUMNS]).commit();
      for await (const rows of pages) {
        // Empty cells stay empty rather than holding empty text.
        for (const row of rows) sheet.addRow(row.map((cell) => (cell === '' ? null : cell))).commit();
        await drained(out);
        if (out.destroyed) return;
      }
      sheet.commit();
      await workbook.commit();
    } catch (error) {
      out.destroy(error as Error);
    }
  })();
  return out;
}
