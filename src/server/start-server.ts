import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { ChargeBatcher } from '../billing/charge-batcher.js';
import { PortedDatabase } from '../data/ported-database.js';
import { watchInbox } from '../data/ported-inbox.js';
import { loadSegments } from '../data/segment-source.js';
import { openStore } from '../store/open-store.js';
import { type AppOptions, buildApp } from '../http/app.js';
import type { AppDeps } from '../http/app-deps.js';
import { type FirstStart, bootstrapEmptyStore } from '../service/accounts/first-start.js';
import type { ServerConfig } from '../service/config.js';
import { BatchJobRunner } from '../service/batches/batch-runner.js';
import { type LoginGuard, LoginThrottle } from '../service/operators/login-throttle.js';
import { RedisLoginThrottle } from '../service/operators/redis-login-throttle.js';
import { KeyResolver } from '../service/queries/key-resolver.js';
import { LiveSources } from '../service/queries/live-sources.js';
import { Metrics } from '../service/observability/metrics.js';
import { QueryService } from '../service/queries/query-service.js';
import { MemoryRateLimiter, type RateLimiter } from '../service/queries/rate-limiter.js';
import { RedisRateLimiter } from '../service/queries/redis-rate-limiter.js';
import { nodeName } from '../service/node-name.js';
import { PortedSharing } from '../service/portability/ported-sharing.js';
import { TrafficMonitor } from '../service/observability/traffic.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Idempotency keys answer retries for this long. */
export const IDEMPOTENCY_RETENTION_MS = DAY_MS;
/** Uploaded batch files that were previewed but never started are dropped after this. */
export const DRAFT_RETENTION_MS = DAY_MS;

export interface RunningServer {
  app: FastifyInstance;
  tlsApp: FastifyInstance | undefined;
  deps: AppDeps;
  /** Set on the first start with an empty store: the secrets to show once. */
  firstStart: FirstStart | undefined;
  /** `http://host:port` actually listened on. */
  url: string;
  /** Stops accepting, finishes in-flight requests, commits every pending charge, closes the store. */
  close(): Promise<void>;
}

/** Opens store and data, builds the app and listens; what `mnpd serve` runs. */
export interface StartOptions extends Pick<AppOptions, 'logger'> {
  /** Adds routes before listening (benchmarks add a baseline route to the same server). */
  beforeListen?: (app: FastifyInstance) => void;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const store = await openStore(config.databaseUrl, config.dataDir);
  const firstStart = await bootstrapEmptyStore(store);
  // An import this store shows as running was cut short by a stop: nothing is applying it now.
  await store.failRunningImports(nodeName(config.dataDir));
  const { table } = await loadSegments(config.segmentsFile);
  const ported = await PortedDatabase.open(config.dataDir);
  const metrics = new Metrics();
  const batcher = new ChargeBatcher(store);
  // Charges are counted where they happen: replays and refusals answered by the store are not charges.
  batcher.onBatch = (size, charged) => {
    metrics.batchSize.observe(size);
    metrics.charges.inc(charged);
  };
  const keys = new KeyResolver(store);
  // Redis errors are logged once the app's logger exists; until then they wait here.
  const REDIS_DOWN = {
    limiter: 'rate limiter unavailable: requests are not limited',
    logins: 'login throttle unavailable across nodes: failed logins are counted per node',
  } as const;
  const earlyRedisErrors: Array<[keyof typeof REDIS_DOWN, Error]> = [];
  let reportRedisError = (what: keyof typeof REDIS_DOWN, error: Error): void => {
    earlyRedisErrors.push([what, error]);
  };
  const limiter: RateLimiter = config.redisUrl
    ? new RedisRateLimiter(config.redisUrl, (error) => reportRedisError('limiter', error))
    : new MemoryRateLimiter();
  const loginGuard: LoginGuard = config.redisUrl
    ? new RedisLoginThrottle(config.redisUrl, (error) => reportRedisError('logins', error))
    : new LoginThrottle();
  const sources = new LiveSources(table, ported);
  const query = new QueryService({
    sources: () => sources.current(),
    batcher,
    keys,
    limiter,
    defaultQps: config.defaultQps,
  });
  const traffic = new TrafficMonitor();
  const portedSharing = new PortedSharing(store, ported, nodeName(config.dataDir), {
    enabled: config.npdbShared,
    followMs: config.npdbFollowMs,
  });
  const batchJobs = new BatchJobRunner(store, () => sources.current(), {
    owner: nodeName(config.dataDir),
    onCommit: (charged) => metrics.charges.inc(charged),
  });
  const deps: AppDeps = {
    config,
    store,
    batcher,
    keys,
    limiter,
    sources,
    ported,
    query,
    metrics,
    traffic,
    loginGuard,
    batchJobs,
    portedSharing,
  };

  const app = await buildApp(deps, { logger: options.logger });
  reportRedisError = (what, error) => app.log.warn({ err: error }, REDIS_DOWN[what]);
  for (const [what, error] of earlyRedisErrors) reportRedisError(what, error);
  options.beforeListen?.(app);
  const url = await app.listen({ port: config.port, host: config.host });
  let tlsApp: FastifyInstance | undefined;
  if (config.tls) {
    const https = { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) };
    tlsApp = await buildApp(deps, { logger: options.logger, https });
    await tlsApp.listen({ port: config.tls.port, host: config.host });
  }
  // Jobs left queued or running by a stopped process resume here.
  batchJobs.start(app.log);

  // Feeds this node applies are shared with the cluster; the other nodes' are followed from here on.
  portedSharing.start(app.log);
  const inbox = watchInbox(portedSharing, config.dataDir, {
    intervalMs: config.inboxIntervalMs,
    onOutcome: (outcome) =>
      app.log.info({ file: outcome.file, status: outcome.status, message: outcome.message }, 'inbox'),
    onError: (error) => app.log.error({ err: error }, 'inbox failed'),
  });
  const prune = async () => {
    const now = Date.now();
    try {
      const removed = await store.prune({
        queryLogBefore: new Date(now - config.retentionDays * DAY_MS),
        idempotencyBefore: new Date(now - IDEMPOTENCY_RETENTION_MS),
        draftsBefore: new Date(now - DRAFT_RETENTION_MS),
      });
      if (removed > 0) app.log.info({ removed }, 'pruned query log and idempotency keys');
    } catch (error) {
      app.log.error({ err: error }, 'prune failed');
    }
  };
  const pruneTimer = setInterval(prune, HOUR_MS);
  pruneTimer.unref();
  void prune();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      inbox.close();
      clearInterval(pruneTimer);
      await portedSharing.close();
      await Promise.all([app.close(), tlsApp?.close()]);
      await batchJobs.close();
      await batcher.close();
      await store.close();
      await limiter.close?.();
      await loginGuard.close?.();
    })());
  return { app, tlsApp, deps, firstStart, url, close };
}
