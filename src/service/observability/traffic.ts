/**
 * What this node answered in the last minutes, second by second, for the operator's live charts:
 * requests, result codes and latency percentiles. In memory and bounded: a ring of one slot per
 * second, each with a fixed log-scale latency histogram instead of samples.
 */

import type { TrafficSecond, TrafficSummary } from '../../wire/console-api.js';

export type { TrafficSecond, TrafficSummary } from '../../wire/console-api.js';

/** Seconds of history kept. */
export const TRAFFIC_WINDOW_SECONDS = 300;
/** Histogram bucket upper bounds in ms: 0.1 ms to ~13 s, about 12% apart. */
const BOUNDS_MS = Array.from({ length: 100 }, (_, i) => 0.1 * 1.125 ** i);

interface Slot {
  second: number;
  requests: number;
  codes: Map<number, number>;
  buckets: Uint32Array;
}

function bucketOf(ms: number): number {
  let low = 0;
  let high = BOUNDS_MS.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (BOUNDS_MS[mid] >= ms) high = mid;
    else low = mid + 1;
  }
  return low;
}

function percentile(buckets: Uint32Array, total: number, q: number): number | null {
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i];
    if (seen >= rank) return Math.round(BOUNDS_MS[i] * 100) / 100;
  }
  return BOUNDS_MS[BOUNDS_MS.length - 1];
}

export class TrafficMonitor {
  readonly #slots: Slot[] = Array.from({ length: TRAFFIC_WINDOW_SECONDS }, () => ({
    second: -1,
    requests: 0,
    codes: new Map(),
    buckets: new Uint32Array(BOUNDS_MS.length),
  }));

  constructor(private readonly now: () => number = Date.now) {}

  /** One answer with its result code and the time it took. */
  record(code: number, latencyMs: number): void {
    const second = Math.floor(this.now() / 1000);
    const slot = this.#slots[second % TRAFFIC_WINDOW_SECONDS];
    if (slot.second !== second) {
      slot.second = second;
      slot.requests = 0;
      slot.codes.clear();
      slot.buckets.fill(0);
    }
    slot.requests += 1;
    slot.codes.set(code, (slot.codes.get(code) ?? 0) + 1);
    slot.buckets[bucketOf(latencyMs)] += 1;
  }

  /** The last `seconds` whole seconds (the current one excluded: it is still filling), oldest first. */
  summary(seconds = TRAFFIC_WINDOW_SECONDS): TrafficSummary {
    const span = Math.min(Math.max(1, Math.floor(seconds)), TRAFFIC_WINDOW_SECONDS - 1);
    const current = Math.floor(this.now() / 1000);
    const all = new Uint32Array(BOUNDS_MS.length);
    const codes: Record<string, number> = {};
    let requests = 0;
    const out: TrafficSecond[] = [];
    for (let second = current - span; second < current; second++) {
      const slot = this.#slots[second % TRAFFIC_WINDOW_SECONDS];
      if (slot.second !== second) {
        out.push({ second, requests: 0, codes: {}, p50Ms: null, p99Ms: null });
        continue;
      }
      const slotCodes: Record<string, number> = {};
      for (const [code, count] of slot.codes) {
        slotCodes[code] = count;
        codes[code] = (codes[code] ?? 0) + count;
      }
      for (let i = 0; i < all.length; i++) all[i] += slot.buckets[i];
      requests += slot.requests;
      out.push({
        second,
        requests: slot.requests,
        codes: slotCodes,
        p50Ms: percentile(slot.buckets, slot.requests, 0.5),
        p99Ms: percentile(slot.buckets, slot.requests, 0.99),
      });
    }
    return {
      seconds: out,
      requests,
      codes,
      p50Ms: percentile(all, requests, 0.5),
      p90Ms: percentile(all, requests, 0.9),
      p99Ms: percentile(all, requests, 0.99),
    };
  }
}
