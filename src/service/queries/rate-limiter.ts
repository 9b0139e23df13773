/**
 * Per-key queries-per-second limit as a token bucket: a key may burst up to one second's worth
 * and is refilled continuously. In memory, so per node; a cluster shares limits through Redis.
 */
export interface RateLimiter {
  /** Takes `count` tokens for the key; false when the key is over its limit. */
  take(key: string, perSecond: number, count?: number): boolean | Promise<boolean>;
  close?(): Promise<void>;
}

/** Buckets kept at most; past it the one used longest ago is dropped. */
export const MAX_BUCKETS = 100_000;

export class MemoryRateLimiter implements RateLimiter {
  /** In the order of last use, least recent first: a Map keeps insertion order, and a take re-inserts. */
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  take(key: string, perSecond: number, count = 1): boolean {
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (bucket) {
      this.#buckets.delete(key);
    } else {
      // The least recently used bucket has been idle longest: refilled, it is as good as new, so
      // dropping it forgets nothing a busy key needs.
      if (this.#buckets.size >= MAX_BUCKETS) this.#buckets.delete(this.#buckets.keys().next().value!);
      bucket = { tokens: perSecond, at: now };
    }
    this.#buckets.set(key, bucket);
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    if (bucket.tokens < count) return false;
    bucket.tokens -= count;
    return true;
  }
}
