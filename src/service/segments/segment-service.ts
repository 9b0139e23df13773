/**
 * Segment data that changes while serving. The version in use is the store's (a segment file an
 * operator applied, kept with its bytes), or the server's own data when none is (MNPD_SEGMENTS, else
 * the embedded default); operators' corrections sit above whichever it is. A change made here is
 * recorded in the store first, then swapped into the live sources in one assignment, so no request
 * sees a mix of two tables. Every node (and a server beside the CLI) polls the store's revision and
 * loads what another process changed: the cluster follows like the portability feeds do.
 *
 * A file that cannot be read, or holds no segment, is refused before anything is recorded: a
 * broken file changes nothing.
 */
import { createHash } from 'node:crypto';
import type { SegmentDiff } from '../../core/segment-diff.js';
import { type SegmentCoverage, segmentCoverage } from '../../core/segment-coverage.js';
import { SegmentTable } from '../../core/segment-table.js';
import { DataFileError } from '../../data/data-file-error.js';
import { type OddRows, readSegmentsOffThread } from '../../data/segment-read.js';
import {
  type SegmentOverride,
  type SegmentState,
  type SegmentVersion,
  type SegmentVersionStore,
  StoreError,
} from '../../store/store.js';
import type { Log } from '../log.js';
import { SILENT_LOG } from '../log.js';
import { type Actor, actorLabel, auditEntry, auditOf } from '../operators/audit.js';
import { ServiceError } from '../service-error.js';
import { type OverrideInput, readOverride } from './override-input.js';
import { type SegmentUpdateReport, updateReport } from './segment-report.js';

/** How often a server looks for changes made by another process, by default. */
export const SEGMENTS_FOLLOW_MS = 2000;
/** Bytes per stored chunk of a segment file. */
export const SEGMENT_CHUNK_BYTES = 4 << 20;
/** The largest segment file taken: today's phone.dat is about 5 MB, a CSV of it about 25 MB. */
export const MAX_SEGMENT_FILE_BYTES = 64 << 20;
/** Parsed versions kept in memory, so that a rollback and a switch back cost no parse. */
const PARSED_KEPT = 3;

/** Where the segments a server answers from go: the live sources (absent for the CLI). */
export interface SegmentSink {
  replaceSegments(table: SegmentTable): void;
}

/** What is in use, for /readyz, /metrics, `mnpd data info` and the console. */
export interface SegmentsInUse {
  /** The store's version id, null for the server's own data. */
  versionId: number | null;
  /** The file's own version (`2502`). */
  dataVersion: string;
  source: string;
  segments: number;
  overrides: number;
  revision: number;
}

export interface SegmentServiceOptions {
  node: string;
  /** The server's own data: used when the store has no version in use. */
  base: SegmentTable;
  sink?: SegmentSink;
  followMs?: number;
}

function refusal(error: unknown): unknown {
  if (error instanceof StoreError)
    return new ServiceError(error.code === 'not_found' ? 'not_found' : 'invalid', error.message);
  return error;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function* chunksOf(bytes: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += SEGMENT_CHUNK_BYTES)
    yield bytes.subarray(at, at + SEGMENT_CHUNK_BYTES);
}

export class SegmentService {
  readonly #store: SegmentVersionStore;
  readonly #node: string;
  readonly #base: SegmentTable;
  readonly #sink: SegmentSink | undefined;
  readonly #followMs: number;
  readonly #parsed = new Map<number, SegmentTable>();
  #state: SegmentState = { activeVersionId: null, previousVersionId: null, revision: 0, changedAt: null };
  #raw: SegmentTable;
  #table: SegmentTable;
  #overrides: SegmentOverride[] = [];
  /** Loads run one after another: a poll and an operator's change must not swap out of order. */
  #queue: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #log: Log = SILENT_LOG;

  private constructor(store: SegmentVersionStore, options: SegmentServiceOptions) {
    this.#store = store;
    this.#node = options.node;
    this.#base = options.base;
    this.#sink = options.sink;
    this.#followMs = options.followMs ?? SEGMENTS_FOLLOW_MS;
    this.#raw = options.base;
    this.#table = options.base;
  }

  /** The service with the store's version and overrides loaded (and handed to the sink). */
  static async open(store: SegmentVersionStore, options: SegmentServiceOptions): Promise<SegmentService> {
    const service = new SegmentService(store, options);
    await service.sync();
    return service;
  }

  /** The table answers come from: the version in use with the overrides applied. */
  get table(): SegmentTable {
    return this.#table;
  }

