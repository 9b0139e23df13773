import { Redis } from 'ioredis';
import type { NonceClaim, NonceStore } from './nonce-store.js';

/** Keys in Redis are namespaced so that one Redis can serve other applications too. */
const KEY_PREFIX = 'mnpd:nonce:';
/** A Redis that does not answer within this fails the request instead of holding it. */
const COMMAND_TIMEOUT_MS = 200;

/**
 * The nonces of a whole cluster, in Redis: one `SET key 1 PX ttl NX` per claim, atomic in Redis,
 * so two nodes receiving the same request accept it once between them. Redis expires the keys.
 */
export class RedisNonceStore implements NonceStore {
  readonly #redis: Redis;

  constructor(url: string, onError: (error: Error) => void = () => undefined) {
    this.#redis = new Redis(url, { commandTimeout: COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1 });
    this.#redis.on('error', onError);
  }

  /** Throws when Redis does not answer: a replay check that cannot be made refuses the request. */
  async claim(nonce: string, expiresAt: number, now: number): Promise<NonceClaim> {
    const ttl = Math.max(1, Math.ceil(expiresAt - now));
    const set = await this.#redis.set(KEY_PREFIX + nonce, '1', 'PX', ttl, 'NX');
    return set === 'OK' ? 'fresh' : 'reused';
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
