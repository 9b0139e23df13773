import { siblingModule, startWorker } from '../platform/start-worker.js';
import { DataFileError } from './data-file-error.js';
import type { SegmentReadAnswer, SegmentReadJob } from './segment-read-worker.js';

export type { OddRows, SegmentReadJob } from './segment-read-worker.js';

const WORKER = siblingModule('segment-read-worker', import.meta.url);

export type SegmentReadDone = Extract<SegmentReadAnswer, { ok: true }>;

/** Runs a segment read on a worker thread; DataFileError for a file that cannot be read. */
export function readSegmentsOffThread(job: SegmentReadJob): Promise<SegmentReadDone> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(WORKER, job);
    let settled = false;
    worker.once('message', (answer: SegmentReadAnswer) => {
      settled = true;
      if (answer.ok) resolve(answer);
      else if ('problem' in answer) reject(new DataFileError(answer.file, answer.problem));
      else reject(new Error(`segment worker: ${answer.message}`));
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`segment worker exited with code ${code} before answering`));
    });
  });
}
