import type { ChargeBatcher } from '../billing/charge-batcher.js';
import type { PortedDatabase } from '../data/ported-database.js';
import type { Store } from '../store/store.js';
import type { BatchJobRunner } from '../service/batches/batch-runner.js';
import type { LoginGuard } from '../service/operators/login-throttle.js';
import type { PortedSharing } from '../service/portability/ported-sharing.js';
import type { ServerConfig } from '../service/config.js';
import type { KeyResolver } from '../service/queries/key-resolver.js';
import type { LiveSources } from '../service/queries/live-sources.js';
import type { Metrics } from '../service/observability/metrics.js';
import type { QueryService } from '../service/queries/query-service.js';
import type { RateLimiter } from '../service/queries/rate-limiter.js';
import type { TrafficMonitor } from '../service/observability/traffic.js';

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
