import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { siblingModule, startWorker } from '../platform/start-worker.js';
import { PortedIndex } from '../core/ported-index.js';
import { type NpdbMeta, readSnapshot, writeSnapshot } from './npdb-snapshot.js';
import type { ApplyDone, ApplyFailed, ApplyJob, ApplyProgress } from './ported-apply-worker.js';
import { EMPTY_META } from './npdb-empty.js';
import { DataFileError } from './data-file-error.js';
import { type FeedReport, FeedGapError, FeedRejectedError } from './ported-feed.js';
import { SnapshotError } from './npdb-snapshot.js';

/** What lookups read: one index and its description, replaced together by one assignment. */
export interface PortedState {
  readonly index: PortedIndex;
  readonly meta: NpdbMeta;
}

export interface ApplyResult {
  state: PortedState;
  report?: FeedReport;
  /** False when the feed held nothing new (e.g. a delta applied before). */
  changed: boolean;
  /**
   * Set by an applier that shares feeds with a cluster (PortedSharing) when this one is applied
   * here but not yet recorded for the other nodes: why. It is kept and recorded later.
   */
  notShared?: string;
}

export interface ApplyOptions {
  /** Apply the valid rows of a file with invalid ones, instead of refusing it whole. */
  skipInvalid?: boolean;
  onProgress?: (progress: ApplyProgress) => void;
}

export const SNAPSHOT_FILE = 'ported.snapshot';

/** What applies feed files: the database itself, or a node that also shares them (PortedSharing). */
export type FeedApplier = Pick<PortedDatabase, 'importFull' | 'applyDelta'>;

/** The live database of a data directory without opening it for changes; undefined if it has none. */
export async function readPortedState(dataDir: string): Promise<PortedState | undefined> {
  const snapshot = join(dataDir, 'npdb', SNAPSHOT_FILE);
  return existsSync(snapshot) ? readSnapshot(snapshot) : undefined;
}

const WORKER = siblingModule('ported-apply-worker', import.meta.url);

/** Errors cross the worker boundary as plain data; this gives them back their class. */
function rebuildError(failure: ApplyFailed, file: string): Error {
  switch (failure.name) {
    case 'FeedRejectedError':
      return new FeedRejectedError(file, failure.report!);
    case 'FeedGapError':
      return new FeedGapError(file, failure.expectedSeq!, failure.firstSeq!);
    case 'DataFileError':
      return new DataFileError(file, failure.problem!);
    case 'SnapshotError':
      return new SnapshotError(failure.message);
    default:
      return new Error(failure.message);
  }
}

/**
 * The portability database of a data directory: its snapshot on disk and the live index in
 * memory. Changes build in a worker beside the live index and are swapped in between two lookups;
 * the snapshot on disk is replaced atomically, so a crash at any point leaves the previous
 * database whole. One change at a time, across processes too (a lock in the data directory).
 */
export class PortedDatabase {
  #state: PortedState;
  #queue: Promise<unknown> = Promise.resolve();
  /** The snapshot file as this process last wrote or read it (see `reloadIfChanged`). */
  #stamp: string;

  private constructor(
    readonly directory: string,
    state: PortedState,
    stamp: string,
  ) {
    this.#state = state;
    this.#stamp = stamp;
  }

  /** `<dataDir>/npdb`, created if missing; loads its snapshot, refusing a corrupt one. */
  static async open(dataDir: string): Promise<PortedDatabase> {
    const directory = join(dataDir, 'npdb');
    await mkdir(directory, { recursive: true });
    const snapshot = join(directory, SNAPSHOT_FILE);
    const stamp = await snapshotStamp(snapshot);
    const state = existsSync(snapshot)
      ? await readSnapshot(snapshot)
      : { index: PortedIndex.empty(), meta: EMPTY_META };
    return new PortedDatabase(directory, state, stamp);
  }

  get state(): PortedState {
    return this.#state;
  }

  get snapshotPath(): string {
    return join(this.directory, SNAPSHOT_FILE);
  }

  /** Replaces the whole database with a full snapshot CSV; `seq` sets the delta seq it is as of. */
  importFull(file: string, options: ApplyOptions & { seq?: number } = {}): Promise<ApplyResult> {
    const job: ApplyJob = {
      kind: 'full',
      snapshotPath: this.snapshotPath,
      file,
      skipInvalid: !!options.skipInvalid,
      seq: options.seq,
    };
    return this.#apply(job, options.onProgress);
  }

  /** Applies a delta CSV after the last applied seq. */
  applyDelta(file: string, options: ApplyOptions = {}): Promise<ApplyResult> {
    const job: ApplyJob = {
      kind: 'delta',
      snapshotPath: this.snapshotPath,
      file,
      skipInvalid: !!options.skipInvalid,
    };
    return this.#apply(job, options.onProgress);
  }

