import { Redis } from 'ioredis';
import type { RateLimiter } from './rate-limiter.js';

/**
 * The token bucket of MemoryRateLimiter, kept in Redis so that every node of a cluster spends
 * from the same bucket. One script call per request, atomic in Redis, timed by Redis's clock so
 * the nodes' clocks need not agree.
 */
const TAKE = `
local rate = tonumber(ARGV[1])
local count = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or rate
local at = tonumber(bucket[2]) or now
tokens = math.min(rate, tokens + (now - at) / 1000 * rate)
local allowed = 0
if tokens >= count then
  tokens = tokens - count
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], 2000)
return allowed
`;

/** Keys in Redis are namespaced so that one Redis can serve other applications too. */
const KEY_PREFIX = 'mnpd:rate:';
/** A Redis that does not answer within this is treated as down for that request. */
const COMMAND_TIMEOUT_MS = 100;

export class RedisRateLimiter implements RateLimiter {
  readonly #redis: Redis;
  readonly #onError: (error: Error) => void;

  /**
   * When Redis cannot answer, requests are allowed (and the error reported): a rate limiter
   * outage must not stop the paid traffic it only shapes.
   */
  constructor(url: string, onError: (error: Error) => void = () => undefined) {
    this.#onError = onError;
    this.#redis = new Redis(url, {
      commandTimeout: COMMAND_TIMEOUT_MS,
      // Commands issued while connecting wait for it; a Redis that stays away costs each one at
      // most the command timeout.
      maxRetriesPerRequest: 1,
    });
    this.#redis.on('error', onError);
    this.#redis.defineCommand('mnpdTake', { numberOfKeys: 1, lua: TAKE });
  }

  async take(key: string, perSecond: number, count = 1): Promise<boolean> {
    try {
      const take = (
        this.#redis as unknown as { mnpdTake(key: string, rate: number, count: number): Promise<number> }
      ).mnpdTake;
      return (await take.call(this.#redis, KEY_PREFIX + key, perSecond, count)) === 1;
    } catch (error) {
      this.#onError(error as Error);
      return true;
    }
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}
