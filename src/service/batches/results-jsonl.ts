import { Readable } from 'node:stream';
import { RESULT_COLUMNS } from '../../core/result-columns.js';
import type { ResultRow } from './batch-export.js';

/**
 * A job's results as JSON lines: one object per entry, keyed by the columns of the CSV, the code
 * a number, empty cells left out. Programs read it a line at a time, whatever the job's size.
 */
export function resultsJsonl(pages: AsyncIterable<ResultRow[]>): Readable {
  return Readable.from(
    (async function* () {
      for await (const rows of pages) {
        let text = '';
        for (const row of rows) {
          const record: Record<string, string | number> = {};
          row.forEach((cell, i) => {
            if (cell !== '') record[RESULT_COLUMNS[i]] = cell;
          });
          text += JSON.stringify(record) + '\n';
        }
        yield text;
      }
    })(),
  );
}
