/** What an operator reads before and after a segment update: the file, what changes, what is now moot. */
import type { SegmentDiff } from '../../core/segment-diff.js';
import { correctionAgrees } from '../../core/segment-overrides.js';
import type { SegmentTable } from '../../core/segment-table.js';
import type { ReportedRow } from '../../data/read-report.js';
import type { OddRows } from '../../data/segment-read.js';
import type { SegmentOverride, SegmentVersion } from '../../store/store.js';

/** Odd rows listed one by one in a report; the rest are counted. */
const REPORTED_ODD_ROWS = 20;

export interface SegmentUpdateReport {
  fileName: string;
  sha256: string;
  /** The file's own version (`2502`, `csv`). */
  dataVersion: string;
  segments: number;
  /** What the reader mended or skipped, never fatal. */
  oddRows: { total: number; summary: string[]; examples: ReportedRow[] };
  /** Against the version in use, before overrides. */
  diff: SegmentDiff;
  /** Overrides the new data says the same as: they can be removed. */
  overridesNowAgreeing: SegmentOverride[];
  /** The version recorded and now in use; absent for a check that applied nothing. */
  applied?: SegmentVersion;
}

export function updateReport(
  file: { fileName: string; sha256: string },
  next: SegmentTable,
  oddRows: OddRows,
  diff: SegmentDiff,
  overrides: readonly SegmentOverride[],
): SegmentUpdateReport {
  return {
    fileName: file.fileName,
    sha256: file.sha256,
    dataVersion: next.version,
    segments: next.size,
    oddRows: {
      total: oddRows.total,
      summary: oddRows.summary,
      examples: oddRows.rows.slice(0, REPORTED_ODD_ROWS),
    },
    diff,
    overridesNowAgreeing: overrides.filter((override) => correctionAgrees(next, override)),
  };
}
