import type { NonceClaim, NonceStore } from './nonce-store.js';

/**
 * At most this many nonces are remembered by one node (about 40 MB): 15 minutes of 270 signed
 * requests per second. Busier deployments share a Redis store, which has no such bound.
 */
export const MAX_REMEMBERED_NONCES = 250_000;
/** Expired entries removed per claim: enough to keep up with any rate of claims. */
const SWEEP_PER_CLAIM = 8;

/**
 * The nonces of one node, in memory. When full it forgets the oldest entry and remembers the
 * latest expiry it forgot (`#forgottenUntil`): a request expiring no later than that may be a
 * replay of a forgotten nonce (a replay carries the same timestamp, so the same expiry), and is
 * refused as `full`. Newer requests are unaffected, so correctness never depends on the bound.
 */
export class MemoryNonceStore implements NonceStore {
  /** Nonce → expiry, in insertion order, which is close to expiry order. */
  readonly #expiries = new Map<string, number>();
  readonly #capacity: number;
  #forgottenUntil = 0;

  constructor(capacity = MAX_REMEMBERED_NONCES) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#expiries.size;
  }

  async claim(nonce: string, expiresAt: number, now: number): Promise<NonceClaim> {
    this.#sweep(now);
    const known = this.#expiries.get(nonce);
    if (known !== undefined && known > now) return 'reused';
    if (expiresAt <= this.#forgottenUntil) return 'full';
    // An expired entry is moved to the end, where its new expiry belongs.
    if (known !== undefined) this.#expiries.delete(nonce);
    else if (this.#expiries.size >= this.#capacity) this.#forgetOldest();
    this.#expiries.set(nonce, expiresAt);
    return 'fresh';
  }

  #sweep(now: number): void {
    let budget = SWEEP_PER_CLAIM;
    for (const [nonce, expiry] of this.#expiries) {
      if (expiry > now || budget-- === 0) return;
      this.#expiries.delete(nonce);
    }
  }

  #forgetOldest(): void {
    const [nonce, expiry] = this.#expiries.entries().next().value as [string, number];
    this.#expiries.delete(nonce);
    this.#forgottenUntil = Math.max(this.#forgottenUntil, expiry);
  }
}
