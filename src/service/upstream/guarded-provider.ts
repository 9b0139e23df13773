import { createHash } from 'node:crypto';
import { BalanceWatch, type BalanceView } from './balance-watch.js';
import type { ProviderConfig, ProviderKind } from './config.js';
import { type OperatorTroubleReason, type OutcomeKind, type UpstreamOutcome, transient } from './outcome.js';
import type { UpstreamProvider } from './provider.js';
import { type BreakerState, ProviderBreaker } from './provider-breaker.js';
import { type ProviderCounters, ProviderStats } from './provider-stats.js';
import { RequestBudget } from './request-budget.js';
import { Secret } from './secret.js';

/** One call to a provider, for metrics and logs: no number, no secret. */
export interface UpstreamCallEvent {
  provider: string;
  kind: ProviderKind;
  outcome: OutcomeKind;
  /** The failure's reason (`timeout`, `bad-key`, ...), for failures. */
  reason?: string;
  /** The provider's own code (`0`, `-8`, `RequestFrequencyLimit`, `HTTP 503`). */
  code?: string;
  latencyMs: number;
  /** What the call cost the operator: costFen for an answer, else 0. */
  costFen: number;
}

/** Something the operator must see: trouble with a provider, or its balance running low. */
export interface UpstreamAlert {
  provider: string;
  at: Date;
  reason: OperatorTroubleReason | 'low-balance';
  message: string;
}

export interface GatewayHooks {
  onCall?(event: UpstreamCallEvent): void;
  onAlert?(alert: UpstreamAlert): void;
  onBreakerChange?(provider: string, state: BreakerState): void;
  onBalance?(provider: string, balance: BalanceView): void;
  /** A provider passed over without a call: breaker open, or no budget left. */
  onSkip?(provider: string, why: 'breaker-open' | 'no-budget'): void;
}

/** A provider's verdict on one number, or why it was not asked. */
export type GuardedResult =
  | { asked: true; outcome: UpstreamOutcome; latencyMs: number }
  | { asked: false; why: 'breaker-open' | 'no-budget' };

/**
 * A provider with everything that stands between it and a query: its breaker, its QPS and
 * concurrency budget, its timeout, its statistics, alerts and balance polling.
 */
export class GuardedProvider {
  readonly provider: UpstreamProvider;
  readonly config: ProviderConfig;
  readonly fingerprint: string;
  readonly breaker: ProviderBreaker;
  readonly budget: RequestBudget;
  readonly stats: ProviderStats;
  readonly balanceWatch: BalanceWatch | undefined;
  lastAlert: UpstreamAlert | undefined;
  readonly #hooks: GatewayHooks;
  #callsUnderWay = 0;
  #retired: (() => void) | undefined;
  #retiring: Promise<void> | undefined;

  constructor(provider: UpstreamProvider, config: ProviderConfig, hooks: GatewayHooks, now: () => number) {
    this.provider = provider;
    this.config = config;
    this.fingerprint = settingsFingerprint(config);
    this.#hooks = hooks;
    this.breaker = new ProviderBreaker(config.breaker);
    this.breaker.onStateChange((state) => safely(() => hooks.onBreakerChange?.(config.name, state)));
    this.budget = new RequestBudget(config.maxQps, config.maxConcurrency);
    this.stats = new ProviderStats(config.costFen, now);
    this.balanceWatch = this.#balanceWatch();
  }

  get name(): string {
    return this.config.name;
  }

  get counters(): ProviderCounters {
    return this.stats.view();
  }

