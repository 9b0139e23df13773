/**
 * Reads an .xlsx batch file off the main thread, under the memory limit its worker was started
 * with: a workbook that unpacks to more than that ends this thread, not the server.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ServiceError } from '../service-error.js';
import { readBatchFile } from './batch-file.js';

export interface XlsxJob {
  fileName: string;
  content: Uint8Array;
}

export type XlsxAnswer =
  | { type: 'done'; summary: Awaited<ReturnType<typeof readBatchFile>> }
  | { type: 'refused'; code: ServiceError['code']; message: string; details: Record<string, unknown> }
  | { type: 'failed' };

if (parentPort) {
  const port = parentPort;
  const { fileName, content } = workerData as XlsxJob;
  readBatchFile(fileName, Buffer.from(content.buffer, content.byteOffset, content.byteLength)).then(
    (summary) => port.postMessage({ type: 'done', summary } satisfies XlsxAnswer),
    (error: unknown) =>
      port.postMessage(
        (error instanceof ServiceError
          ? { type: 'refused', code: error.code, message: error.message, details: error.details }
          : { type: 'failed' }) satisfies XlsxAnswer,
      ),
  );
}
