/**
 * The portability database as operators change it: one way to import a feed whichever door it
 * came through (the console's upload, the CLI, the drop folder), recorded in the import history
 * and shared with the cluster; and the reload of a snapshot another process replaced.
 */
import type { ApplyProgress } from '../../data/ported-apply-worker.js';
import type { ApplyResult, FeedApplier, PortedDatabase } from '../../data/ported-database.js';
import { type FeedKind, FeedRejectedError } from '../../data/ported-feed.js';
import type { ImportOrigin } from '../../store/store.js';
import type { Actor } from '../operators/audit.js';
import { ServiceError } from '../service-error.js';
import type { ImportEnd, ImportHistory, TrackedImport } from './import-history.js';

export interface FeedUpload {
  /** The file on this node's disk. */
  path: string;
  /** The name people know it by. */
  fileName: string;
  kind: FeedKind;
  skipInvalid: boolean;
  /** A full snapshot's delta seq, when the operator gives it. */
  seq?: number;
  /** Parameters for the audit entry beyond kind and file (e.g. the upload's bytes). */
  details?: Record<string, unknown>;
  /**
   * Removes the file once it is applied or refused, before the end is recorded: whoever sees the
   * import ended sees its upload gone.
   */
  discard?: () => Promise<void>;
}

/** The import this process runs at the moment, and how far it got (0–1). */
export interface RunningImport {
  /** null while its file is still arriving. */
  id: number | null;
  progress: number;
}

/** Parsing is most of the work; the other phases get fixed shares of the bar. */
function progressOf({ phase, done, total }: ApplyProgress): number {
  switch (phase) {
    case 'loading snapshot':
      return 0;
    case 'reading':
      return 0.05;
    case 'parsing':
      return 0.1 + 0.7 * (total > 0 ? Math.min(1, done / total) : 0);
    case 'building':
      return 0.8;
    case 'writing snapshot':
      return 0.9;
  }
}

/** An upload as the import history records it: who, through which door, and its audit details. */
function trackedImport(actor: Actor, origin: ImportOrigin, upload: FeedUpload): TrackedImport {
  return {
    actor,
    origin,
    kind: upload.kind,
    fileName: upload.fileName,
    path: upload.path,
    details: { skipInvalid: upload.skipInvalid, ...upload.details },
  };
}

export class PortabilityService {
  #running: RunningImport | undefined;

  constructor(
    private readonly db: PortedDatabase,
    /** What applies a feed: the database, or the cluster's sharing in front of it. */
    private readonly applier: FeedApplier,
    private readonly history: ImportHistory,
  ) {}

  get state() {
    return this.db.state;
  }

  get node(): string {
    return this.history.node;
  }

  /** The import running in this process, if any. */
  get running(): RunningImport | undefined {
    return this.#running;
  }

  /**
   * Holds this process's one import slot before a file arrives (a second upload of gigabytes
   * would otherwise be refused only at its end); ServiceError conflict when an import runs.
   * The caller gives it back with `release` if it never starts one.
   */
  reserve(): RunningImport {
    if (this.#running)
      throw new ServiceError('conflict', 'a portability import is running; wait for it to finish');
    this.#running = { id: null, progress: 0 };
    return this.#running;
  }

  release(slot: RunningImport): void {
    if (this.#running === slot) this.#running = undefined;
  }

  /**
   * Records the import as started and applies it in the background on the reserved slot: `row`
   * is there at once, `done` once it ended (recorded, whatever happened). The slot is given back
   * when it ends.
   */
  async start(
    slot: RunningImport,
    actor: Actor,
    origin: ImportOrigin,
    upload: FeedUpload,
  ): Promise<{ row: ImportEnd['row']; done: Promise<ImportEnd> }> {
    const tracked = trackedImport(actor, origin, upload);
    const row = await this.history.start(tracked);
    slot.id = row.id;
    const done = this.#apply(upload, (progress) => (slot.progress = progressOf(progress))).then(
      async (outcome) => {
        await upload.discard?.().catch(() => undefined);
        return this.history.finish(row, tracked, outcome);
      },
    );
    return { row, done: done.finally(() => this.release(slot)) };
  }

  /** Imports a file and waits for the end: what the CLI and the drop folder do. */
  async importFile(
    actor: Actor,
    origin: ImportOrigin,
    upload: FeedUpload,
    onProgress?: (progress: ApplyProgress) => void,
  ): Promise<ImportEnd> {
    return this.history.track(trackedImport(actor, origin, upload), () =>
      this.#applyOrThrow(upload, onProgress),
    );
  }

  /**
   * Reads through a delta that waits for its predecessor, so that a broken one is refused now
   * rather than waiting for ever: FeedRejectedError for invalid rows, recorded in the history.
   */
  async checkWaitingDelta(actor: Actor, origin: ImportOrigin, upload: FeedUpload): Promise<void> {
    try {
      await this.db.checkDelta(upload.path, { skipInvalid: upload.skipInvalid });
    } catch (error) {
      if (error instanceof FeedRejectedError) {
        await this.history.track(trackedImport(actor, origin, upload), () => Promise.reject(error));
      }
      throw error;
    }
  }

  /** Reloads the snapshot when another process on this data directory replaced it. */
  reloadIfChanged(): Promise<ApplyResult | undefined> {
    return this.db.reloadIfChanged();
  }

  reload(): Promise<ApplyResult> {
    return this.db.reload();
  }

  async #apply(
    upload: FeedUpload,
    onProgress: (progress: ApplyProgress) => void,
  ): Promise<ApplyResult | { error: unknown }> {
    try {
      return await this.#applyOrThrow(upload, onProgress);
    } catch (error) {
      return { error };
    }
  }

  #applyOrThrow(upload: FeedUpload, onProgress?: (progress: ApplyProgress) => void): Promise<ApplyResult> {
    const options = { skipInvalid: upload.skipInvalid, onProgress };
    return upload.kind === 'full'
      ? this.applier.importFull(upload.path, {
          ...options,
          ...(upload.seq !== undefined && { seq: upload.seq }),
        })
      : this.applier.applyDelta(upload.path, options);
  }
}
