/**
 * An uploaded batch file read as its type asks: text and CSV on this thread (they are streamed and
 * bounded by the upload's size), a workbook in a worker under a memory bound. Uploads read at once
 * are bounded too, per account and per node, so ten bombs at once cannot add up.
 */
import { extname } from 'node:path';
import { ServiceError } from '../service-error.js';
import { type BatchFileSummary, readBatchFile } from './batch-file.js';
import { readXlsxBatchFile } from './xlsx-reader.js';

/** Files of one account read at the same time. */
export const MAX_READS_PER_ACCOUNT = 1;
/** Files read at the same time on this node, whatever their accounts. */
export const MAX_READS_PER_NODE = 2;

export class UploadReader {
  readonly #reading = new Map<number, number>();
  #total = 0;

  async read(accountId: number, fileName: string, content: Buffer): Promise<BatchFileSummary> {
    if ((this.#reading.get(accountId) ?? 0) >= MAX_READS_PER_ACCOUNT || this.#total >= MAX_READS_PER_NODE) {
      throw new ServiceError('busy', 'another batch file is being read; send this one again in a moment');
    }
    this.#reading.set(accountId, (this.#reading.get(accountId) ?? 0) + 1);
    this.#total++;
    try {
      return extname(fileName).toLowerCase() === '.xlsx'
        ? await readXlsxBatchFile(fileName, content)
        : await readBatchFile(fileName, content);
    } finally {
      this.#total--;
      const left = (this.#reading.get(accountId) ?? 1) - 1;
      if (left === 0) this.#reading.delete(accountId);
      else this.#reading.set(accountId, left);
    }
  }
}
