import { afterAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../../test-support/test-server.js';
import { postLogin } from '../../http/console/test-support/console-client.js';
import { TEST_PASSWORD, customerWithPassword } from '../../http/console/test-support/console-users.js';
import { LOGIN_WINDOW_MS, MAX_FAILURES_PER_IP, MAX_FAILURES_PER_NAME } from './login-throttle.js';
import { RedisLoginThrottle } from './redis-login-throttle.js';

/**
 * Runs against the Redis named by REDIS_URL (CI sets it); without it, skipped with the reason.
 * A REDIS_URL that does not answer fails the suite.
 */
const REDIS_URL = process.env.REDIS_URL || undefined;
if (!REDIS_URL)
  console.log('redis login throttle: skipped: REDIS_URL is not set (e.g. redis://127.0.0.1:6379)');

const unique = () => `test-${process.pid}-${Math.random().toString(36).slice(2)}`;
/** An address of its own per call: counts stay in Redis for the window, across test runs. */
const address = () => `198.51.100.1:${unique()}`;

describe.skipIf(!REDIS_URL)('RedisLoginThrottle', () => {
  const errors: Error[] = [];
  const nodeA = new RedisLoginThrottle(REDIS_URL!, (error) => errors.push(error));
  const nodeB = new RedisLoginThrottle(REDIS_URL!, (error) => errors.push(error));
  afterAll(async () => {
    await nodeA.close();
    await nodeB.close();
  });

  it('locks a name whose failures were spread over several nodes, on every node', async () => {
    const name = unique();
    const ip = address();
    for (let i = 0; i < MAX_FAILURES_PER_NAME - 1; i++) {
      await (i % 2 ? nodeA : nodeB).recordFailure('customer', name, ip);
    }
    expect(await nodeA.retryAfterSeconds('customer', name, ip)).toBe(0);
    await nodeA.recordFailure('customer', ` ${name.toUpperCase()} `, ip);
    for (const node of [nodeA, nodeB]) {
      const wait = await node.retryAfterSeconds('customer', name, address());
      expect(wait).toBeGreaterThan(LOGIN_WINDOW_MS / 1000 - 5);
      expect(wait).toBeLessThanOrEqual(LOGIN_WINDOW_MS / 1000);
    }
    // Another role's account of the same name is another account.
    expect(await nodeB.retryAfterSeconds('operator', name, address())).toBe(0);
    // A success on one node clears the name on all of them.
    await nodeB.recordSuccess('customer', name);
    expect(await nodeA.retryAfterSeconds('customer', name, address())).toBe(0);
    expect(errors).toEqual([]);
  });

  it('locks an address guessing many names through several nodes', async () => {
    const ip = address();
    for (let i = 0; i < MAX_FAILURES_PER_IP; i++) {
      await (i % 2 ? nodeA : nodeB).recordFailure('customer', unique(), ip);
    }
    expect(await nodeA.retryAfterSeconds('customer', unique(), ip)).toBeGreaterThan(0);
    expect(await nodeB.retryAfterSeconds('operator', unique(), ip)).toBeGreaterThan(0);
    expect(await nodeB.retryAfterSeconds('customer', unique(), address())).toBe(0);
    expect(errors).toEqual([]);
  });

  it('counts failures per node when Redis does not answer, and says so', async () => {
    const seen: Error[] = [];
    // Nothing listens on port 1: every command fails at once.
    const cut = new RedisLoginThrottle('redis://127.0.0.1:1', (error) => seen.push(error));
    try {
      const name = unique();
      for (let i = 0; i < MAX_FAILURES_PER_NAME; i++) await cut.recordFailure('customer', name, address());
      expect(await cut.retryAfterSeconds('customer', name, address())).toBeGreaterThan(0);
      expect(await cut.retryAfterSeconds('customer', unique(), address())).toBe(0);
      expect(seen.length).toBeGreaterThan(0);
    } finally {
      await cut.close();
    }
  });
});

describe.skipIf(!REDIS_URL)('a cluster of two servers counting failed logins through MNPD_REDIS_URL', () => {
  let first: TestServer;
  let second: TestServer;
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('locks a console login guessed on both nodes, on both nodes', async () => {
    // The client address comes from X-Forwarded-For, so that this run's failures lock an address
    // of its own and not 127.0.0.1 for the next runs within the window.
    const env = { MNPD_REDIS_URL: REDIS_URL!, MNPD_TRUSTED_PROXIES: '127.0.0.1' };
    first = await startTestServer('sqlite', env);
    second = await startTestServer('sqlite', { ...env, DATABASE_URL: `sqlite:${first.dataDir}/mnpd.sqlite` });
    const { name } = await customerWithPassword(first);
    const from = { 'X-Forwarded-For': `203.0.113.${Math.floor(Math.random() * 250) + 1}` };
    for (let i = 0; i < MAX_FAILURES_PER_NAME; i++) {
      const answer = await postLogin((i % 2 ? first : second).url, 'customer', name, `wrong ${i}`, from);
      expect(answer.status, answer.text()).toBe(401);
    }
    for (const server of [first, second]) {
      const answer = await postLogin(server.url, 'customer', name, TEST_PASSWORD, from);
      expect(answer.status).toBe(429);
      expect(answer.json().error.code).toBe('too_many_attempts');
    }
  });
});
