/**
 * The composition root of `mnpd serve`: opens the store and the data, builds the services on
 * them, starts what runs in the background (batch jobs, the cluster's feeds, the drop folder,
 * retention, the snapshot watch) and the HTTP servers, and stops them all in order.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { ChargeBatcher } from '../billing/charge-batcher.js';
import { loadSegments } from '../data/segment-source.js';
import { type AppOptions, buildApp } from '../http/app.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { AccountService } from '../service/accounts/account-service.js';
import { type FirstStart, bootstrapEmptyStore } from '../service/accounts/first-start.js';
import { BatchJobRunner } from '../service/batches/batch-runner.js';
import { BatchService } from '../service/batches/batch-service.js';
import { JobCodeCounts } from '../service/batches/code-counts.js';
import { CallbackRunner } from '../service/callbacks/callback-runner.js';
import { CallbackAllowList } from '../service/callbacks/callback-target.js';
import type { ServerConfig } from '../service/config.js';
import type { Log } from '../service/log.js';
import { nodeName } from '../service/node-name.js';
import { Metrics } from '../service/observability/metrics.js';
import { StoreHealth } from '../service/observability/store-health.js';
import { TrafficMonitor } from '../service/observability/traffic.js';
import { type LoginGuard, LoginThrottle } from '../service/operators/login-throttle.js';
import { LoginService } from '../service/operators/logins.js';
import { RedisLoginThrottle } from '../service/operators/redis-login-throttle.js';
import { openPortability } from '../service/portability/open-portability.js';
import { KeyResolver } from '../service/queries/key-resolver.js';
import { LiveSources } from '../service/queries/live-sources.js';
import { QueryService } from '../service/queries/query-service.js';
import { MemoryRateLimiter, type RateLimiter } from '../service/queries/rate-limiter.js';
import { RedisRateLimiter } from '../service/queries/redis-rate-limiter.js';
import { SegmentService } from '../service/segments/segment-service.js';
import { Upstreams } from '../service/upstream/upstreams.js';
import { reloadUpstreamsFile, upstreamHooks } from './upstream-wiring.js';
import { startBackground } from './background.js';
import type { ServerParts } from './server-parts.js';

export type { ServerParts } from './server-parts.js';

export interface RunningServer {
  app: FastifyInstance;
  tlsApp: FastifyInstance | undefined;
  deps: ServerParts;
  /** Set on the first start with an empty store: the secrets to show once. */
  firstStart: FirstStart | undefined;
  /** `http://host:port` actually listened on. */
  url: string;
  /** Stops accepting, finishes in-flight requests, commits every pending charge, closes the store. */
  close(): Promise<void>;
  /** Reads the providers file again (SIGHUP); a bad file keeps the providers in use and logs why. */
  reloadUpstreams(): Promise<void>;
}

export interface StartOptions extends Pick<AppOptions, 'logger'> {
  /** Adds routes before listening (benchmarks add a baseline route to the same server). */
  beforeListen?: (app: FastifyInstance) => void;
}

/** Where Redis trouble is reported: logged once the app's logger exists, kept until then. */
class EarlyLog {
  #log: Log | undefined;
  readonly #waiting: [Error, string][] = [];

