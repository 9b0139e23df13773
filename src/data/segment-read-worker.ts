/**
 * Reads a segment file, compares it and applies corrections off the main thread: on 517k segments
 * each step is a few hundred milliseconds of CPU that would otherwise stall every request of a
 * server while it takes an update (or follows one made on another node).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type SegmentDiff, diffSegments } from '../core/segment-diff.js';
import { type SegmentCorrection, applyCorrections } from '../core/segment-overrides.js';
import { type PackedSegmentTable, SegmentTable } from '../core/segment-table.js';
import { DataFileError } from './data-file-error.js';
import type { ReportedRow } from './read-report.js';
import { parseSegmentFile } from './segment-source.js';

export interface SegmentReadJob {
  /** A file to read; else `table` is the table to correct. */
  file?: { name: string; bytes: Uint8Array };
  table?: PackedSegmentTable;
  /** Compares the file's table with this one. */
  diffAgainst?: PackedSegmentTable;
  corrections: readonly SegmentCorrection[];
}

export interface OddRows {
  total: number;
  summary: string[];
  rows: ReportedRow[];
}

export type SegmentReadAnswer =
  | {
      ok: true;
      /** The file's table (or `table`), before corrections. */
      raw: PackedSegmentTable;
      /** With the corrections applied; absent when there were none. */
      corrected?: PackedSegmentTable;
      oddRows?: OddRows;
      diff?: SegmentDiff;
    }
  | { ok: false; file: string; problem: string }
  | { ok: false; message: string };

function run(job: SegmentReadJob): SegmentReadAnswer {
  let raw: SegmentTable;
  let oddRows: OddRows | undefined;
  if (job.file) {
    try {
      const read = parseSegmentFile(job.file.name, job.file.bytes);
      raw = read.table;
      oddRows = { total: read.report.total, summary: read.report.summary(), rows: read.report.rows };
    } catch (error) {
      if (error instanceof DataFileError) return { ok: false, file: error.file, problem: error.problem };
      throw error;
    }
  } else if (job.table) raw = SegmentTable.unpack(job.table);
  else return { ok: false, message: 'nothing to read' };
  const diff = job.diffAgainst ? diffSegments(SegmentTable.unpack(job.diffAgainst), raw) : undefined;
  const corrected = job.corrections.length > 0 ? applyCorrections(raw, job.corrections).pack() : undefined;
  return { ok: true, raw: raw.pack(), corrected, oddRows, diff };
}

try {
  parentPort!.postMessage(run(workerData as SegmentReadJob));
} catch (error) {
  parentPort!.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
}