  /**
   * Asks the provider unless its breaker or budget holds the call back. With `wait`, waits for
   * budget (batch jobs) instead of passing the provider over (queries that fail over).
   */
  async call(mobile: string, wait: boolean, signal: AbortSignal): Promise<GuardedResult> {
    if (this.breaker.blocksNow()) return this.#skip('breaker-open');
    this.#callsUnderWay++;
    try {
      const release = wait ? await this.budget.acquire(signal) : this.budget.tryAcquire();
      if (!release) return this.#skip('no-budget');
      try {
        return await this.#ask(mobile, signal);
      } finally {
        release();
      }
    } finally {
      if (--this.#callsUnderWay === 0) this.#retired?.();
    }
  }

  async #ask(mobile: string, signal: AbortSignal): Promise<GuardedResult> {
    const started = performance.now();
    const deadline = withTimeout(signal, this.config.timeoutMs);
    let result: UpstreamOutcome | 'open';
    try {
      result = await this.breaker.execute(() => this.provider.ask(mobile, deadline.signal));
    } catch (error) {
      result = transient('upstream-error', `adapter failed: ${(error as Error).message}`);
    } finally {
      deadline.clear();
    }
    if (result === 'open') return this.#skip('breaker-open');
    const latencyMs = performance.now() - started;
    this.#record(result, latencyMs);
    return { asked: true, outcome: result, latencyMs };
  }

  #record(outcome: UpstreamOutcome, latencyMs: number): void {
    this.stats.record(outcome, latencyMs);
    const failure = outcome.kind === 'transient' || outcome.kind === 'operator' ? outcome : undefined;
    const event: UpstreamCallEvent = {
      provider: this.name,
      kind: this.config.kind,
      outcome: outcome.kind,
      ...(failure ? { reason: failure.reason } : {}),
      ...(outcome.code === undefined ? {} : { code: outcome.code }),
      latencyMs,
      costFen: outcome.kind === 'answer' ? this.config.costFen : 0,
    };
    safely(() => this.#hooks.onCall?.(event));
    if (outcome.kind === 'operator') this.#alert(outcome.reason, outcome.detail);
  }

  #skip(why: 'breaker-open' | 'no-budget'): GuardedResult {
    safely(() => this.#hooks.onSkip?.(this.name, why));
    return { asked: false, why };
  }

  #alert(reason: UpstreamAlert['reason'], message: string): void {
    this.lastAlert = { provider: this.name, at: new Date(), reason, message };
    const alert = this.lastAlert;
    safely(() => this.#hooks.onAlert?.(alert));
  }

  #balanceWatch(): BalanceWatch | undefined {
    const { provider, config } = this;
    if (config.kind !== 'qxt' || !config.balance || !provider.balance) return undefined;
    const withBalance = provider as UpstreamProvider & Required<Pick<UpstreamProvider, 'balance'>>;
    return new BalanceWatch(withBalance, config.balance, {
      onBalance: (view) => safely(() => this.#hooks.onBalance?.(this.name, view)),
      onLow: (view) => this.#alert('low-balance', `${view.balance} queries left, below ${view.warnBelow}`),
      onFailure: (failure) => {
        if (failure.kind === 'operator') this.#alert(failure.reason, `balance: ${failure.detail}`);
      },
    });
  }

  /**
   * Stops polling, and closes the provider's connections once its calls under way have ended.
   * Retiring twice waits for the same close.
   */
  retire(): Promise<void> {
    this.balanceWatch?.stop();
    this.#retiring ??=
      this.#callsUnderWay === 0
        ? this.provider.close()
        : new Promise((resolve) => {
            this.#retired = () => void this.provider.close().then(resolve, resolve);
          });
    return this.#retiring;
  }
}

/** The caller's signal, ended early after `ms` with a TimeoutError (which adapters report as a timeout). */
function withTimeout(signal: AbortSignal, ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () => controller.abort(new DOMException(`no answer in ${ms} ms`, 'TimeoutError')),
    ms,
  );
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}

/** Settings compared on reload: same fingerprint, same provider (secrets compared by hash). */
export function settingsFingerprint(config: ProviderConfig): string {
  return JSON.stringify(config, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = key === '' ? value : this[key];
    return raw instanceof Secret
      ? `secret:${createHash('sha256').update(raw.reveal()).digest('hex')}`
      : value;
  });
}

/** A hook that throws must not break a query. */
function safely(hook: () => void): void {
  try {
    hook();
  } catch {
    // Hooks feed metrics and logs; losing one event is better than failing the call.
  }
}
