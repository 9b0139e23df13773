/** Callers waiting for one provider's budget at most; past it, a waiting caller is refused at once. */
export const MAX_BUDGET_WAITERS = 10_000;
const WINDOW_MS = 1000;

/** Gives the budget back when the call ends; calling it twice is harmless. */
export type Release = () => void;

interface Waiter {
  grant: (release: Release | undefined) => void;
  signal?: AbortSignal;
}

/**
 * One provider's budget: at most `maxPerSecond` calls in any second *as the provider counts them*,
 * and at most `maxConcurrent` under way. A call holds its place in the second's budget from its
 * start until a second after it ended: a request reaches the provider somewhere between the two,
 * late when a connection had to be opened first, so counting from the start alone would let two
 * seconds' worth arrive within one. Callers either take budget at once or not at all
 * (`tryAcquire`, for queries that fail over), or wait their turn in order (`acquire`, batch jobs).
 */
export class RequestBudget {
  readonly maxPerSecond: number;
  readonly maxConcurrent: number;
  readonly #now: () => number;
  /** End times of the calls that ended within the last second, oldest first (a ring). */
  readonly #ends: Float64Array;
  #endsHead = 0;
  #endsCount = 0;
  #inFlight = 0;
  readonly #waiters: Waiter[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(maxPerSecond: number, maxConcurrent: number, now: () => number = () => performance.now()) {
    if (!(maxPerSecond >= 1 && maxConcurrent >= 1)) throw new RangeError('a budget needs at least one call');
    this.maxPerSecond = maxPerSecond;
    this.maxConcurrent = maxConcurrent;
    this.#now = now;
    this.#ends = new Float64Array(maxPerSecond);
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get waiting(): number {
    return this.#waiters.length - this.#head;
  }

  /** Budget now, or undefined; never ahead of callers already waiting. */
  tryAcquire(): Release | undefined {
    return this.waiting > 0 ? undefined : this.#take();
  }

  /**
   * Budget as soon as there is some, in arrival order. Undefined when the signal ends the wait or
   * MAX_BUDGET_WAITERS are already waiting.
   */
  acquire(signal?: AbortSignal): Promise<Release | undefined> {
    if (signal?.aborted) return Promise.resolve(undefined);
    const now = this.tryAcquire();
    if (now) return Promise.resolve(now);
    if (this.waiting >= MAX_BUDGET_WAITERS) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter: Waiter = { grant: resolve, signal };
      const onAbort = () => {
        waiter.grant = () => undefined;
        resolve(undefined);
        this.#pump();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      waiter.grant = (release) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(release);
      };
      this.#waiters.push(waiter);
      this.#pump();
    });
  }

  #take(): Release | undefined {
    const now = this.#now();
    this.#forgetEndsBefore(now - WINDOW_MS);
    const secondFull = this.#inFlight + this.#endsCount >= this.maxPerSecond;
    if (secondFull || this.#inFlight >= this.maxConcurrent) return undefined;
    this.#inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight--;
      this.#ends[(this.#endsHead + this.#endsCount++) % this.maxPerSecond] = this.#now();
      this.#pump();
    };
  }

  #forgetEndsBefore(time: number): void {
    while (this.#endsCount > 0 && this.#ends[this.#endsHead] <= time) {
      this.#endsHead = (this.#endsHead + 1) % this.maxPerSecond;
      this.#endsCount--;
    }
  }

  /** Hands budget to waiters in order; looks again when the oldest ended call leaves the window. */
  #pump(): void {
    while (this.waiting > 0) {
      const waiter = this.#waiters[this.#head];
      if (waiter.signal?.aborted) {
        this.#dequeue();
        continue;
      }
      const release = this.#take();
      if (!release) break;
      this.#dequeue();
      waiter.grant(release);
    }
    if (this.waiting > 0 && this.#endsCount > 0 && !this.#timer) {
      const wait = WINDOW_MS - (this.#now() - this.#ends[this.#endsHead]);
      this.#timer = setTimeout(
        () => {
          this.#timer = undefined;
          this.#pump();
        },
        Math.max(1, Math.ceil(wait)),
      );
    }
  }

  #dequeue(): void {
    this.#head++;
    // Compact now and then, so a long queue is not shifted one element at a time.
    if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
      this.#waiters.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
