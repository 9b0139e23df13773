import { describe, expect, it } from 'vitest';
import { transient } from './outcome.js';
import { LATENCY_SAMPLES, ProviderStats, RATE_WINDOW_SECONDS } from './provider-stats.js';

const ANSWER = { kind: 'answer', code: '0', answer: { carrier: 0, ported: false } } as const;
/** 2025-03-01 00:00 in China (UTC+8). */
const CHINA_MIDNIGHT = Date.parse('2025-02-28T16:00:00Z');

describe('a provider’s statistics', () => {
  it('averages calls per second over the last whole seconds', () => {
    let now = CHINA_MIDNIGHT + 100_000;
    const stats = new ProviderStats(3, () => now);
    for (let second = 0; second < RATE_WINDOW_SECONDS; second++) {
      for (let i = 0; i < 5; i++) stats.record(ANSWER, 10);
      now += 1000;
    }
    expect(stats.view().callsPerSecond).toBe(5);
    now += 5000;
    expect(stats.view().callsPerSecond).toBe(2.5);
    now += 60_000;
    expect(stats.view().callsPerSecond).toBe(0);
    expect(stats.view().calls).toBe(50);
  });

  it('takes p50 and p99 over the last calls', () => {
    const stats = new ProviderStats(0);
    for (let ms = 1; ms <= 100; ms++) stats.record(ANSWER, ms);
    expect(stats.view().latencyMs).toEqual({ p50: 50, p99: 99, samples: 100 });
    for (let i = 0; i < LATENCY_SAMPLES; i++) stats.record(ANSWER, 7);
    expect(stats.view().latencyMs).toEqual({ p50: 7, p99: 7, samples: LATENCY_SAMPLES });
  });

  it('counts outcomes, failure reasons, and spending of the China day', () => {
    let now = CHINA_MIDNIGHT - 1000;
    const stats = new ProviderStats(2.5, () => now);
    stats.record(ANSWER, 1);
    stats.record(transient('timeout', 'slow'), 800);
    expect(stats.view()).toMatchObject({ callsToday: 2, answersToday: 1, costTodayFen: 2.5 });
    now = CHINA_MIDNIGHT + 1000;
    expect(stats.view()).toMatchObject({ callsToday: 0, answersToday: 0, costTodayFen: 0, calls: 2 });
    stats.record(ANSWER, 1);
    stats.record(ANSWER, 1);
    stats.record({ kind: 'operator', reason: 'bad-key', detail: '', code: '-1' }, 1);
    expect(stats.view()).toMatchObject({
      callsToday: 3,
      answersToday: 2,
      costTodayFen: 5,
      outcomes: { answer: 3, 'not-found': 0, refused: 0, transient: 1, operator: 1 },
      failures: { timeout: 1, 'bad-key': 1 },
    });
  });

  it('has no latency before the first call', () => {
    expect(new ProviderStats(1).view()).toMatchObject({ calls: 0, latencyMs: null, callsPerSecond: 0 });
  });
});
