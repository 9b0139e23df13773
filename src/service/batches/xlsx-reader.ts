/**
 * Reads an .xlsx batch file in a worker thread with a bounded heap and a time limit, after its zip
 * directory says it unpacks to a sane size: a bomb fails its own thread and answers invalid_file,
 * while the server goes on answering.
 */
import { siblingModule, startWorker } from '../../platform/start-worker.js';
import { ServiceError } from '../service-error.js';
import { type BatchFileSummary, MAX_BATCH_FILE_BYTES, readBatchFile } from './batch-file.js';
import { checkXlsxArchive } from './xlsx-archive.js';
import type { XlsxAnswer, XlsxJob } from './xlsx-worker.js';

/** The heap one workbook may take while it is read: a million numbers need about a quarter of it. */
export const XLSX_WORKER_HEAP_MB = 512;
/** How long reading one workbook may take. */
export const XLSX_READ_TIMEOUT_MS = 120_000;

const WORKER = siblingModule('xlsx-worker', import.meta.url);

function unreadable(message: string): ServiceError {
  return new ServiceError('invalid_file', message);
}

export async function readXlsxBatchFile(
  fileName: string,
  content: Buffer,
  heapMb = XLSX_WORKER_HEAP_MB,
): Promise<BatchFileSummary> {
  if (content.length === 0 || content.length > MAX_BATCH_FILE_BYTES) return readBatchFile(fileName, content);
  await checkXlsxArchive(content);
  const copy = new Uint8Array(content);
  const job: XlsxJob = { fileName, content: copy };
  const worker = startWorker(WORKER, job, {
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.min(64, heapMb / 4) },
    transferList: [copy.buffer],
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done();
      void worker.terminate();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(unreadable(`the workbook takes longer than ${XLSX_READ_TIMEOUT_MS / 1000} s to read`)),
        ),
      XLSX_READ_TIMEOUT_MS,
    );
    worker.on('message', (answer: XlsxAnswer) =>
      settle(() => {
        if (answer.type === 'done') resolve(answer.summary);
        else if (answer.type === 'refused')
          reject(new ServiceError(answer.code, answer.message, answer.details));
        else reject(unreadable('the workbook cannot be read: it is damaged, or not an .xlsx workbook'));
      }),
    );
    worker.on('error', (error: Error & { code?: string }) =>
      settle(() =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? unreadable(`the workbook needs more than ${heapMb} MB to read: it is not a batch file`)
            : unreadable('the workbook cannot be read: it is damaged, or not an .xlsx workbook'),
        ),
      ),
    );
    worker.on('exit', () => settle(() => reject(unreadable('the workbook cannot be read'))));
  });
}
