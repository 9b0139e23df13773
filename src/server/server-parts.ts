import type { ChargeBatcher } from '../billing/charge-batcher.js';
import type { AppDeps } from '../http/app.js';
import type { BatchJobRunner } from '../service/batches/batch-runner.js';
import type { CallbackRunner } from '../service/callbacks/callback-runner.js';
import type { LoginGuard } from '../service/operators/login-throttle.js';
import type { Portability } from '../service/portability/open-portability.js';
import type { KeyResolver } from '../service/queries/key-resolver.js';
import type { RateLimiter } from '../service/queries/rate-limiter.js';
import type { Upstreams } from '../service/upstream/upstreams.js';

/** What one server process is made of: the HTTP layer's dependencies and what runs beside them. */
export interface ServerParts extends AppDeps {
  batcher: ChargeBatcher;
  keys: KeyResolver;
  limiter: RateLimiter;
  loginGuard: LoginGuard;
  /** The portability database, the cluster's sharing and the import service, together. */
  ported: Portability;
  batchJobs: BatchJobRunner;
  upstreams: Upstreams;
  /** Announces API jobs' ends to their callback URLs. */
  callbacks: CallbackRunner;
}
