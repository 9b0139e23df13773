/**
 * Builds a new portability database off the main thread: reads the live snapshot and a feed,
 * builds the new index, writes the new snapshot, and hands the arrays back without copying.
 * The main thread keeps answering lookups from the old index the whole time.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { PortedIndex, applyChanges } from '../core/ported-index.js';
import { type NpdbMeta, readSnapshot, writeSnapshot } from './npdb-snapshot.js';
import { EMPTY_META } from './npdb-empty.js';
import { FeedFile, FeedGapError, type FeedReport, parseDeltaFeed, parseFullFeed } from './ported-feed.js';

export type ApplyJob =
  | { kind: 'load'; snapshotPath: string }
  /** Reads a delta through, as applying it would, without applying it: its rows' report. */
  | { kind: 'check'; snapshotPath: string; file: string; skipInvalid: boolean; appliedSeq: number }
  | { kind: 'full'; snapshotPath: string; file: string; skipInvalid: boolean; seq?: number }
  | { kind: 'delta'; snapshotPath: string; file: string; skipInvalid: boolean };

export interface ApplyDone {
  type: 'done';
  offsets: Uint32Array;
  keys: Uint16Array;
  days: Uint16Array;
  meta: NpdbMeta;
  report?: FeedReport;
  changed: boolean;
}

/** Long steps report how far they got; `total` 0 means a step without a measure. */
export interface ApplyProgress {
  type: 'progress';
  phase: 'reading' | 'parsing' | 'building' | 'writing snapshot' | 'loading snapshot';
  done: number;
  total: number;
}

function report(phase: ApplyProgress['phase'], done = 0, total = 0): void {
  const message: ApplyProgress = { type: 'progress', phase, done, total };
  parentPort?.postMessage(message);
}

export interface ApplyFailed {
  type: 'error';
  name: string;
  message: string;
  report?: FeedReport;
  expectedSeq?: number;
  firstSeq?: number;
  problem?: string;
}

async function current(snapshotPath: string): Promise<{ index: PortedIndex; meta: NpdbMeta }> {
  return existsSync(snapshotPath)
    ? readSnapshot(snapshotPath)
    : { index: PortedIndex.empty(), meta: EMPTY_META };
}

function newMeta(lastSeq: number, source: string): NpdbMeta {
  const createdAt = new Date().toISOString();
  return { dataVersion: createdAt.replace(/[-:]/g, '').slice(0, 15) + 'Z', lastSeq, createdAt, source };
}

/** A delta's rows, read without the database: invalid rows throw; a gap in seqs is no fault here. */
function checkDelta(job: Extract<ApplyJob, { kind: 'check' }>) {
  report('reading');
  const progress = (done: number, total: number) => report('parsing', done, total);
  let feedReport: FeedReport;
  try {
    ({ report: feedReport } = parseDeltaFeed(FeedFile.open(job.file), job.file, job.appliedSeq, {
      skipInvalid: job.skipInvalid,
      progress,
    }));
  } catch (error) {
    if (!(error instanceof FeedGapError)) throw error;
    feedReport = { kind: 'delta', rows: 0, valid: 0, invalid: 0, problems: [] };
  }
  return { index: PortedIndex.empty(), meta: EMPTY_META, report: feedReport, changed: false };
}

async function run(
  job: ApplyJob,
): Promise<Omit<ApplyDone, 'type' | 'offsets' | 'keys' | 'days'> & { index: PortedIndex }> {
  if (job.kind === 'check') return checkDelta(job);
  report('loading snapshot');
  const base = await current(job.snapshotPath);
  if (job.kind === 'load') return { ...base, changed: true };
  report('reading');
  const feed = FeedFile.open(job.file);
  const progress = (done: number, total: number) => report('parsing', done, total);
  if (job.kind === 'full') {
    const { index, report: feedReport } = parseFullFeed(feed, job.file, {
      skipInvalid: job.skipInvalid,
      progress,
    });
    const meta = newMeta(job.seq ?? base.meta.lastSeq, basename(job.file));
    report('writing snapshot');
    await writeSnapshot(job.snapshotPath, index, meta);
    return { index, meta, report: feedReport, changed: true };
  }
  const delta = parseDeltaFeed(feed, job.file, base.meta.lastSeq, {
    skipInvalid: job.skipInvalid,
    progress,
  });
  if (delta.lastSeq === base.meta.lastSeq) return { ...base, report: delta.report, changed: false };
  report('building');
  const index = applyChanges(base.index, delta.changes);
  const meta = newMeta(delta.lastSeq, basename(job.file));
  report('writing snapshot');
  await writeSnapshot(job.snapshotPath, index, meta);
  return { index, meta, report: delta.report, changed: true };
}

if (parentPort) {
  const port = parentPort;
  run(workerData as ApplyJob).then(
    ({ index, ...rest }) => {
      const { offsets, keys, days } = index.arrays();
      const buffers = [...new Set([offsets.buffer, keys.buffer, days.buffer])] as ArrayBuffer[];
      const done: ApplyDone = { type: 'done', offsets, keys, days, ...rest };
      port.postMessage(done, buffers);
    },
    (error: Error & Partial<ApplyFailed>) => {
      const failed: ApplyFailed = {
        type: 'error',
        name: error.name,
        message: error.message,
        report: error.report,
        expectedSeq: error.expectedSeq,
        firstSeq: error.firstSeq,
        problem: error.problem,
      };
      port.postMessage(failed);
    },
  );
}
