/**
 * The portability database of a cluster: every node keeps its own copy (a snapshot in its data
 * directory, an index in memory), and the shared store keeps the feeds that made them. A node that
 * applies a feed (a console upload, a file of its drop folder) records it in the store, file and
 * all; every node follows that log and applies the feeds it has not seen, in the log's order. A
 * node that joins later starts from the latest full snapshot of the log.
 *
 * A feed applied here that cannot be recorded (the store is away) is kept in `npdb/unshared/` and
 * recorded at the next look, before anything applied after it: the other nodes get every feed, in
 * the order this node applied them.
 */
import type { Log } from '../log.js';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, link, mkdir, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { basename, join } from 'node:path';
import type { ApplyOptions, ApplyResult, FeedApplier, PortedDatabase } from '../../data/ported-database.js';
import { DataFileError } from '../../data/data-file-error.js';
import { FeedGapError, FeedRejectedError, firstDeltaSeq } from '../../data/ported-feed.js';
import type { PortedFeed, PortedFeedStore } from '../../store/store.js';
import { fileHead } from './file-head.js';
import type { ImportHistory } from './import-history.js';

/** How often a node looks for feeds other nodes recorded. */
export const FOLLOW_INTERVAL_MS = 5000;
/** Bytes per stored chunk of a feed's file. */
export const STORED_CHUNK_BYTES = 4 << 20;
/** Feeds read from the log per look. */
const FEEDS_PER_LOOK = 100;
/** The last feed of the log this node has applied or passed, in `<data dir>/npdb/`. */
export const FOLLOWED_FILE = 'followed.json';
/** Feeds applied here and not yet recorded in the store, in `<data dir>/npdb/`. */
export const UNSHARED_DIR = 'unshared';

/** What is kept of a feed waiting to be recorded, beside its file. */
interface UnsharedFeed {
  kind: 'full' | 'delta';
  fileName: string;
  skipInvalid: boolean;
  seq?: number;
  /** Recorded with the feed: a node that stops between recording and forgetting it records it once. */
  origin: string;
}

export type SharingLog = Log;

export interface PortedSharingOptions {
  /** Record and follow feeds (a store shared by nodes); off, this node applies feeds on its own. */
  enabled: boolean;
  followMs?: number;
  /** Where sharing reports; the server's logger once it starts following. */
  log?: SharingLog;
  /** Where the feeds of other nodes applied here are recorded (origin `cluster`). */
  history?: ImportHistory;
}

export class PortedSharing implements FeedApplier {
  readonly #store: PortedFeedStore;
  readonly #history: ImportHistory | undefined;
  readonly #ported: PortedDatabase;
  readonly #node: string;
  readonly #enabled: boolean;
  readonly #followMs: number;
  readonly #followedPath: string;
  readonly #downloads: string;
  readonly #unshared: string;
  #log: SharingLog = { info: () => {}, warn: () => {}, error: () => {} };
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> = Promise.resolve();
  /**
   * Every change of `unshared/` (keeping a feed, recording the kept ones) runs after the one
   * before: a look at the kept feeds while one is half kept would take its file for a leftover.
   */
  #unsharedQueue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(store: PortedFeedStore, ported: PortedDatabase, node: string, options: PortedSharingOptions) {
    this.#store = store;
    this.#history = options.history;
    this.#ported = ported;
    this.#node = node;
    this.#enabled = options.enabled;
    this.#followMs = options.followMs ?? FOLLOW_INTERVAL_MS;
    if (options.log) this.#log = options.log;
    this.#followedPath = join(ported.directory, FOLLOWED_FILE);
    this.#downloads = join(ported.directory, 'following');
    this.#unshared = join(ported.directory, UNSHARED_DIR);
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  importFull(file: string, options: ApplyOptions & { seq?: number } = {}): Promise<ApplyResult> {
    return this.#applyAndShare('full', file, options);
  }

  applyDelta(file: string, options: ApplyOptions = {}): Promise<ApplyResult> {
    return this.#applyAndShare('delta', file, options);
  }

