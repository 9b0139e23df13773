import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  DEFAULT_LIMITS,
  type LoginGuard,
  LoginThrottle,
  type ThrottleLimits,
  ipKey,
  nameKey,
} from './login-throttle.js';

/**
 * The login throttle of a cluster: failures are counted in Redis, so that guessing a password
 * through N nodes gets no more attempts than through one. Each key holds its failure times in a
 * sorted set, trimmed to the window and to the newest few, timed by Redis's clock.
 */
const RECORD_FAILURE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[1])
local keep = tonumber(ARGV[2])
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now, now .. ':' .. ARGV[3])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -(keep + 1))
  redis.call('PEXPIRE', KEYS[i], window)
end
return 1
`;

/** Locked while `limit` failures lie in the window: until the oldest of the last `limit` leaves it. */
const WAIT_MS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[1])
local wait = 0
for i = 1, #KEYS do
  local limit = tonumber(ARGV[i + 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[i])
  if count >= limit then
    local entry = redis.call('ZRANGE', KEYS[i], count - limit, count - limit, 'WITHSCORES')
    wait = math.max(wait, tonumber(entry[2]) + window - now)
  end
end
return wait
`;

const KEY_PREFIX = 'mnpd:login:';
/** A Redis that does not answer within this is treated as down for that attempt. */
const COMMAND_TIMEOUT_MS = 200;

interface ThrottleCommands {
  mnpdLoginFailure(name: string, ip: string, windowMs: number, keep: number, id: string): Promise<number>;
  mnpdLoginWait(name: string, ip: string, windowMs: number, perName: number, perIp: number): Promise<number>;
}

export class RedisLoginThrottle implements LoginGuard {
  readonly #redis: Redis;
  /**
   * This node's own count, kept as well: while Redis is away, logins are limited per node, as
   * without Redis, rather than not at all.
   */
  readonly #local: LoginThrottle;
  readonly #limits: ThrottleLimits;
  readonly #onError: (error: Error) => void;

  constructor(url: string, onError: (error: Error) => void = () => undefined, limits = DEFAULT_LIMITS) {
    this.#limits = limits;
    this.#local = new LoginThrottle(limits);
    this.#onError = onError;
    this.#redis = new Redis(url, { commandTimeout: COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1 });
    this.#redis.on('error', onError);
    this.#redis.defineCommand('mnpdLoginFailure', { numberOfKeys: 2, lua: RECORD_FAILURE });
    this.#redis.defineCommand('mnpdLoginWait', { numberOfKeys: 2, lua: WAIT_MS });
  }

  get #commands(): ThrottleCommands {
    return this.#redis as unknown as ThrottleCommands;
  }

  async retryAfterSeconds(role: string, name: string, ip: string): Promise<number> {
    const local = this.#local.retryAfterSeconds(role, name, ip);
    const { windowMs, perName, perIp } = this.#limits;
    try {
      const waitMs = await this.#commands.mnpdLoginWait(
        KEY_PREFIX + nameKey(role, name),
        KEY_PREFIX + ipKey(ip),
        windowMs,
        perName,
        perIp,
      );
      return Math.max(local, Math.ceil(Number(waitMs) / 1000));
    } catch (error) {
      this.#onError(error as Error);
      return local;
    }
  }

  async recordFailure(role: string, name: string, ip: string): Promise<void> {
    this.#local.recordFailure(role, name, ip);
    const { windowMs, perName, perIp } = this.#limits;
    try {
      await this.#commands.mnpdLoginFailure(
        KEY_PREFIX + nameKey(role, name),
        KEY_PREFIX + ipKey(ip),
        windowMs,
        Math.max(perName, perIp),
        randomUUID(),
      );
    } catch (error) {
      this.#onError(error as Error);
    }
  }

  async recordSuccess(role: string, name: string): Promise<void> {
    this.#local.recordSuccess(role, name);
    try {
      await this.#redis.del(KEY_PREFIX + nameKey(role, name));
    } catch (error) {
      this.#onError(error as Error);
    }
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}
