import { describe, expect, it } from 'vitest';
import { MAX_BUCKETS, MemoryRateLimiter } from './rate-limiter.js';

/** A limiter on a clock the test moves by hand. */
function manualClock() {
  let now = 1_000;
  const limiter = new MemoryRateLimiter(() => now);
  return { limiter, advance: (ms: number) => (now += ms) };
}

describe('MemoryRateLimiter', () => {
  it('lets a new key burst up to one second’s worth, then refuses', () => {
    const { limiter } = manualClock();
    const taken = Array.from({ length: 7 }, () => limiter.take('k', 5));
    expect(taken).toEqual([true, true, true, true, true, false, false]);
  });

  it('refills continuously at the rate, never above one second’s worth', () => {
    const { limiter, advance } = manualClock();
    for (let i = 0; i < 10; i++) limiter.take('k', 10);
    expect(limiter.take('k', 10)).toBe(false);
    advance(99);
    expect(limiter.take('k', 10)).toBe(false);
    advance(1);
    expect(limiter.take('k', 10)).toBe(true);
    expect(limiter.take('k', 10)).toBe(false);
    advance(60_000);
    const taken = Array.from({ length: 12 }, () => limiter.take('k', 10)).filter(Boolean);
    expect(taken).toHaveLength(10);
  });

  it('keeps keys apart', () => {
    const { limiter } = manualClock();
    expect(limiter.take('a', 1)).toBe(true);
    expect(limiter.take('a', 1)).toBe(false);
    expect(limiter.take('b', 1)).toBe(true);
  });

  it('takes several tokens at once, all or none', () => {
    const { limiter, advance } = manualClock();
    expect(limiter.take('k', 10, 8)).toBe(true);
    expect(limiter.take('k', 10, 3)).toBe(false);
    expect(limiter.take('k', 10, 2)).toBe(true);
    expect(limiter.take('k', 10, 1)).toBe(false);
    advance(500);
    expect(limiter.take('k', 10, 6)).toBe(false);
    expect(limiter.take('k', 10, 5)).toBe(true);
  });

  it('refuses more tokens than one second holds', () => {
    const { limiter, advance } = manualClock();
    advance(3_600_000);
    expect(limiter.take('k', 10, 11)).toBe(false);
    expect(limiter.take('k', 10, 10)).toBe(true);
  });

  it('follows a changed rate for the same key', () => {
    const { limiter, advance } = manualClock();
    expect(limiter.take('k', 1)).toBe(true);
    expect(limiter.take('k', 1)).toBe(false);
    advance(100);
    // At 100 per second, 100 ms refills 10 tokens.
    const taken = Array.from({ length: 12 }, () => limiter.take('k', 100)).filter(Boolean);
    expect(taken).toHaveLength(10);
  });

  it('uses performance.now by default', () => {
    const real = new MemoryRateLimiter();
    expect(real.take('k', 2)).toBe(true);
    expect(real.take('k', 2)).toBe(true);
    expect(real.take('k', 2)).toBe(false);
  });

  it("keeps a busy key's bucket when it must forget one: the one idle longest goes", () => {
    const { limiter, advance } = manualClock();
    // The busy key came first, so it is the oldest created; it keeps being used.
    expect(limiter.take('busy', 2)).toBe(true);
    expect(limiter.take('busy', 2)).toBe(true);
    for (let i = 0; i < MAX_BUCKETS - 1; i++) limiter.take(`idle-${i}`, 1);
    advance(1);
    expect(limiter.take('busy', 2)).toBe(false);
    // A new key fills the limiter past its size: an idle key is forgotten, not the busy one.
    limiter.take('newcomer', 1);
    expect(limiter.take('busy', 2)).toBe(false);
  });
});