  warn(error: Error, message: string): void {
    if (this.#log) this.#log.warn({ err: error }, message);
    else this.#waiting.push([error, message]);
  }

  attach(log: Log): void {
    this.#log = log;
    for (const [error, message] of this.#waiting.splice(0)) log.warn({ err: error }, message);
  }
}

function limiters(config: ServerConfig, early: EarlyLog): { limiter: RateLimiter; loginGuard: LoginGuard } {
  if (!config.redisUrl) return { limiter: new MemoryRateLimiter(), loginGuard: new LoginThrottle() };
  return {
    limiter: new RedisRateLimiter(config.redisUrl, (error) =>
      early.warn(error, 'rate limiter unavailable: requests are not limited'),
    ),
    loginGuard: new RedisLoginThrottle(config.redisUrl, (error) =>
      early.warn(error, 'login throttle unavailable across nodes: failed logins are counted per node'),
    ),
  };
}

/** The services of one process on its store and data. */
async function buildParts(config: ServerConfig, store: Store, early: EarlyLog): Promise<ServerParts> {
  const node = nodeName(config.dataDir);
  const { table } = await loadSegments(config.segmentsFile);
  const ported = await openPortability({
    dataDir: config.dataDir,
    store,
    shared: config.npdbShared,
    followMs: config.npdbFollowMs,
  });
  const sources = new LiveSources(table, ported.db, { planFallback: config.planFallback });
  // The store's segment version and overrides, when an operator applied any, replace the file's.
  const segments = await SegmentService.open(store, {
    node,
    base: table,
    sink: sources,
    followMs: config.segmentsFollowMs,
  });
  const metrics = new Metrics();
  const batcher = new ChargeBatcher(store, { maxPending: config.maxPendingCharges });
  // Charges are counted where they happen: replays and refusals answered by the store are not charges.
  batcher.onBatch = (size, charged) => {
    metrics.batchSize.observe(size);
    metrics.charges.inc(charged);
  };
  const keys = new KeyResolver(store);
  const upstreams = await Upstreams.open(
    config.upstreamsFile,
    process.env,
    store,
    upstreamHooks(metrics, early),
  );
  metrics.upstream.watch(upstreams);
  const { limiter, loginGuard } = limiters(config, early);
  const batchJobs = new BatchJobRunner(store, () => sources.current(), {
    owner: node,
    onCommit: (charged) => metrics.charges.inc(charged),
    live: upstreams.live,
  });
  // A bad MNPD_CALLBACK_ALLOW entry stops the start here, with its text.
  const callbackPolicy = { allow: new CallbackAllowList(config.callbackAllow) };
  const counts = new JobCodeCounts(store);
  const callbacks = new CallbackRunner(store, {
    owner: node,
    policy: callbackPolicy,
    publicUrl: config.publicUrl,
    countsOf: (job) => counts.of(job),
    pollMs: config.callbackPollMs,
    firstRetryMs: config.callbackFirstRetryMs,
    onAttempt: (outcome) => metrics.callbackAttempts.inc({ outcome }),
  });
  return {
    config,
    store,
    sources,
    metrics,
    traffic: new TrafficMonitor(),
    storeHealth: new StoreHealth(store),
    query: new QueryService({
      sources: () => sources.current(),
      charger: batcher,
      keys,
      limiter,
      defaultQps: config.defaultQps,
      live: upstreams.live,
    }),
    accounts: new AccountService(store, () => keys.invalidate()),
    logins: new LoginService(store, loginGuard),
    batches: new BatchService(store, () => batchJobs.notify(), callbackPolicy),
    portability: ported.service,
    batcher,
    keys,
    limiter,
    loginGuard,
    ported,
    batchJobs,
    segments,
    upstreams,
    callbacks,
  };
}

async function listen(
  config: ServerConfig,
  deps: ServerParts,
  options: StartOptions,
): Promise<{ app: FastifyInstance; tlsApp: FastifyInstance | undefined; url: string }> {
  const app = await buildApp(deps, { logger: options.logger });
  options.beforeListen?.(app);
  const url = await app.listen({ port: config.port, host: config.host });
  if (!config.tls) return { app, tlsApp: undefined, url };
  const https = { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) };
  const tlsApp = await buildApp(deps, { logger: options.logger, https });
  await tlsApp.listen({ port: config.tls.port, host: config.host });
  return { app, tlsApp, url };
}

/** Opens store and data, builds the services and the app, listens, and starts the background work. */
export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const store = await openStore(config.databaseUrl, config.dataDir);
  const firstStart = await bootstrapEmptyStore(store);
  // An import this store shows as running was cut short by a stop: nothing is applying it now.
  await store.failRunningImports(nodeName(config.dataDir));
  const early = new EarlyLog();
  // A bad providers file (or other startup refusal) must not leave the store open behind it.
  const deps = await buildParts(config, store, early).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const { app, tlsApp, url } = await listen(config, deps, options);
  early.attach(app.log);
  const background = startBackground(deps, app.log);
  deps.upstreams.start();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await background.stop();
      await Promise.all([app.close(), tlsApp?.close()]);
      await deps.batchJobs.close();
      await deps.callbacks.close();
      await deps.batcher.close();
      await deps.upstreams.close();
      await store.close();
      await deps.limiter.close?.();
      await deps.loginGuard.close?.();
    })());
  const reloadUpstreams = () => reloadUpstreamsFile(deps, app.log);
  return { app, tlsApp, deps, firstStart, url, close, reloadUpstreams };
}
