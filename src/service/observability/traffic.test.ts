import { describe, expect, it } from 'vitest';
import { TRAFFIC_WINDOW_SECONDS, TrafficMonitor } from './traffic.js';

describe('TrafficMonitor', () => {
  it('counts requests and codes per second and estimates percentiles within a bucket', () => {
    let now = 1_000_000_000;
    const traffic = new TrafficMonitor(() => now);
    for (let i = 1; i <= 100; i++) traffic.record(i <= 90 ? 0 : -5, i / 10);
    now += 1000;
    traffic.record(0, 50);
    now += 1000;
    const summary = traffic.summary(5);
    expect(summary.seconds).toHaveLength(5);
    expect(summary.seconds.map((s) => s.requests)).toEqual([0, 0, 0, 100, 1]);
    expect(summary.requests).toBe(101);
    expect(summary.codes).toEqual({ '0': 91, '-5': 10 });
    expect(summary.seconds[3].codes).toEqual({ '0': 90, '-5': 10 });
    // Latencies 0.1..10 ms: the median is 5 ms, the 99th 9.9 ms; buckets are 12.5% wide.
    expect(summary.seconds[3].p50Ms).toBeGreaterThanOrEqual(5);
    expect(summary.seconds[3].p50Ms).toBeLessThan(5 * 1.125);
    expect(summary.seconds[3].p99Ms).toBeGreaterThanOrEqual(9.9);
    expect(summary.seconds[3].p99Ms).toBeLessThan(9.9 * 1.125);
    expect(summary.seconds[0].p50Ms).toBeNull();
  });

  it('forgets seconds older than its window', () => {
    let now = 5_000_000;
    const traffic = new TrafficMonitor(() => now);
    traffic.record(0, 1);
    now += TRAFFIC_WINDOW_SECONDS * 1000;
    traffic.record(0, 1);
    now += 1000;
    expect(traffic.summary().requests).toBe(1);
  });
});
