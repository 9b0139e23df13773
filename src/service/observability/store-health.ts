/**
 * Whether the store can take charges now, for /readyz: it answers a read and commits a write. A
 * load balancer may ask every second per node; the answer is kept that long so the probe's write
 * costs one small commit a second at most, whatever asks.
 */
import type { StoreLifecycle } from '../../store/store.js';

export const READY_PROBE_INTERVAL_MS = 1000;

export type StoreReadiness =
  { ready: true } | { ready: false; reason: 'unreachable' | 'not writable'; error: Error };

export class StoreHealth {
  #last: { at: number; readiness: Promise<StoreReadiness> } | undefined;

  constructor(
    private readonly store: Pick<StoreLifecycle, 'ping' | 'probeWrite'>,
    private readonly now: () => number = Date.now,
  ) {}

  readiness(): Promise<StoreReadiness> {
    const now = this.now();
    if (this.#last && now - this.#last.at < READY_PROBE_INTERVAL_MS) return this.#last.readiness;
    const readiness = this.#probe();
    this.#last = { at: now, readiness };
    return readiness;
  }

  async #probe(): Promise<StoreReadiness> {
    try {
      await this.store.ping();
    } catch (error) {
      return { ready: false, reason: 'unreachable', error: error as Error };
    }
    try {
      await this.store.probeWrite();
      return { ready: true };
    } catch (error) {
      return { ready: false, reason: 'not writable', error: error as Error };
    }
  }
}
