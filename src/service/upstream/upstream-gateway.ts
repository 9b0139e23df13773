import type { BalanceView } from './balance-watch.js';
import { Coalescer } from './coalescer.js';
import type { ProviderConfig, ProviderKind, UpstreamConfig } from './config.js';
import { createProvider } from './create-provider.js';
import {
  type GatewayHooks,
  GuardedProvider,
  type UpstreamAlert,
  settingsFingerprint,
} from './guarded-provider.js';
import type { OutcomeKind, UpstreamAnswer, UpstreamOutcome } from './outcome.js';
import type { ProviderDescription, UpstreamProvider } from './provider.js';
import type { BreakerState } from './provider-breaker.js';
import type { ProviderCounters } from './provider-stats.js';

/** What one provider did for one ask, in the order asked. */
export interface ProviderAttempt {
  provider: string;
  result: OutcomeKind | 'breaker-open' | 'no-budget';
  reason?: string;
  code?: string;
  latencyMs?: number;
}

/**
 * The gateway's answer for one number:
 * - `answer`: a provider knows it;
 * - `not-found`: a provider says definitively it has no such number (the customer gets -4);
 * - `unavailable`: no provider answered (all failed, refused, were open or out of budget, or the
 *   caller left); the query path answers from local data, or -8 with `onFailure: error`.
 */
export type UpstreamVerdict =
  | {
      kind: 'answer';
      provider: string;
      answer: UpstreamAnswer;
      code: string;
      checkedAt: Date;
      attempts: ProviderAttempt[];
    }
  | { kind: 'not-found'; provider: string; code: string; checkedAt: Date; attempts: ProviderAttempt[] }
  | { kind: 'unavailable'; attempts: ProviderAttempt[]; cancelled?: true };

export interface AskOptions {
  /**
   * Wait for a provider's QPS/concurrency budget (batch jobs) rather than passing it over at once
   * (interactive queries, which fail over to the next provider or give up).
   */
  waitForBudget?: boolean;
  /** Ends this caller's wait; the upstream call goes on for other callers sharing it. */
  signal?: AbortSignal;
}

export interface ProviderStatsView extends ProviderCounters {
  name: string;
  kind: ProviderKind;
  costFen: number;
  breaker: BreakerState;
  /** Calls holding budget now, and callers waiting for it. */
  inFlight: number;
  waiting: number;
  lastAlert: UpstreamAlert | null;
  /** The upstream balance where the contract has one and polling is on. */
  balance: BalanceView | null;
}

export interface UpstreamStatsView {
  providers: ProviderStatsView[];
  /** Asks since start, and how many of them shared a call already under way. */
  asks: number;
  coalesced: number;
  /** Asks that no provider answered. */
  unavailable: number;
}

export interface GatewayOptions {
  hooks?: GatewayHooks;
  /** Clock for statistics (calls/s, today's spending); Date.now by default. */
  now?: () => number;
  /** Makes the adapter for a provider; createProvider by default. */
  createProvider?: (config: ProviderConfig) => UpstreamProvider;
}

const MOBILE = /^1[3-9]\d{9}$/;

/**
 * The upstream providers of the providers file as one service. An ask tries the providers in the
 * file's order, each within its timeout, breaker and budget, and fails over to the next; concurrent
 * asks for one number share one upstream call.
 *
 * The caller decides *whether* to go upstream: virtual-operator numbers (res 3/4) must never be
 * asked (the upstreams do not cover their portability), nor the numbers of accounts kept local, nor
 * anything under `policy: local`.
 */
export class UpstreamGateway {
  #config: UpstreamConfig;
  #providers: GuardedProvider[];
  readonly #hooks: GatewayHooks;
  readonly #now: () => number;
  readonly #create: (config: ProviderConfig) => UpstreamProvider;
  readonly #coalescer = new Coalescer<string, UpstreamVerdict>();
  #asks = 0;
  #unavailable = 0;
  #polling = false;

  constructor(config: UpstreamConfig, options: GatewayOptions = {}) {
    this.#hooks = options.hooks ?? {};
    this.#now = options.now ?? Date.now;
    this.#create = options.createProvider ?? createProvider;
    this.#config = config;
    this.#providers = config.providers.map((provider) => this.#guard(provider));
  }

  get config(): UpstreamConfig {
    return this.#config;
  }

