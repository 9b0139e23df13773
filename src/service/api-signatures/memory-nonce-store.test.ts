import { describe, expect, it } from 'vitest';
import { MemoryNonceStore } from './memory-nonce-store.js';

const NOW = 1_000_000;

describe('MemoryNonceStore', () => {
  it('accepts a nonce once until it expires, then again', async () => {
    const store = new MemoryNonceStore();
    expect(await store.claim('a', NOW + 100, NOW)).toBe('fresh');
    expect(await store.claim('a', NOW + 100, NOW + 99)).toBe('reused');
    expect(await store.claim('b', NOW + 100, NOW + 50)).toBe('fresh');
    expect(await store.claim('a', NOW + 300, NOW + 100)).toBe('fresh');
    expect(await store.claim('a', NOW + 300, NOW + 200)).toBe('reused');
  });

  it('forgets expired nonces as it goes, so it does not grow with time', async () => {
    const store = new MemoryNonceStore(1000);
    for (let i = 0; i < 10_000; i++) expect(await store.claim(`n${i}`, NOW + i + 10, NOW + i)).toBe('fresh');
    expect(store.size).toBeLessThanOrEqual(20);
  });

  it('when full, forgets the oldest and refuses what may be a replay of it, but not newer requests', async () => {
    const store = new MemoryNonceStore(3);
    for (const [nonce, expiry] of [
      ['a', 500],
      ['b', 400],
      ['c', 600],
    ] as const) {
      expect(await store.claim(nonce, NOW + expiry, NOW)).toBe('fresh');
    }
    expect(await store.claim('d', NOW + 700, NOW)).toBe('fresh');
    expect(store.size).toBe(3);
    // 'a' (expiring at +500) was forgotten: its replay cannot be told from a new request, so no
    // request expiring at or before +500 is taken any more; 'b' is still remembered.
    expect(await store.claim('a', NOW + 500, NOW)).toBe('full');
    expect(await store.claim('z', NOW + 450, NOW)).toBe('full');
    expect(await store.claim('b', NOW + 400, NOW)).toBe('reused');
    expect(await store.claim('e', NOW + 800, NOW)).toBe('fresh');
    expect(await store.claim('d', NOW + 700, NOW)).toBe('reused');
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new MemoryNonceStore(0)).toThrow(RangeError);
  });
});
