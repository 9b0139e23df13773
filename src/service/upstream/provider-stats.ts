import { OUTCOME_KINDS, type OutcomeKind, type UpstreamOutcome } from './outcome.js';

/** Latencies kept for percentiles: the last this many calls. */
export const LATENCY_SAMPLES = 1024;
/** Calls per second are averaged over this many seconds. */
export const RATE_WINDOW_SECONDS = 10;
/** Days of spending are China days (UTC+8), as the console's charts count them. */
const CHINA_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

export interface LatencyView {
  p50: number;
  p99: number;
  /** Calls the percentiles are taken over (at most LATENCY_SAMPLES). */
  samples: number;
}

/** The counters of one provider since it was set up (a reload with the same settings keeps them). */
export interface ProviderCounters {
  calls: number;
  callsPerSecond: number;
  latencyMs: LatencyView | null;
  outcomes: Record<OutcomeKind, number>;
  /** Failures by reason: `timeout`, `rate-limited`, `bad-key`, ... */
  failures: Record<string, number>;
  /** Calls today (China day), whatever their outcome. */
  callsToday: number;
  /** Answers today: what a provider bills (the seed's contract charges code 0 only). */
  answersToday: number;
  /** answersToday × costFen. */
  costTodayFen: number;
}

/** Counts one provider's calls for the console and metrics; O(1) per call. */
export class ProviderStats {
  readonly #costFen: number;
  readonly #now: () => number;
  readonly #latencies = new Float64Array(LATENCY_SAMPLES);
  #latencyCount = 0;
  #calls = 0;
  readonly #outcomes = Object.fromEntries(OUTCOME_KINDS.map((kind) => [kind, 0])) as Record<
    OutcomeKind,
    number
  >;
  readonly #failures: Record<string, number> = {};
  /** Calls per second of the clock, a ring indexed by second: the window and the second filling now. */
  readonly #perSecond = new Int32Array(RATE_WINDOW_SECONDS + 1);
  readonly #secondOf = new Float64Array(RATE_WINDOW_SECONDS + 1).fill(-Infinity);
  #day = -1;
  #callsToday = 0;
  #answersToday = 0;

  constructor(costFen: number, now: () => number = Date.now) {
    this.#costFen = costFen;
    this.#now = now;
  }

  record(outcome: UpstreamOutcome, latencyMs: number): void {
    const now = this.#now();
    this.#calls++;
    this.#outcomes[outcome.kind]++;
    if (outcome.kind === 'transient' || outcome.kind === 'operator') {
      this.#failures[outcome.reason] = (this.#failures[outcome.reason] ?? 0) + 1;
    }
    this.#latencies[this.#latencyCount++ % LATENCY_SAMPLES] = latencyMs;
    const second = Math.floor(now / 1000);
    const slot = second % (RATE_WINDOW_SECONDS + 1);
    if (this.#secondOf[slot] !== second) {
      this.#secondOf[slot] = second;
      this.#perSecond[slot] = 0;
    }
    this.#perSecond[slot]++;
    this.#rollDay(now);
    this.#callsToday++;
    if (outcome.kind === 'answer') this.#answersToday++;
  }

  view(): ProviderCounters {
    const now = this.#now();
    this.#rollDay(now);
    return {
      calls: this.#calls,
      callsPerSecond: this.#recentCalls(now) / RATE_WINDOW_SECONDS,
      latencyMs: this.#latencyView(),
      outcomes: { ...this.#outcomes },
      failures: { ...this.#failures },
      callsToday: this.#callsToday,
      answersToday: this.#answersToday,
      costTodayFen: this.#answersToday * this.#costFen,
    };
  }

  #recentCalls(now: number): number {
    const second = Math.floor(now / 1000);
    let total = 0;
    for (let slot = 0; slot <= RATE_WINDOW_SECONDS; slot++) {
      // The current second is still filling; the window is the last whole seconds before it.
      const age = second - this.#secondOf[slot];
      if (age >= 1 && age <= RATE_WINDOW_SECONDS) total += this.#perSecond[slot];
    }
    return total;
  }

  #latencyView(): LatencyView | null {
    const samples = Math.min(this.#latencyCount, LATENCY_SAMPLES);
    if (samples === 0) return null;
    const sorted = this.#latencies.slice(0, samples).sort();
    const at = (q: number) => sorted[Math.min(samples - 1, Math.ceil(q * samples) - 1)];
    return { p50: at(0.5), p99: at(0.99), samples };
  }

  #rollDay(now: number): void {
    const day = Math.floor((now + CHINA_OFFSET_MS) / DAY_MS);
    if (day === this.#day) return;
    this.#day = day;
    this.#callsToday = 0;
    this.#answersToday = 0;
  }
}
