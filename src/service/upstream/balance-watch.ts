import type { UpstreamOutcome } from './outcome.js';
import type { UpstreamProvider } from './provider.js';

/** A balance call gets this long, whatever the provider's query timeout. */
const BALANCE_TIMEOUT_MS = 5000;

/** What the operator has left at a provider, as last read. */
export interface BalanceView {
  feeType: string;
  balance: number;
  checkedAt: Date;
  warnBelow: number;
  /** Below warnBelow: time to top up. */
  low: boolean;
}

export interface BalanceWatchHooks {
  onBalance(view: BalanceView): void;
  /** The balance fell below the threshold (once per crossing, not every poll). */
  onLow(view: BalanceView): void;
  /** The balance call failed (a bad key shows here first, before any query). */
  onFailure(failure: UpstreamOutcome): void;
}

/** Polls a provider's balance call every `intervalMs` while started. */
export class BalanceWatch {
  readonly #provider: UpstreamProvider & Required<Pick<UpstreamProvider, 'balance'>>;
  readonly #settings: { intervalMs: number; warnBelow: number };
  readonly #hooks: BalanceWatchHooks;
  #timer: NodeJS.Timeout | undefined;
  #view: BalanceView | undefined;

  constructor(
    provider: UpstreamProvider & Required<Pick<UpstreamProvider, 'balance'>>,
    settings: { intervalMs: number; warnBelow: number },
    hooks: BalanceWatchHooks,
  ) {
    this.#provider = provider;
    this.#settings = settings;
    this.#hooks = hooks;
  }

  get view(): BalanceView | undefined {
    return this.#view;
  }

  start(): void {
    if (this.#timer) return;
    void this.check();
    this.#timer = setInterval(() => void this.check(), this.#settings.intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Reads the balance now; the view after it (unchanged when the call failed). */
  async check(): Promise<BalanceView | undefined> {
    const result = await this.#provider.balance(AbortSignal.timeout(BALANCE_TIMEOUT_MS));
    if (!result.ok) {
      this.#hooks.onFailure(result.failure);
      return this.#view;
    }
    const wasLow = this.#view?.low ?? false;
    const { warnBelow } = this.#settings;
    this.#view = {
      ...result.balance,
      checkedAt: new Date(),
      warnBelow,
      low: result.balance.balance < warnBelow,
    };
    this.#hooks.onBalance(this.#view);
    if (this.#view.low && !wasLow) this.#hooks.onLow(this.#view);
    return this.#view;
  }
}
