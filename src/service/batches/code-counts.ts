/**
 * How many of a job's answers have each code, for `GET /jobs/{id}` and the callback event.
 * Committed chunks never change and are committed in order, so a job's counts are kept per node
 * up to the last chunk counted: each look reads only the chunks committed since, not a million
 * rows again.
 */
import type { BatchJob, BatchJobStore } from '../../store/store.js';
import { EXPORT_PAGE_CHUNKS, chunkRows } from './batch-export.js';

/** Jobs whose counts are kept; the least recently looked at is dropped first. */
const MAX_JOBS_KEPT = 1000;

export type CodeCounts = Record<string, number>;

export type JobTallies = Pick<BatchJob, 'total' | 'invalid' | 'duplicates' | 'processed' | 'charged'>;

/** A job's tallies, as every view of it (console, API, callback event) shows them. */
export function jobTallies(job: BatchJob): JobTallies {
  const { total, invalid, duplicates, processed, charged } = job;
  return { total, invalid, duplicates, processed, charged };
}

interface Counted {
  /** The first chunk not counted yet. */
  nextChunk: number;
  counts: CodeCounts;
}

export class JobCodeCounts {
  readonly #kept = new Map<number, Counted>();

  constructor(private readonly store: Pick<BatchJobStore, 'batchChunkOutputs'>) {}

  /** Answers by code (`"0"`, `"-2"`, …) of the chunks committed so far. */
  async of(job: BatchJob): Promise<CodeCounts> {
    const kept = this.#kept.get(job.id) ?? { nextChunk: 0, counts: {} };
    // A copy is filled, so that two looks at once do not count a chunk twice.
    const counted: Counted = { nextChunk: kept.nextChunk, counts: { ...kept.counts } };
    for (;;) {
      const chunks = await this.store.batchChunkOutputs(
        job.accountId,
        job.id,
        counted.nextChunk,
        EXPORT_PAGE_CHUNKS,
      );
      for (const chunk of chunks) {
        // A chunk after a gap is not counted yet: the kept prefix must stay whole.
        if (chunk.chunkNo !== counted.nextChunk) break;
        for (const [, code] of chunkRows(chunk)) counted.counts[code] = (counted.counts[code] ?? 0) + 1;
        counted.nextChunk++;
      }
      if (chunks.length < EXPORT_PAGE_CHUNKS || chunks.at(-1)!.chunkNo + 1 !== counted.nextChunk) break;
    }
    this.#kept.delete(job.id);
    this.#kept.set(job.id, counted);
    if (this.#kept.size > MAX_JOBS_KEPT) this.#kept.delete(this.#kept.keys().next().value!);
    return { ...counted.counts };
  }
}
