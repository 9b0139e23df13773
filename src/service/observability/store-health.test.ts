import { describe, expect, it } from 'vitest';
import type { StoreLifecycle } from '../../store/store.js';
import { READY_PROBE_INTERVAL_MS, StoreHealth } from './store-health.js';

/** A store whose reads and writes fail when told to, counting the probes that reach it. */
function fakeStore() {
  const state = { readable: true, writable: true, pings: 0, writes: 0 };
  const store: Pick<StoreLifecycle, 'ping' | 'probeWrite'> = {
    async ping() {
      state.pings++;
      if (!state.readable) throw new Error('connection refused');
    },
    async probeWrite() {
      state.writes++;
      if (!state.writable) throw new Error('SQLITE_FULL: database or disk is full');
    },
  };
  return { store, state };
}

describe('StoreHealth', () => {
  it('is not ready while the store can be read but not written, and ready again once it can', async () => {
    const { store, state } = fakeStore();
    let now = 0;
    const health = new StoreHealth(store, () => now);
    expect(await health.readiness()).toEqual({ ready: true });
    state.writable = false;
    now += READY_PROBE_INTERVAL_MS;
    expect(await health.readiness()).toMatchObject({ ready: false, reason: 'not writable' });
    state.readable = false;
    now += READY_PROBE_INTERVAL_MS;
    expect(await health.readiness()).toMatchObject({ ready: false, reason: 'unreachable' });
    state.readable = true;
    state.writable = true;
    now += READY_PROBE_INTERVAL_MS;
    expect(await health.readiness()).toEqual({ ready: true });
  });

  it('asks the store at most once a probe interval, however often it is asked', async () => {
    const { store, state } = fakeStore();
    let now = 0;
    const health = new StoreHealth(store, () => now);
    await Promise.all(Array.from({ length: 50 }, () => health.readiness()));
    now += READY_PROBE_INTERVAL_MS - 1;
    await health.readiness();
    expect(state).toMatchObject({ pings: 1, writes: 1 });
    now += 1;
    await health.readiness();
    expect(state).toMatchObject({ pings: 2, writes: 2 });
  });
});
