import type { ChargeBatcher } from '../billing/charge-batcher.js';
import type { PortedDatabase } from '../data/ported-database.js';
import type { Store } from '../store/store.js';
import type { BatchJobRunner } from './console/batch/batch-runner.js';
import type { LoginGuard } from './console/login-throttle.js';
import type { PortedSharing } from './ported-sharing.js';
import type { ServerConfig } from './config.js';
import type { KeyResolver } from './key-auth.js';
import type { LiveSources } from './live-sources.js';
import type { Metrics } from './metrics.js';
import type { QueryService } from './query-service.js';
import type { RateLimiter } from './rate-limiter.js';
import type { TrafficMonitor } from './traffic.js';

/** Everything the routes use, built once per server by `buildApp`'s caller. */
export interface AppDeps {
  config: ServerConfig;
  store: Store;
  batcher: ChargeBatcher;
  keys: KeyResolver;
  limiter: RateLimiter;
  sources: LiveSources;
  ported: PortedDatabase;
  query: QueryService;
  metrics: Metrics;
  traffic: TrafficMonitor;
  /** Failed logins (console and operator HTTP Basic), counted per node or, with Redis, per cluster. */
  loginGuard: LoginGuard;
  /** Runs the console's batch jobs; routes notify it when a job is started. */
  batchJobs: BatchJobRunner;
  /** Applies portability feeds on this node and, in a cluster, shares them and follows the others'. */
  portedSharing: PortedSharing;
}