  /** Asks the providers about a normalised 11-digit mobile number. Never rejects for a provider's fault. */
  ask(mobile: string, options: AskOptions = {}): Promise<UpstreamVerdict> {
    if (!MOBILE.test(mobile)) throw new RangeError('ask takes a normalised 11-digit mobile number');
    this.#asks++;
    const wait = options.waitForBudget === true;
    // Batch callers wait for budget and interactive ones do not: they never share a call, so an
    // interactive leader's "no budget" never reaches a batch job.
    const key = wait ? `${mobile}:wait` : mobile;
    return this.#coalescer.run(
      key,
      options.signal,
      (signal) => this.#askInOrder(this.#providers, mobile, wait, signal),
      () => ({ kind: 'unavailable', attempts: [], cancelled: true }),
    );
  }

  async #askInOrder(
    providers: readonly GuardedProvider[],
    mobile: string,
    wait: boolean,
    signal: AbortSignal,
  ): Promise<UpstreamVerdict> {
    const attempts: ProviderAttempt[] = [];
    for (const guarded of providers) {
      if (signal.aborted) break;
      const result = await guarded.call(mobile, wait, signal);
      if (!result.asked) {
        attempts.push({ provider: guarded.name, result: result.why });
        continue;
      }
      const { outcome, latencyMs } = result;
      attempts.push(attemptOf(guarded.name, outcome, latencyMs));
      if (outcome.kind === 'answer' || outcome.kind === 'not-found') {
        const checkedAt = new Date(this.#now());
        return outcome.kind === 'answer'
          ? {
              kind: 'answer',
              provider: guarded.name,
              answer: outcome.answer,
              code: outcome.code,
              checkedAt,
              attempts,
            }
          : { kind: 'not-found', provider: guarded.name, code: outcome.code, checkedAt, attempts };
      }
    }
    this.#unavailable++;
    return { kind: 'unavailable', attempts };
  }

  /**
   * Asks one provider directly (`mnpd upstream test NAME NUMBER`): through its timeout, breaker and
   * budget (waiting for it), without coalescing or failover. Undefined for an unknown name.
   */
  async testProvider(
    name: string,
    mobile: string,
    signal?: AbortSignal,
  ): Promise<ProviderAttempt | undefined> {
    if (!MOBILE.test(mobile)) throw new RangeError('testProvider takes a normalised 11-digit mobile number');
    const guarded = this.#providers.find((provider) => provider.name === name);
    if (!guarded) return undefined;
    const result = await guarded.call(mobile, true, signal ?? new AbortController().signal);
    return result.asked
      ? attemptOf(name, result.outcome, result.latencyMs)
      : { provider: name, result: result.why };
  }

  stats(): UpstreamStatsView {
    return {
      providers: this.#providers.map((guarded) => ({
        name: guarded.name,
        kind: guarded.config.kind,
        costFen: guarded.config.costFen,
        breaker: guarded.breaker.state,
        inFlight: guarded.budget.inFlight,
        waiting: guarded.budget.waiting,
        lastAlert: guarded.lastAlert ?? null,
        balance: guarded.balanceWatch?.view ?? null,
        ...guarded.counters,
      })),
      asks: this.#asks,
      coalesced: this.#coalescer.joined,
      unavailable: this.#unavailable,
    };
  }

  /** The providers as views may show them, in order; no secrets. */
  describe(): ProviderDescription[] {
    return this.#providers.map((guarded) => guarded.provider.describe());
  }

  /** Starts polling the balance of every provider whose contract has one (qxt, unless switched off). */
  startBalancePolling(): void {
    this.#polling = true;
    for (const guarded of this.#providers) guarded.balanceWatch?.start();
  }

  /** Reads every polled balance now. */
  async checkBalances(): Promise<void> {
    await Promise.all(this.#providers.map((guarded) => guarded.balanceWatch?.check()));
  }

  /**
   * Swaps in a new providers file (SIGHUP). A provider whose settings did not change keeps its
   * breaker, budget, statistics and connections; the others start afresh. Asks under way finish
   * with the providers they started with; the connections of providers that left close after them.
   */
  async reload(config: UpstreamConfig): Promise<void> {
    const kept = new Map(this.#providers.map((guarded) => [guarded.fingerprint, guarded]));
    const next = config.providers.map((provider) => {
      const same = kept.get(settingsFingerprint(provider));
      if (same) kept.delete(same.fingerprint);
      return same ?? this.#guard(provider);
    });
    this.#config = config;
    this.#providers = next;
    if (this.#polling) this.startBalancePolling();
    await Promise.all([...kept.values()].map((guarded) => guarded.retire()));
  }

  /** Stops polling and closes every connection once the calls under way have ended. */
  async close(): Promise<void> {
    this.#polling = false;
    await Promise.all(this.#providers.map((guarded) => guarded.retire()));
  }

  #guard(config: ProviderConfig): GuardedProvider {
    return new GuardedProvider(this.#create(config), config, this.#hooks, this.#now);
  }
}

function attemptOf(provider: string, outcome: UpstreamOutcome, latencyMs: number): ProviderAttempt {
  return {
    provider,
    result: outcome.kind,
    ...(outcome.kind === 'transient' || outcome.kind === 'operator' ? { reason: outcome.reason } : {}),
    ...(outcome.code === undefined ? {} : { code: outcome.code }),
    latencyMs,
  };
}
