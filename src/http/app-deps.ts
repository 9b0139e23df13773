import type { Store } from '../store/store.js';
import type { AccountService } from '../service/accounts/account-service.js';
import type { BatchService } from '../service/batches/batch-service.js';
import type { ServerConfig } from '../service/config.js';
import type { Metrics } from '../service/observability/metrics.js';
import type { StoreHealth } from '../service/observability/store-health.js';
import type { TrafficMonitor } from '../service/observability/traffic.js';
import type { LoginService } from '../service/operators/logins.js';
import type { PortabilityService } from '../service/portability/portability-service.js';
import type { LiveSources } from '../service/queries/live-sources.js';
import type { QueryService } from '../service/queries/query-service.js';
import type { SegmentService } from '../service/segments/segment-service.js';
import type { Upstreams } from '../service/upstream/upstreams.js';

/**
 * The application as the HTTP layer reaches it: each route takes the few of these it uses
 * (`Pick<AppDeps, …>`). Changes go through the services; the store is read for listings.
 */
export interface AppDeps {
  config: ServerConfig;
  store: Store;
  /** The data lookups read now (segments and portability). */
  sources: LiveSources;
  query: QueryService;
  accounts: AccountService;
  logins: LoginService;
  batches: BatchService;
  portability: PortabilityService;
  metrics: Metrics;
  traffic: TrafficMonitor;
  /** Whether the store can be read and written now (/readyz). */
  storeHealth: StoreHealth;
  /** Segment versions, rollback and operators' overrides; swaps `sources.segments` when they change. */
  segments: SegmentService;
  /** Upstream providers, the answer cache and their policy (MNPD_UPSTREAMS). */
  upstreams?: Upstreams;
}