  /** Follows the log from now on (a first look at once): feeds recorded before it joined included. */
  start(log: SharingLog): void {
    if (!this.#enabled || this.#closed) return;
    this.#log = log;
    const look = () => {
      this.#round = this.#round
        .then(() => this.follow())
        .finally(() => {
          if (!this.#closed) this.#timer = setTimeout(look, this.#followMs).unref();
        });
    };
    look();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#round;
  }

  /**
   * One look at the log: applies, in order, the feeds after the last one this node followed; a
   * node that has followed nothing yet starts at the latest full snapshot. Stops at a feed that
   * cannot be applied yet (its delta predecessor is missing) and tries it again next time.
   */
  async follow(): Promise<void> {
    try {
      await this.#shareKept();
    } catch (error) {
      // Following others now would apply their feeds here after ours and there before them.
      this.#log.error({ err: error }, 'portability feeds applied here: still not shared');
      return;
    }
    try {
      let followed = await this.#followed();
      if (followed === 0) {
        const full = await this.#store.latestFullPortedFeed();
        if (full) followed = full.id - 1;
      }
      for (;;) {
        const feeds = await this.#store.portedFeedsAfter(followed, FEEDS_PER_LOOK);
        if (feeds.length === 0) return;
        for (const feed of feeds) {
          if (this.#closed) return;
          if (feed.node !== this.#node && !(await this.#applyFollowed(feed))) return;
          followed = feed.id;
          await this.#setFollowed(followed);
        }
      }
    } catch (error) {
      this.#log.error({ err: error }, 'portability feeds: cannot follow the log');
    }
  }

  async #applyAndShare(
    kind: 'full' | 'delta',
    file: string,
    options: ApplyOptions & { seq?: number },
  ): Promise<ApplyResult> {
    const result =
      kind === 'full'
        ? await this.#ported.importFull(file, options)
        : await this.#ported.applyDelta(file, options);
    if (!this.#enabled || !result.changed) return result;
    const feed = {
      kind,
      fileName: basename(file),
      skipInvalid: !!options.skipInvalid,
      // A snapshot without a seq keeps the seq of the node that applies it: the one it reached here
      // goes with it, or a node that was at another seq would take the next deltas differently.
      seq: kind === 'full' ? result.state.meta.lastSeq : undefined,
      origin: `${this.#node}/${randomUUID()}`,
    };
    try {
      await this.#inTurn(() => this.#keep(file, feed));
    } catch (error) {
      this.#log.error(
        { err: error, file: feed.fileName },
        'portability feed applied on this node but neither shared nor kept: apply it on the other nodes',
      );
      return { ...result, notShared: `${messageOf(error)}; apply the file on the other nodes` };
    }
    try {
      await this.#shareKept();
      return result;
    } catch (error) {
      this.#log.error(
        { err: error, file: feed.fileName },
        'portability feed applied on this node, not shared yet: kept, to be shared when the store answers',
      );
      return {
        ...result,
        notShared: `${messageOf(error)}; kept in ${UNSHARED_DIR}/ and shared when the store answers`,
      };
    }
  }

  /**
   * Keeps an applied feed until it is recorded: a link to its file (a copy across file systems),
   * named after the feeds kept before it. A full snapshot replaces what was kept before it.
   */
  async #keep(file: string, feed: UnsharedFeed): Promise<void> {
    await mkdir(this.#unshared, { recursive: true });
    const kept = await this.#kept();
    if (feed.kind === 'full') for (const name of kept) await this.#forget(name);
    const name = String((kept.length === 0 ? 0 : Number(kept[kept.length - 1])) + 1).padStart(12, '0');
    const path = join(this.#unshared, name);
    await link(file, `${path}.feed`).catch(() => copyFile(file, `${path}.feed`));
    // The description last: a feed without one was not kept whole, and is dropped (see #kept).
    await writeFile(`${path}.tmp`, JSON.stringify(feed));
    await rename(`${path}.tmp`, `${path}.json`);
  }

  /** The names of the feeds kept, oldest first; leftovers of a keep cut short are removed. */
  async #kept(): Promise<string[]> {
    if (!existsSync(this.#unshared)) return [];
    const files = await readdir(this.#unshared);
    const described = new Set(files.filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)));
    const complete = [...described].filter((name) => files.includes(`${name}.feed`));
    for (const name of described) {
      if (complete.includes(name)) continue;
      // Its description was written after its file: a file gone since cannot be shared, and
      // keeping the description would hold back every feed after it for good.
      this.#log.error({ feed: name }, 'portability feed kept without its file: cannot be shared, dropped');
    }
    for (const file of files) {
      if (!complete.includes(file.replace(/\.(feed|json|tmp)$/, '')))
        await rm(join(this.#unshared, file), { force: true });
    }
    return complete.sort();
  }

  async #forget(name: string): Promise<void> {
    await rm(join(this.#unshared, `${name}.json`), { force: true });
    await rm(join(this.#unshared, `${name}.feed`), { force: true });
  }

  #inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#unsharedQueue.then(work);
    this.#unsharedQueue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Records the kept feeds, oldest first; stops at the first that cannot be (throws). One at a
   * time: the follower and an import must not record the same kept feed twice.
   */
  #shareKept(): Promise<void> {
    return this.#inTurn(() => this.#recordKept());
  }

  async #recordKept(): Promise<void> {
    for (const name of await this.#kept()) {
      const path = join(this.#unshared, name);
      const kept = JSON.parse(await readFile(`${path}.json`, 'utf8')) as UnsharedFeed;
      const feed = await this.#store.addPortedFeed({ ...kept, node: this.#node }, fileChunks(`${path}.feed`));
      // A full snapshot replaces everything before it: no node needs those feeds any more.
      if (kept.kind === 'full') await this.#store.prunePortedFeeds(feed.id);
      await this.#forget(name);
      this.#log.info(
        { feedId: feed.id, kind: kept.kind, bytes: feed.bytes },
        'portability feed shared with the cluster',
      );
    }
  }

  /**
   * False when the feed must wait: its predecessor has not been applied here, or reading or
   * applying it failed for a reason that may pass (the next look tries it again).
   */
  async #applyFollowed(feed: PortedFeed): Promise<boolean> {
    await mkdir(this.#downloads, { recursive: true });
    const path = join(this.#downloads, `${feed.id}-${basename(feed.fileName)}`);
    try {
      // Chunk by chunk: a full snapshot's file can be larger than the memory it is worth using.
      const out = await open(path, 'w');
      try {
        for (let chunkNo = 0; chunkNo < feed.chunks; chunkNo++) {
          const data = await this.#store.portedFeedChunk(feed.id, chunkNo);
          if (!data) throw new Error(`feed ${feed.id} has lost its chunk ${chunkNo}`);
          await out.write(data);
        }
      } finally {
        await out.close();
      }
      if (feed.kind === 'delta' && (await this.#waitsForPredecessor(path))) {
        throw new FeedGapError(
          path,
          this.#ported.state.meta.lastSeq + 1,
          firstDeltaSeq(await fileHead(path))!,
        );
      }
      const result = await this.#applyRecorded(feed, path);
      this.#log.info(
        { feedId: feed.id, from: feed.node, kind: feed.kind, changed: result.changed },
        'portability feed of another node applied',
      );
      return true;
    } catch (error) {
      if (error instanceof FeedGapError) {
        this.#log.warn({ feedId: feed.id, err: error }, 'portability feed waits for its predecessor');
        return false;
      }
      if (error instanceof FeedRejectedError || error instanceof DataFileError) {
        // Its rows are what they are: a feed refused here would be refused every time.
        this.#log.error({ feedId: feed.id, err: error }, 'portability feed of another node refused, skipped');
        return true;
      }
      // The store, the disk or the worker failed: not the feed's fault, so it is tried again.
      this.#log.error({ feedId: feed.id, err: error }, 'portability feed of another node not applied yet');
      return false;
    } finally {
      await rm(path, { force: true });
    }
  }

  /** A delta starting past the next seq waits, unapplied and unrecorded, for the feed before it. */
  async #waitsForPredecessor(path: string): Promise<boolean> {
    const first = firstDeltaSeq(await fileHead(path));
    return first !== undefined && first > this.#ported.state.meta.lastSeq + 1;
  }

  /** Applies another node's feed here, recorded in this node's import history when it keeps one. */
  async #applyRecorded(feed: PortedFeed, path: string): Promise<ApplyResult> {
    const options = { skipInvalid: feed.skipInvalid, ...(feed.seq !== null && { seq: feed.seq }) };
    const apply = () =>
      feed.kind === 'full' ? this.#ported.importFull(path, options) : this.#ported.applyDelta(path, options);
    if (!this.#history) return apply();
    const end = await this.#history.track(
      {
        actor: { kind: 'system', name: `cluster:${feed.node}` },
        origin: 'cluster',
        kind: feed.kind,
        fileName: feed.fileName,
        path,
        details: { feedId: feed.id },
      },
      apply,
    );
    if (!end.ok) throw end.error;
    return end.result;
  }

  /** 0 when this node has followed nothing yet, or its record is unreadable: it starts over. */
  async #followed(): Promise<number> {
    if (!existsSync(this.#followedPath)) return 0;
    try {
      const { feedId } = JSON.parse(await readFile(this.#followedPath, 'utf8')) as { feedId?: unknown };
      return typeof feedId === 'number' && Number.isSafeInteger(feedId) && feedId > 0 ? feedId : 0;
    } catch {
      return 0;
    }
  }

  async #setFollowed(feedId: number): Promise<void> {
    const temporary = `${this.#followedPath}.tmp`;
    await writeFile(temporary, JSON.stringify({ feedId }) + '\n');
    await rename(temporary, this.#followedPath);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A file in chunks of STORED_CHUNK_BYTES. */
async function* fileChunks(file: string): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(file, { highWaterMark: STORED_CHUNK_BYTES }))
    yield chunk as Buffer;
}
