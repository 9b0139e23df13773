/**
 * Slows password guessing: after too many failed logins in a window, further attempts for the
 * same name (or from the same address) are refused until the window has passed. LoginThrottle
 * counts in memory, for one node; with Redis configured, RedisLoginThrottle (redis-login-throttle.ts)
 * counts for the whole cluster.
 */

export const LOGIN_WINDOW_MS = 15 * 60_000;
/** Failures for one (role, name) within the window before it is locked. */
export const MAX_FAILURES_PER_NAME = 5;
/** Failures from one client address within the window, whatever the names. */
export const MAX_FAILURES_PER_IP = 20;
/** Names and addresses tracked at once; past this the oldest are forgotten first. */
const MAX_TRACKED = 100_000;

export interface ThrottleLimits {
  windowMs: number;
  perName: number;
  perIp: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = {
  windowMs: LOGIN_WINDOW_MS,
  perName: MAX_FAILURES_PER_NAME,
  perIp: MAX_FAILURES_PER_IP,
};

/** What the logins of a server ask before checking a password, and tell after. */
export interface LoginGuard {
  /** Seconds until the next attempt may be made, or 0 when it may be made now. */
  retryAfterSeconds(role: string, name: string, ip: string): number | Promise<number>;
  recordFailure(role: string, name: string, ip: string): void | Promise<void>;
  /** A successful login clears its name; the address keeps its count (it may be guessing others). */
  recordSuccess(role: string, name: string): void | Promise<void>;
  close?(): Promise<void>;
}

/** The guard of one node, in memory. */
export class LoginThrottle implements LoginGuard {
  /** Failure times per key, oldest first; a Map keeps keys in the order they were first seen. */
  readonly #failures = new Map<string, number[]>();

  constructor(
    private readonly limits: ThrottleLimits = DEFAULT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the next attempt may be made, or 0 when it may be made now. */
  retryAfterSeconds(role: string, name: string, ip: string): number {
    const now = this.now();
    const wait = Math.max(
      this.#waitMs(nameKey(role, name), this.limits.perName, now),
      this.#waitMs(ipKey(ip), this.limits.perIp, now),
    );
    return Math.ceil(wait / 1000);
  }

  recordFailure(role: string, name: string, ip: string): void {
    const now = this.now();
    this.#add(nameKey(role, name), now);
    this.#add(ipKey(ip), now);
  }

  /** A successful login clears its name; the address keeps its count (it may be guessing others). */
  recordSuccess(role: string, name: string): void {
    this.#failures.delete(nameKey(role, name));
  }

  #recent(key: string, now: number): number[] {
    const times = this.#failures.get(key);
    if (!times) return [];
    const recent = times.filter((time) => time > now - this.limits.windowMs);
    if (recent.length === 0) this.#failures.delete(key);
    else if (recent.length !== times.length) this.#failures.set(key, recent);
    return recent;
  }

  /** Locked while `limit` failures lie in the window: until the oldest of the last `limit` leaves it. */
  #waitMs(key: string, limit: number, now: number): number {
    const recent = this.#recent(key, now);
    if (recent.length < limit) return 0;
    return recent[recent.length - limit] + this.limits.windowMs - now;
  }

  #add(key: string, now: number): void {
    const recent = this.#recent(key, now);
    // Only the newest failures matter for the lock; a bound keeps one key's list small.
    const kept = [...recent.slice(-(Math.max(this.limits.perName, this.limits.perIp) - 1)), now];
    this.#failures.delete(key);
    this.#failures.set(key, kept);
    if (this.#failures.size > MAX_TRACKED) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
  }
}

export function nameKey(role: string, name: string): string {
  // Case and surrounding spaces must not give an attacker fresh attempts at the same account.
  return `n:${role}:${name.trim().toLowerCase()}`;
}

export function ipKey(ip: string): string {
  return `i:${ip}`;
}
