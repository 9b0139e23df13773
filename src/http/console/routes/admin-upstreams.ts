import type { FastifyInstance } from 'fastify';
import type { ProviderStatsView } from '../../../service/upstream/upstream-gateway.js';
import type { UpstreamProviderView, UpstreamsView } from '../../../wire/console-api.js';
import type { AppDeps } from '../../app-deps.js';
import { requireOperator } from '../guards.js';

function providerView(stats: ProviderStatsView, url: string): UpstreamProviderView {
  return {
    name: stats.name,
    kind: stats.kind,
    url,
    state: stats.breaker,
    calls: stats.calls,
    callsPerSecond: stats.callsPerSecond,
    p50Ms: stats.latencyMs?.p50 ?? null,
    p99Ms: stats.latencyMs?.p99 ?? null,
    failures: stats.failures,
    answersToday: stats.answersToday,
    costTodayFen: stats.costTodayFen,
    costFen: stats.costFen,
    balance: stats.balance && {
      balance: stats.balance.balance,
      feeType: stats.balance.feeType,
      low: stats.balance.low,
      checkedAt: stats.balance.checkedAt.toISOString(),
    },
    lastAlert: stats.lastAlert && {
      at: stats.lastAlert.at.toISOString(),
      reason: stats.lastAlert.reason,
      message: stats.lastAlert.message,
    },
  };
}

/** System → Upstreams: each provider's state, speed, failures and spending; the answer cache. */
export function adminUpstreamRoutes(app: FastifyInstance, deps: Pick<AppDeps, 'upstreams'>): void {
  app.get('/admin/upstreams', async (request): Promise<UpstreamsView> => {
    requireOperator(request);
    const upstreams = deps.upstreams;
    const gateway = upstreams?.gateway;
    const urls = new Map(gateway?.describe().map((provider) => [provider.name, provider.url]) ?? []);
    const counters = upstreams?.live.counters;
    const sources = {
      feed: counters?.feed ?? 0,
      segment: counters?.segment ?? 0,
      upstream: counters?.upstream ?? 0,
      cache: counters?.cache ?? 0,
    };
    const asked = sources.cache + sources.upstream;
    return {
      configured: gateway !== undefined,
      policy: gateway?.config.policy ?? 'local',
      cacheTtlMs: gateway?.config.cacheTtlMs ?? 0,
      onFailure: gateway?.config.onFailure ?? 'local',
      providers: (gateway?.stats().providers ?? []).map((stats) =>
        providerView(stats, urls.get(stats.name) ?? ''),
      ),
      cache: {
        hitRatio: asked === 0 ? null : sources.cache / asked,
        memoryEntries: upstreams?.cache.memorySize ?? 0,
        storeEntries: upstreams ? await upstreams.cache.storeSize() : 0,
        savedFen: counters?.savedFen ?? 0,
      },
      sources,
      alerts: (upstreams?.alerts ?? []).map((alert) => ({
        provider: alert.provider,
        at: alert.at.toISOString(),
        reason: alert.reason,
        message: alert.message,
      })),
    };
  });
}
