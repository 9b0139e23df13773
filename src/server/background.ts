/**
 * What a server does besides answering: batch jobs, following the cluster's feeds, the drop
 * folder, picking up a snapshot another process wrote, and retention. Each runs on its own timer
 * and reports to the server's log; `stop` ends them all.
 */
import type { Log } from '../service/log.js';
import { watchInbox } from '../service/portability/inbox.js';
import type { ServerParts } from './server-parts.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Idempotency keys answer retries for this long. */
export const IDEMPOTENCY_RETENTION_MS = DAY_MS;
/** Uploaded batch files that were previewed but never started are dropped after this. */
export const DRAFT_RETENTION_MS = DAY_MS;

export interface Background {
  stop(): Promise<void>;
}

/** Deletes what is past its retention, now and every hour. */
function startRetention({ store, config }: ServerParts, log: Log): () => void {
  const prune = async () => {
    const now = Date.now();
    try {
      const removed = await store.prune({
        queryLogBefore: new Date(now - config.retentionDays * DAY_MS),
        idempotencyBefore: new Date(now - IDEMPOTENCY_RETENTION_MS),
        draftsBefore: new Date(now - DRAFT_RETENTION_MS),
      });
      if (removed > 0) log.info({ removed }, 'pruned query log and idempotency keys');
    } catch (error) {
      log.error({ err: error }, 'prune failed');
    }
  };
  const timer = setInterval(prune, HOUR_MS);
  timer.unref();
  void prune();
  return () => clearInterval(timer);
}

/**
 * Reloads the portability snapshot when another process replaced it (`mnpd data import-ported`
 * beside the server, another server on the same data directory): no signal needed.
 */
function startSnapshotWatch({ ported, config }: ServerParts, log: Log): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let round: Promise<void> = Promise.resolve();
  const look = () => {
    round = ported.service
      .reloadIfChanged()
      .then(
        (result) => {
          if (!result) return;
          const { meta, index } = result.state;
          log.info(
            { version: meta.dataVersion, count: index.size },
            'portability snapshot changed on disk: reloaded',
          );
        },
        (error: Error) =>
          log.error({ err: error }, 'portability snapshot changed on disk but cannot be reloaded'),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(look, config.snapshotWatchMs).unref();
      });
  };
  timer = setTimeout(look, config.snapshotWatchMs).unref();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await round;
  };
}

export function startBackground(parts: ServerParts, log: Log): Background {
  // Jobs left queued or running by a stopped process resume here.
  parts.batchJobs.start(log);
  // Callbacks of jobs that ended, and attempts due, including those a stopped process left.
  parts.callbacks.start(log);
  // Feeds this node applies are shared with the cluster; the other nodes' are followed from here on.
  parts.ported.sharing.start(log);
  const inbox = watchInbox(parts.ported.service, parts.config.dataDir, {
    intervalMs: parts.config.inboxIntervalMs,
    onOutcome: (outcome) =>
      log.info({ file: outcome.file, status: outcome.status, message: outcome.message }, 'inbox'),
    onError: (error) => log.error({ err: error }, 'inbox failed'),
  });
  const stopRetention = startRetention(parts, log);
  const stopWatch = startSnapshotWatch(parts, log);
  // Segment versions and overrides changed by another node or the CLI are loaded here.
  parts.segments.start(log);
  return {
    async stop() {
      inbox.close();
      stopRetention();
      await stopWatch();
      await parts.ported.sharing.close();
      await parts.segments.close();
    },
  };
}