  /**
   * Reads a delta through without applying it (in a worker, without the lock): FeedRejectedError
   * for invalid rows, as applying it would; a delta that must wait for its predecessor passes.
   */
  async checkDelta(file: string, options: { skipInvalid?: boolean } = {}): Promise<void> {
    await runWorker({
      kind: 'check',
      snapshotPath: this.snapshotPath,
      file,
      skipInvalid: !!options.skipInvalid,
      appliedSeq: this.#state.meta.lastSeq,
    });
  }

  /** Picks up a snapshot another process wrote (e.g. `mnpd data apply-delta` beside a server). */
  reload(): Promise<ApplyResult> {
    return this.#apply({ kind: 'load', snapshotPath: this.snapshotPath });
  }

  /**
   * Reloads when another process (the CLI, another server on the same data directory) replaced
   * the snapshot since this one last wrote or read it; cheap when nothing changed (one stat).
   */
  async reloadIfChanged(): Promise<ApplyResult | undefined> {
    if ((await snapshotStamp(this.snapshotPath)) === this.#stamp) return undefined;
    return this.#exclusive(async () => {
      if ((await snapshotStamp(this.snapshotPath)) === this.#stamp) return undefined;
      return this.#run({ kind: 'load', snapshotPath: this.snapshotPath });
    });
  }

  /** Replaces the database with an index built in this process (the synthetic generator). */
  replace(index: PortedIndex, source: string, lastSeq = this.#state.meta.lastSeq): Promise<ApplyResult> {
    return this.#exclusive(async () => {
      const createdAt = new Date().toISOString();
      const meta: NpdbMeta = {
        dataVersion: createdAt.replace(/[-:]/g, '').slice(0, 15) + 'Z',
        lastSeq,
        createdAt,
        source,
      };
      await writeSnapshot(this.snapshotPath, index, meta);
      this.#stamp = await snapshotStamp(this.snapshotPath);
      this.#state = { index, meta };
      return { state: this.#state, changed: true };
    });
  }

  #apply(job: ApplyJob, onProgress?: (progress: ApplyProgress) => void): Promise<ApplyResult> {
    return this.#exclusive(() => this.#run(job, onProgress));
  }

  /** Runs a job in the worker; called holding the lock, so the snapshot it leaves is the one stamped. */
  async #run(job: ApplyJob, onProgress?: (progress: ApplyProgress) => void): Promise<ApplyResult> {
    const done = await runWorker(job, onProgress);
    this.#stamp = await snapshotStamp(this.snapshotPath);
    const index = PortedIndex.fromArrays(
      { offsets: done.offsets, keys: done.keys, days: done.days },
      { validate: false },
    );
    if (done.changed || done.meta.dataVersion !== this.#state.meta.dataVersion)
      this.#state = { index, meta: done.meta };
    return { state: this.#state, report: done.report, changed: done.changed };
  }

  /** A process killed while writing a snapshot leaves its temporary file; the lock makes it safe to remove. */
  async #removeAbandonedTemporaries(): Promise<void> {
    for (const name of await readdir(this.directory)) {
      if (name.startsWith(`${SNAPSHOT_FILE}.tmp-`)) await rm(join(this.directory, name), { force: true });
    }
  }

  /** Runs changes one after another, holding the data directory's lock. */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(async () => {
      const release = await lockfile.lock(this.directory, {
        lockfilePath: join(this.directory, '.lock'),
        retries: { retries: 600, minTimeout: 100, maxTimeout: 1000 },
        stale: 5_000,
      });
      try {
        await this.#removeAbandonedTemporaries();
        return await work();
      } finally {
        await release();
      }
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }
}

/** What tells one snapshot file from its replacement: it is always renamed into place, a new inode. */
async function snapshotStamp(path: string): Promise<string> {
  try {
    const { ino, size, mtimeMs } = await stat(path);
    return `${ino}:${size}:${mtimeMs}`;
  } catch {
    return 'none';
  }
}

function runWorker(job: ApplyJob, onProgress?: (progress: ApplyProgress) => void): Promise<ApplyDone> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(WORKER, job);
    let settled = false;
    worker.on('message', (message: ApplyDone | ApplyFailed | ApplyProgress) => {
      if (message.type === 'progress') {
        onProgress?.(message);
        return;
      }
      settled = true;
      if (message.type === 'done') resolve(message);
      else reject(rebuildError(message, 'file' in job ? job.file : job.snapshotPath));
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`portability worker exited with code ${code} before answering`));
    });
  });
}
