import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisNonceStore } from './redis-nonce-store.js';

/**
 * Runs against the Redis named by REDIS_URL (CI sets it); without it, skipped with the reason.
 * A REDIS_URL that does not answer fails the suite.
 */
const REDIS_URL = process.env.REDIS_URL || undefined;
if (!REDIS_URL) console.log('redis nonce store: skipped: REDIS_URL is not set (e.g. redis://127.0.0.1:6379)');

describe.skipIf(!REDIS_URL)('RedisNonceStore', () => {
  const errors: Error[] = [];
  const nodeA = new RedisNonceStore(REDIS_URL!, (error) => errors.push(error));
  const nodeB = new RedisNonceStore(REDIS_URL!, (error) => errors.push(error));
  afterAll(async () => {
    await nodeA.close();
    await nodeB.close();
  });

  it('accepts a nonce once across the nodes of a cluster', async () => {
    const nonce = randomUUID();
    const now = Date.now();
    const claims = await Promise.all([
      nodeA.claim(nonce, now + 60_000, now),
      nodeB.claim(nonce, now + 60_000, now),
      nodeA.claim(nonce, now + 60_000, now),
    ]);
    expect(claims.sort()).toEqual(['fresh', 'reused', 'reused']);
    expect(errors).toEqual([]);
  });

  it('lets Redis forget a nonce when its timestamp goes stale', async () => {
    const nonce = randomUUID();
    const now = Date.now();
    expect(await nodeA.claim(nonce, now + 150, now)).toBe('fresh');
    expect(await nodeB.claim(nonce, now + 150, now)).toBe('reused');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await nodeB.claim(nonce, Date.now() + 150, Date.now())).toBe('fresh');
  });

  it('throws when Redis does not answer, so that the request is refused', async () => {
    const down = new RedisNonceStore('redis://127.0.0.1:1');
    await expect(down.claim(randomUUID(), Date.now() + 1000, Date.now())).rejects.toThrow();
    await down.close();
  });
});
