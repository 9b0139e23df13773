import type { CircuitBreakerPolicy } from 'cockatiel';
import {
  CircuitState,
  ConsecutiveBreaker,
  type FailureReason,
  type IBreaker,
  circuitBreaker,
  handleAll,
  isBrokenCircuitError,
} from 'cockatiel';
import type { BreakerSettings } from './config.js';
import { type UpstreamOutcome, countsAgainstProvider } from './outcome.js';

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

const STATE_NAMES: Readonly<Record<CircuitState, BreakerState>> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * Opens after `failures` consecutive failures, as cockatiel's ConsecutiveBreaker does, and at the
 * first one that is the operator's trouble (a bad key does not get better with retries).
 */
class TroubleAwareBreaker implements IBreaker {
  readonly #inner: ConsecutiveBreaker;
  readonly #lastFailure: () => FailureReason<unknown> | undefined;

  constructor(failures: number, lastFailure: () => FailureReason<unknown> | undefined) {
    this.#inner = new ConsecutiveBreaker(failures);
    this.#lastFailure = lastFailure;
  }

  get state(): unknown {
    return this.#inner.state;
  }

  set state(value: unknown) {
    this.#inner.state = value as number;
  }

  success(): void {
    this.#inner.success();
  }

  failure(): boolean {
    // The policy records the failure before it asks: this is the call that just failed.
    const reason = this.#lastFailure();
    const trouble =
      reason !== undefined && 'value' in reason && (reason.value as UpstreamOutcome).kind === 'operator';
    return this.#inner.failure() || trouble;
  }
}

/**
 * One provider's circuit breaker (cockatiel): calls go through while it is closed; once open, none
 * until `halfOpenAfterMs` has passed, then one probe whose outcome closes or reopens it. Outcomes
 * that say nothing about the provider (a refused number, a cancel) neither open nor close it.
 */
export class ProviderBreaker {
  readonly #policy: CircuitBreakerPolicy;
  readonly #halfOpenAfterMs: number;
  #openedAt = 0;

  constructor(settings: BreakerSettings) {
    const breaker = new TroubleAwareBreaker(settings.failures, () => this.#policy.lastFailure);
    this.#halfOpenAfterMs = settings.halfOpenAfterMs;
    this.#policy = circuitBreaker(
      handleAll.orWhenResult((outcome) => countsAgainstProvider(outcome as UpstreamOutcome)),
      { halfOpenAfter: settings.halfOpenAfterMs, breaker },
    );
    this.#policy.onBreak(() => (this.#openedAt = Date.now()));
  }

  /** True when a call now would be held back: open and not yet due for a probe, or a probe under way. */
  blocksNow(): boolean {
    const state = this.#policy.state;
    if (state === CircuitState.Open) return Date.now() - this.#openedAt < this.#halfOpenAfterMs;
    return state === CircuitState.HalfOpen || state === CircuitState.Isolated;
  }

  get state(): BreakerState {
    return STATE_NAMES[this.#policy.state];
  }

  onStateChange(listener: (state: BreakerState) => void): void {
    this.#policy.onStateChange((state) => listener(STATE_NAMES[state]));
  }

  /**
   * Runs the call unless the breaker holds it back: `open` while it is open, and while a probe is
   * under way (callers fail over instead of queueing behind the probe).
   */
  async execute(call: () => Promise<UpstreamOutcome>): Promise<UpstreamOutcome | 'open'> {
    if (this.blocksNow()) return 'open';
    try {
      return await this.#policy.execute(call);
    } catch (error) {
      if (isBrokenCircuitError(error)) return 'open';
      throw error;
    }
  }
}