  get inUse(): SegmentsInUse {
    return {
      versionId: this.#state.activeVersionId,
      dataVersion: this.#raw.version,
      source: this.#raw.source,
      segments: this.#table.size,
      overrides: this.#overrides.length,
      revision: this.#state.revision,
    };
  }

  coverage(): SegmentCoverage {
    return segmentCoverage(this.#table);
  }

  versions(): Promise<SegmentVersion[]> {
    return this.#store.listSegmentVersions();
  }

  overrides(): Promise<SegmentOverride[]> {
    return this.#store.listSegmentOverrides();
  }

  /** Reads and compares a file with the version in use; records and changes nothing. */
  async check(fileName: string, bytes: Uint8Array): Promise<SegmentUpdateReport> {
    const read = await this.#read(fileName, bytes);
    const overrides = await this.#store.listSegmentOverrides();
    return updateReport({ fileName, sha256: sha256(bytes) }, read.table, read.oddRows, read.diff, overrides);
  }

  /**
   * Reads a file, records it as a version and makes it the one in use, here at once and on every
   * other node at its next look. The report compares it with the version that was in use.
   */
  async update(actor: Actor, fileName: string, bytes: Uint8Array): Promise<SegmentUpdateReport> {
    this.#checkSize(bytes);
    return this.#inTurn(async () => {
      // In turn: compared with the version in use when it is applied, not when it arrived.
      const read = await this.#read(fileName, bytes);
      const digest = sha256(bytes);
      const overrides = await this.#store.listSegmentOverrides();
      const report = updateReport(
        { fileName, sha256: digest },
        read.table,
        read.oddRows,
        read.diff,
        overrides,
      );
      const version = await this.#store.addSegmentVersion(
        {
          createdBy: actorLabel(actor),
          node: this.#node,
          fileName,
          sha256: digest,
          dataVersion: read.table.version,
          segments: read.table.size,
          bytes: bytes.length,
        },
        chunksOf(bytes),
        auditOf(
          actor,
          'segments.update',
          (v) => `segments:${v.id}`,
          (v) => ({
            fileName,
            sha256: digest,
            dataVersion: v.dataVersion,
            segments: v.segments,
            added: report.diff.counts.added,
            removed: report.diff.counts.removed,
            changed: report.diff.changed,
          }),
        ),
      );
      this.#remember(version.id, this.#named(version, read.table));
      await this.#load();
      return { ...report, applied: version };
    });
  }

  /**
   * Puts an earlier version back in use: `version` by id, `'default'` for the server's own data, or
   * without one the version in use before the current one.
   */
  async rollback(actor: Actor, version?: number | 'default'): Promise<SegmentsInUse> {
    return this.#inTurn(async () => {
      let target: number | null;
      if (version === undefined) {
        const { previousVersionId } = await this.#store.segmentState();
        if (previousVersionId === null)
          throw new ServiceError('conflict', 'no earlier version to roll back to');
        target = previousVersionId === 0 ? null : previousVersionId;
      } else target = version === 'default' ? null : version;
      if (target !== null && !(await this.#store.getSegmentVersion(target)))
        throw new ServiceError('not_found', `no segment version ${target}`);
      // Read before it is in use: a version whose file is lost must not become the cluster's.
      if (target !== null) await this.#tableOf(target);
      const audit = auditEntry(
        actor,
        'segments.rollback',
        target === null ? 'segments:default' : `segments:${target}`,
        {
          from: this.#state.activeVersionId,
        },
      );
      await this.#store.activateSegmentVersion(target, audit).catch((error: unknown) => {
        throw refusal(error);
      });
      await this.#load();
      return this.inUse;
    });
  }

  async setOverride(actor: Actor, input: OverrideInput): Promise<SegmentOverride> {
    const { note, ...correction } = readOverride(input);
    return this.#inTurn(async () => {
      const set = await this.#store
        .setSegmentOverride(
          { ...correction, note, createdBy: actorLabel(actor) },
          auditOf(
            actor,
            'segments.override.set',
            (o) => `override:${o.id}`,
            (o) => ({
              prefixes: `${o.firstPrefix}-${o.lastPrefix}`,
              province: o.province,
              city: o.city,
              zip: o.zip,
              areaCode: o.areaCode,
              type: o.type,
              note: o.note,
            }),
          ),
        )
        .catch((error: unknown) => {
          throw refusal(error);
        });
      await this.#load();
      return set;
    });
  }

  async unsetOverride(actor: Actor, id: number): Promise<void> {
    return this.#inTurn(async () => {
      const existing = (await this.#store.listSegmentOverrides()).find((o) => o.id === id);
      if (!existing) throw new ServiceError('not_found', `no override ${id}`);
      const audit = auditEntry(actor, 'segments.override.unset', `override:${id}`, {
        prefixes: `${existing.firstPrefix}-${existing.lastPrefix}`,
      });
      if (!(await this.#store.removeSegmentOverride(id, audit)))
        throw new ServiceError('not_found', `no override ${id}`);
      await this.#load();
    });
  }

  /** Loads what the store says is in use when it changed since the last look. */
  sync(): Promise<void> {
    return this.#inTurn(async () => {
      const state = await this.#store.segmentState();
      if (state.revision !== this.#state.revision) await this.#load(state);
    });
  }

  /** Follows changes made by other processes, every `followMs`, until `close`. */
  start(log: Log): void {
    if (this.#closed) return;
    this.#log = log;
    const look = () => {
      void this.sync()
        .catch((error: unknown) => log.error({ err: error }, 'segment data: cannot follow the store'))
        .finally(() => {
          if (!this.#closed) this.#timer = setTimeout(look, this.#followMs).unref();
        });
    };
    this.#timer = setTimeout(look, this.#followMs).unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#queue.catch(() => undefined);
  }

  #checkSize(bytes: Uint8Array): void {
    if (bytes.length === 0) throw new ServiceError('invalid_file', 'the file is empty');
    if (bytes.length > MAX_SEGMENT_FILE_BYTES)
      throw new ServiceError(
        'too_large',
        `a segment file may have at most ${MAX_SEGMENT_FILE_BYTES >> 20} MiB`,
      );
  }

  /** Reads a file and compares it with the version in use, off the main thread. */
  async #read(
    fileName: string,
    bytes: Uint8Array,
  ): Promise<{ table: SegmentTable; oddRows: OddRows; diff: SegmentDiff }> {
    this.#checkSize(bytes);
    let done;
    try {
      done = await readSegmentsOffThread({
        file: { name: fileName, bytes },
        diffAgainst: this.#raw.pack(),
        corrections: [],
      });
    } catch (error) {
      if (error instanceof DataFileError) throw new ServiceError('invalid_file', error.message);
      throw error;
    }
    const table = SegmentTable.unpack(done.raw);
    if (table.size === 0)
      throw new ServiceError('invalid_file', `${fileName}: no segment of 1300000–1999999`);
    return { table, oddRows: done.oddRows!, diff: done.diff! };
  }

  #inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #remember(id: number, table: SegmentTable): void {
    this.#parsed.delete(id);
    this.#parsed.set(id, table);
    while (this.#parsed.size > PARSED_KEPT) this.#parsed.delete(this.#parsed.keys().next().value!);
  }

  async #tableOf(id: number): Promise<SegmentTable> {
    const kept = this.#parsed.get(id);
    if (kept) return kept;
    const [version, bytes] = await Promise.all([
      this.#store.getSegmentVersion(id),
      this.#store.segmentVersionFile(id),
    ]);
    if (!version || !bytes) throw new Error(`segment version ${id} is gone from the store`);
    const { raw } = await readSegmentsOffThread({ file: { name: version.fileName, bytes }, corrections: [] });
    const named = this.#named(version, SegmentTable.unpack(raw));
    this.#remember(id, named);
    return named;
  }

  #named(version: SegmentVersion, table: SegmentTable): SegmentTable {
    return table.relabel(table.version, `version ${version.id}: ${table.source} (${version.fileName})`);
  }

  /** Reads the store's state (or takes `given`), builds the table and swaps it in. */
  async #load(given?: SegmentState): Promise<void> {
    const state = given ?? (await this.#store.segmentState());
    const [raw, overrides] = await Promise.all([
      state.activeVersionId === null ? this.#base : this.#tableOf(state.activeVersionId),
      this.#store.listSegmentOverrides(),
    ]);
    const table =
      overrides.length === 0
        ? raw
        : SegmentTable.unpack(
            (await readSegmentsOffThread({ table: raw.pack(), corrections: overrides })).corrected!,
          );
    const changedVersion = state.activeVersionId !== this.#state.activeVersionId;
    this.#state = state;
    this.#raw = raw;
    this.#overrides = overrides;
    this.#table = table;
    this.#sink?.replaceSegments(table);
    if (changedVersion || given)
      this.#log.info(
        { version: state.activeVersionId, dataVersion: raw.version, overrides: overrides.length },
        'segment data in use',
      );
  }
}
