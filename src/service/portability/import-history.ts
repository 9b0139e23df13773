/**
 * The import history: every portability feed this node applies is recorded with who sent it and
 * through which door (console, CLI, drop folder, cluster follower), how it ended and its report.
 */
import { DataFileError } from '../../data/data-file-error.js';
import type { ApplyResult } from '../../data/ported-database.js';
import { type FeedKind, FeedGapError, FeedRejectedError } from '../../data/ported-feed.js';
import type { DataImport, DataImportOutcome, DataImportStore, ImportOrigin } from '../../store/store.js';
import { type Actor, actorLabel, auditOf } from '../operators/audit.js';

export interface TrackedImport {
  actor: Actor;
  origin: ImportOrigin;
  kind: FeedKind;
  /** The name people know the file by (the upload's, the feed's), not its path on disk. */
  fileName: string;
  /** The path the feed's refusals name, replaced by `fileName` in the recorded message. */
  path?: string;
  /** Parameters for the audit entry (never a secret). */
  details?: Record<string, unknown>;
}

function appliedOutcome(result: ApplyResult, kind: FeedKind): DataImportOutcome {
  const report = result.report;
  const skipped = report && report.invalid > 0 ? `, ${report.invalid} invalid rows skipped` : '';
  const size = `the database has ${result.state.index.size} ported numbers`;
  const reportJson = report ? JSON.stringify(report) : null;
  if (!result.changed) {
    return {
      status: 'applied',
      rows: 0,
      message: 'every row was applied before; nothing changed',
      report: reportJson,
    };
  }
  const rows = (report?.valid ?? 0) - (report?.alreadyApplied ?? 0);
  const what =
    kind === 'full'
      ? `imported ${rows} numbers`
      : `applied seq ${report?.firstSeq}–${report?.lastSeq} (${rows} changes)`;
  const unshared =
    result.notShared === undefined ? '' : `; applied on this node only, not yet shared: ${result.notShared}`;
  return { status: 'applied', rows, message: `${what}${skipped}; ${size}${unshared}`, report: reportJson };
}

function failedOutcome(error: unknown, fileName: string, path: string | undefined): DataImportOutcome {
  const named = (message: string) => (path === undefined ? message : message.replaceAll(path, fileName));
  if (error instanceof FeedRejectedError) {
    const { report } = error;
    return {
      status: 'rejected',
      rows: 0,
      message: `${report.invalid} invalid rows of ${report.rows}; nothing applied (skipInvalid applies the valid ones)`,
      report: JSON.stringify(report),
    };
  }
  if (error instanceof DataFileError) {
    return { status: 'rejected', rows: 0, message: `${fileName}: ${error.problem}`, report: null };
  }
  if (error instanceof FeedGapError)
    return { status: 'rejected', rows: 0, message: named(error.message), report: null };
  return {
    status: 'failed',
    rows: 0,
    message: named((error as Error).message ?? String(error)),
    report: null,
  };
}

/** What a tracked import came to: its finished record, and the result or the error it met. */
export type ImportEnd =
  { ok: true; row: DataImport; result: ApplyResult } | { ok: false; row: DataImport; error: unknown };

export class ImportHistory {
  constructor(
    private readonly store: Pick<DataImportStore, 'createDataImport' | 'finishDataImport'>,
    /** This node, as the history names it (host and data directory). */
    readonly node: string,
  ) {}

  /** Records an import starting (with its audit entry when the actor is audited). */
  start(input: TrackedImport): Promise<DataImport> {
    const { actor, origin, kind, fileName } = input;
    return this.store.createDataImport(
      { node: this.node, operator: actorLabel(actor), origin, kind, fileName },
      auditOf(
        actor,
        'data.import',
        (row: DataImport) => `import:${row.id}`,
        () => ({
          kind,
          fileName,
          origin,
          ...input.details,
        }),
      ),
    );
  }

  /** Records how a started import ended. */
  async finish(
    row: DataImport,
    input: TrackedImport,
    outcome: ApplyResult | { error: unknown },
  ): Promise<ImportEnd> {
    if ('error' in outcome) {
      const finished = await this.store.finishDataImport(
        row.id,
        failedOutcome(outcome.error, input.fileName, input.path),
      );
      return { ok: false, row: finished, error: outcome.error };
    }
    const finished = await this.store.finishDataImport(row.id, appliedOutcome(outcome, input.kind));
    return { ok: true, row: finished, result: outcome };
  }

  /** Records, runs and records the end of `apply`; throws what `apply` threw, once recorded. */
  async track(input: TrackedImport, apply: () => Promise<ApplyResult>): Promise<ImportEnd> {
    const row = await this.start(input);
    let outcome: ApplyResult | { error: unknown };
    try {
      outcome = await apply();
    } catch (error) {
      outcome = { error };
    }
    return this.finish(row, input, outcome);
  }
}
