import { describe, expect, it } from 'vitest';
import {
  FIRST_RETRY_DELAY_MS,
  GIVE_UP_AFTER_MS,
  MAX_DELIVERY_ATTEMPTS,
  MAX_RETRY_DELAY_MS,
  type NextAttempt,
  nextAttempt,
} from './retry-schedule.js';

const START = Date.parse('2025-03-01T00:00:00Z');

/** Every attempt of one event, each made the moment it is due, until the schedule gives up. */
function allAttempts(random: () => number): number[] {
  const times = [START];
  for (;;) {
    const next: NextAttempt = nextAttempt(times.length, START, times[times.length - 1], random);
    if ('giveUp' in next) return times;
    times.push(next.retryAt);
  }
}

describe('nextAttempt', () => {
  it('waits 30 s, then twice as long each time, capped at an hour, jittered within the upper half', () => {
    const delays = (random: () => number) =>
      [1, 2, 3, 4, 8, 9, 20].map((attempts) => {
        const next = nextAttempt(attempts, START, START, random);
        return 'retryAt' in next ? next.retryAt - START : -1;
      });
    const steps = [1, 2, 4, 8, 128, 256, 2 ** 19].map((factor) =>
      Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * factor),
    );
    expect(delays(() => 0)).toEqual(steps.map((step) => step / 2));
    expect(delays(() => 0.999999)).toEqual(steps.map((step) => Math.round(step / 2 + (0.999999 * step) / 2)));
  });

  it('spreads the retries of events that failed together', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const retries = Array.from(
      { length: 100 },
      () => (nextAttempt(3, START, START, random) as { retryAt: number }).retryAt,
    );
    expect(new Set(retries).size).toBeGreaterThan(90);
  });

  it('gives up once the next attempt would be more than 24 hours after the first', () => {
    for (const random of [() => 0, () => 0.5, () => 0.999999]) {
      const times = allAttempts(random);
      const last = times[times.length - 1];
      expect(last - START).toBeLessThanOrEqual(GIVE_UP_AFTER_MS);
      // The last attempt is late in the day: giving up did not come hours early.
      expect(last - START).toBeGreaterThan(GIVE_UP_AFTER_MS - MAX_RETRY_DELAY_MS);
      expect(times.length).toBeLessThan(MAX_DELIVERY_ATTEMPTS);
    }
    expect(allAttempts(() => 0)).toHaveLength(54);
    expect(allAttempts(() => 0.999999)).toHaveLength(30);
  });

  it('gives up at the attempt bound whatever the times say', () => {
    expect(nextAttempt(MAX_DELIVERY_ATTEMPTS, START, START)).toEqual({ giveUp: true });
    expect(() => nextAttempt(0, START, START)).toThrow(RangeError);
  });
});
