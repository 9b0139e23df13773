import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BreakerState } from '../upstream/provider-breaker.js';
import type { UpstreamCallEvent } from '../upstream/guarded-provider.js';
import type { Upstreams } from '../upstream/upstreams.js';

const BREAKER_VALUES: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2, isolated: 3 };

/**
 * Prometheus metrics of the upstream providers and the answer cache. Calls are counted as they
 * happen (the gateway's hooks); the rest is read from the live state when Prometheus scrapes.
 */
export class UpstreamMetrics {
  #upstreams: Upstreams | undefined;
  readonly calls: Counter<'provider' | 'outcome'>;
  readonly latency: Histogram<'provider'>;
  readonly errors: Counter<'provider' | 'reason'>;
  readonly costFen: Counter<'provider'>;
  readonly alerts: Counter<'provider' | 'reason'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.calls = new Counter({
      name: 'mnpd_upstream_calls_total',
      help: 'Calls to upstream providers by outcome (answer, not-found, refused, transient, operator)',
      labelNames: ['provider', 'outcome'] as const,
      registers,
    });
    this.latency = new Histogram({
      name: 'mnpd_upstream_call_duration_seconds',
      help: 'Time an upstream provider took to answer (or fail)',
      labelNames: ['provider'] as const,
      buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers,
    });
    this.errors = new Counter({
      name: 'mnpd_upstream_errors_total',
      help: 'Failed upstream calls by reason (timeout, http-status, rate-limited, bad-key, no-balance, ...)',
      labelNames: ['provider', 'reason'] as const,
      registers,
    });
    this.costFen = new Counter({
      name: 'mnpd_upstream_cost_fen_total',
      help: 'What answered upstream calls cost the operator, in fen',
      labelNames: ['provider'] as const,
      registers,
    });
    this.alerts = new Counter({
      name: 'mnpd_upstream_alerts_total',
      help: 'Operator trouble with a provider (bad key, no balance, IP refused, low balance)',
      labelNames: ['provider', 'reason'] as const,
      registers,
    });
    // collect() runs with the gauge as `this`: the live state is reached through this closure.
    const live = () => this.#upstreams;
    new Gauge({
      name: 'mnpd_upstream_breaker_state',
      help: 'Breaker of each provider: 0 closed, 1 half-open, 2 open, 3 isolated',
      labelNames: ['provider'] as const,
      registers,
      collect() {
        this.reset();
        for (const provider of live()?.gateway?.stats().providers ?? [])
          this.set({ provider: provider.name }, BREAKER_VALUES[provider.breaker]);
      },
    });
    new Gauge({
      name: 'mnpd_upstream_balance',
      help: 'Queries left at each provider whose contract tells (qxt /balance)',
      labelNames: ['provider'] as const,
      registers,
      collect() {
        this.reset();
        for (const provider of live()?.gateway?.stats().providers ?? [])
          if (provider.balance) this.set({ provider: provider.name }, provider.balance.balance);
      },
    });
    new Gauge({
      name: 'mnpd_answer_cache_entries',
      help: 'Numbers in this node’s in-memory answer cache',
      registers,
      collect() {
        this.set(live()?.cache.memorySize ?? 0);
      },
    });
    new Gauge({
      name: 'mnpd_answer_cache_reads_total',
      help: 'Answer cache reads: hit in memory, hit in the store, miss (a counter)',
      labelNames: ['result'] as const,
      registers,
      collect() {
        const counters = live()?.cache.counters;
        this.set({ result: 'memory' }, counters?.memoryHits ?? 0);
        this.set({ result: 'store' }, counters?.storeHits ?? 0);
        this.set({ result: 'miss' }, counters?.misses ?? 0);
      },
    });
    new Gauge({
      name: 'mnpd_answers_by_source_total',
      help: 'Answers by where they came from: feed, segment, upstream, cache (a counter)',
      labelNames: ['source'] as const,
      registers,
      collect() {
        const counters = live()?.live.counters;
        for (const source of ['feed', 'segment', 'upstream', 'cache'] as const)
          this.set({ source }, counters?.[source] ?? 0);
      },
    });
    new Gauge({
      name: 'mnpd_upstream_saved_fen_total',
      help: 'What cached answers saved: cache hits × the first provider’s cost, in fen (a counter)',
      registers,
      collect() {
        this.set(live()?.live.counters.savedFen ?? 0);
      },
    });
  }

  /** Reads the live state of these upstreams at each scrape. */
  watch(upstreams: Upstreams): void {
    this.#upstreams = upstreams;
  }

  recordCall(event: UpstreamCallEvent): void {
    this.calls.inc({ provider: event.provider, outcome: event.outcome });
    this.latency.observe({ provider: event.provider }, event.latencyMs / 1000);
    if (event.reason) this.errors.inc({ provider: event.provider, reason: event.reason });
    if (event.costFen > 0) this.costFen.inc({ provider: event.provider }, event.costFen);
  }
}
