import { afterAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../../test-support/test-server.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';

/**
 * Runs against the Redis named by REDIS_URL (CI sets it); without it, skipped with the reason.
 * A REDIS_URL that does not answer fails the suite.
 */
const REDIS_URL = process.env.REDIS_URL || undefined;
if (!REDIS_URL)
  console.log('redis rate limiter: skipped: REDIS_URL is not set (e.g. redis://127.0.0.1:6379)');

const unique = () => `test-${process.pid}-${Math.random().toString(36).slice(2)}`;

describe.skipIf(!REDIS_URL)('RedisRateLimiter', () => {
  const errors: Error[] = [];
  const nodeA = new RedisRateLimiter(REDIS_URL!, (error) => errors.push(error));
  const nodeB = new RedisRateLimiter(REDIS_URL!, (error) => errors.push(error));
  afterAll(async () => {
    await nodeA.close();
    await nodeB.close();
  });

  it('lets a key spend one second of its rate, shared by every node, then refuses', async () => {
    const key = unique();
    const answers: boolean[] = [];
    for (let i = 0; i < 10; i++) answers.push(await (i % 2 ? nodeA : nodeB).take(key, 6));
    expect(answers.filter(Boolean)).toHaveLength(6);
    expect(answers.slice(6)).toEqual([false, false, false, false]);
    expect(errors).toEqual([]);
  });

  it('refills the bucket over time and counts a request of several tokens', async () => {
    const key = unique();
    expect(await nodeA.take(key, 20, 20)).toBe(true);
    expect(await nodeB.take(key, 20, 1)).toBe(false);
    // 20 per second: at least 3 tokens back after 200 ms.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await nodeB.take(key, 20, 3)).toBe(true);
    expect(await nodeA.take(key, 20, 20)).toBe(false);
  });

  it('allows requests, and reports the error, when Redis does not answer', async () => {
    const seen: Error[] = [];
    const down = new RedisRateLimiter('redis://127.0.0.1:1', (error) => seen.push(error));
    expect(await down.take(unique(), 1, 1000)).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    await down.close();
  });
});

describe.skipIf(!REDIS_URL)('a cluster of two servers sharing limits through MNPD_REDIS_URL', () => {
  let first: TestServer;
  let second: TestServer;
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('refuses a key over its QPS whichever node it calls', async () => {
    first = await startTestServer('sqlite', { MNPD_REDIS_URL: REDIS_URL! });
    // Two nodes on one store, as a cluster on PostgreSQL would be.
    const shared = `sqlite:${first.dataDir}/mnpd.sqlite`;
    second = await startTestServer('sqlite', { MNPD_REDIS_URL: REDIS_URL!, DATABASE_URL: shared });
    const { apikey } = await first.account({ name: 'limited', qpsLimit: 4 });
    const ask = async (server: TestServer) =>
      (
        (await (await fetch(`${server.url}/carrier?apikey=${apikey}&mobile=13972565391`)).json()) as {
          code: number;
        }
      ).code;
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) codes.push(await ask(i % 2 ? first : second));
    expect(codes.filter((code) => code === 0).length).toBeLessThanOrEqual(5);
    expect(codes).toContain(-6);
  });
});
