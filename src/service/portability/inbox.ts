import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type FeedKind,
  type FeedReport,
  FeedGapError,
  FeedRejectedError,
  detectFeedKind,
  firstDeltaSeq,
} from '../../data/ported-feed.js';
import type { Actor } from '../operators/audit.js';
import { fileHead } from './file-head.js';
import type { PortabilityService } from './portability-service.js';

/**
 * The drop folder: feeds placed in `<data dir>/inbox/` are applied in name order (full snapshots
 * and deltas alike) and moved to `archive/` or `failed/` with a report beside them. A delta that
 * comes before its predecessor waits in the inbox until the missing one has been applied.
 * Writers should write elsewhere (or to a `.part` name) and rename into the inbox.
 */
export type InboxStatus = 'applied' | 'unchanged' | 'failed' | 'waiting';

export interface InboxOutcome {
  file: string;
  kind?: FeedKind;
  status: InboxStatus;
  message: string;
  report?: FeedReport;
}

export const INBOX = 'inbox';
export const ARCHIVE = 'archive';
export const FAILED = 'failed';

function isPending(name: string): boolean {
  return !name.startsWith('.') && !name.endsWith('.part') && !name.endsWith('.tmp');
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, 'Z');
}

async function file(dir: string, name: string, outcome: InboxOutcome): Promise<void> {
  const target = join(dir, `${stamp()}-${name}`);
  await rename(join(dir, '..', INBOX, name), target);
  await writeFile(`${target}.report.json`, JSON.stringify(outcome, null, 2) + '\n');
}

/** Who applies the drop folder's files, as the import history and the audit log name it. */
export const INBOX_ACTOR: Actor = { kind: 'system', name: 'inbox' };

/**
 * Deltas found waiting for their predecessor and read through once, by name, with the size and
 * time of the file that was read: a waiting file that has not changed is not read again.
 */
export type CheckedWaiting = Map<string, string>;

async function applyOne(
  service: PortabilityService,
  dataDir: string,
  name: string,
  options: { skipInvalid: boolean; checked: CheckedWaiting },
): Promise<Omit<InboxOutcome, 'file'>> {
  const path = join(dataDir, INBOX, name);
  const upload = (kind: FeedKind) => ({ path, fileName: name, kind, skipInvalid: options.skipInvalid });
  let kind: FeedKind | undefined;
  try {
    const head = await fileHead(path);
    kind = detectFeedKind(head);
    // A delta whose predecessors have not come yet waits, unapplied and unrecorded, once its rows
    // are known to be valid: a broken one is refused now rather than waiting for ever.
    const first = kind === 'delta' ? firstDeltaSeq(head) : undefined;
    const next = service.state.meta.lastSeq + 1;
    if (first !== undefined && first > next) {
      const { size, mtimeMs } = await stat(path);
      if (options.checked.get(name) !== `${size}:${mtimeMs}`) {
        await service.checkWaitingDelta(INBOX_ACTOR, 'inbox', upload(kind));
        options.checked.set(name, `${size}:${mtimeMs}`);
      }
      return {
        kind,
        status: 'waiting',
        message: `starts at seq ${first}; waiting for seq ${next}–${first - 1}`,
      };
    }
    options.checked.delete(name);
    const end = await service.importFile(INBOX_ACTOR, 'inbox', upload(kind));
    if (!end.ok) throw end.error;
    const result = end.result;
    const report = result.report;
    const invalid = report && report.invalid > 0 ? `, ${report.invalid} invalid rows skipped` : '';
    const unshared = result.notShared === undefined ? '' : `; not yet shared: ${result.notShared}`;
    return result.changed
      ? {
          kind,
          status: 'applied',
          message: `applied ${report?.valid ?? 0} rows${invalid}; database has ${result.state.index.size} numbers${unshared}`,
          report,
        }
      : { kind, status: 'unchanged', message: 'every row was applied before; nothing changed', report };
  } catch (error) {
    options.checked.delete(name);
    if (error instanceof FeedGapError) return { kind, status: 'waiting', message: error.message };
    const report = error instanceof FeedRejectedError ? error.report : undefined;
    return { kind, status: 'failed', message: (error as Error).message, report };
  }
}

/** Applies what the inbox holds now; returns what happened to each file, waiting ones included. */
export async function processInbox(
  service: PortabilityService,
  dataDir: string,
  options: { skipInvalid?: boolean; checked?: CheckedWaiting } = {},
): Promise<InboxOutcome[]> {
  const checked = options.checked ?? new Map<string, string>();
  const inbox = join(dataDir, INBOX);
  for (const dir of [INBOX, ARCHIVE, FAILED]) await mkdir(join(dataDir, dir), { recursive: true });
  const outcomes = new Map<string, InboxOutcome>();
  // Another pass after any success: a delta waiting for its predecessor may be next now.
  for (let progress = true; progress;) {
    progress = false;
    const names = (await readdir(inbox)).filter(isPending).sort();
    for (const name of names) {
      if (!(await stat(join(inbox, name))).isFile()) continue;
      const outcome: InboxOutcome = {
        file: name,
        ...(await applyOne(service, dataDir, name, { skipInvalid: !!options.skipInvalid, checked })),
      };
      outcomes.set(name, outcome);
      if (outcome.status === 'waiting') continue;
      await file(join(dataDir, outcome.status === 'failed' ? FAILED : ARCHIVE), name, outcome);
      if (outcome.status === 'applied') progress = true;
    }
  }
  return [...outcomes.values()];
}

/** Polls the inbox; each pass runs after the previous one has finished. */
export function watchInbox(
  service: PortabilityService,
  dataDir: string,
  options: {
    intervalMs?: number;
    skipInvalid?: boolean;
    onOutcome?: (outcome: InboxOutcome) => void;
    onError?: (error: Error) => void;
  } = {},
): { close(): void } {
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const waitingReported = new Set<string>();
  const checked: CheckedWaiting = new Map();
  const pass = async () => {
    try {
      for (const outcome of await processInbox(service, dataDir, { ...options, checked })) {
        // A waiting delta is reported once, not at every poll.
        if (outcome.status === 'waiting' && waitingReported.has(outcome.file)) continue;
        if (outcome.status === 'waiting') waitingReported.add(outcome.file);
        else waitingReported.delete(outcome.file);
        options.onOutcome?.(outcome);
      }
    } catch (error) {
      options.onError?.(error as Error);
    }
    if (!closed) timer = setTimeout(pass, options.intervalMs ?? 2000);
  };
  timer = setTimeout(pass, 0);
  return {
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
