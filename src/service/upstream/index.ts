/**
 * Upstream MNP providers: the providers file, the adapters of each contract, and the gateway that
 * asks them with timeouts, breakers, budgets, failover and coalescing.
 */
export {
  type AliyunDytnsProviderConfig,
  type BreakerSettings,
  type DytnsMask,
  type IspAppcodeProviderConfig,
  type ParsedUpstreamConfig,
  type ProviderConfig,
  type ProviderKind,
  type QxtProviderConfig,
  type UpstreamConfig,
  type UpstreamPolicy,
  DEFAULT_BREAKER,
  DEFAULT_CACHE_TTL_MS,
  DEFAULT_MAX_CONCURRENCY,
  DEFAULT_MAX_QPS,
  DEFAULT_TIMEOUT_MS,
  MAX_PROVIDERS,
  PROVIDER_KINDS,
  UPSTREAM_POLICIES,
  parseUpstreamConfig,
} from './config.js';
export { MAX_UPSTREAMS_FILE_BYTES, loadUpstreamConfig } from './config-file.js';
export { MAX_COALESCED_KEYS } from './coalescer.js';
export { MAX_BUDGET_WAITERS } from './request-budget.js';
export { MAX_UPSTREAM_BODY_BYTES } from './upstream-http.js';
export { createProvider } from './create-provider.js';
export type { BalanceView } from './balance-watch.js';
export type { GatewayHooks, UpstreamAlert, UpstreamCallEvent } from './guarded-provider.js';
export {
  type OperatorTroubleReason,
  type OutcomeKind,
  type TransientReason,
  type UpstreamAnswer,
  type UpstreamOutcome,
  OUTCOME_KINDS,
} from './outcome.js';
export type { BalanceOutcome, ProviderDescription, UpstreamBalance, UpstreamProvider } from './provider.js';
export type { BreakerState } from './provider-breaker.js';
export type { LatencyView, ProviderCounters } from './provider-stats.js';
export { Secret } from './secret.js';
export {
  type AskOptions,
  type GatewayOptions,
  type ProviderAttempt,
  type ProviderStatsView,
  type UpstreamStatsView,
  type UpstreamVerdict,
  UpstreamGateway,
} from './upstream-gateway.js';
