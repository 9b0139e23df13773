import { describe, expect, it } from 'vitest';
import {
  LOGIN_WINDOW_MS,
  LoginThrottle,
  MAX_FAILURES_PER_IP,
  MAX_FAILURES_PER_NAME,
} from './login-throttle.js';

function throttleAt(start = 1_000_000) {
  const clock = { now: start };
  return { clock, throttle: new LoginThrottle(undefined, () => clock.now) };
}

describe('LoginThrottle', () => {
  it('locks a name after its fifth failure until the first of them leaves the window', () => {
    const { clock, throttle } = throttleAt();
    for (let i = 0; i < MAX_FAILURES_PER_NAME; i++) {
      expect(throttle.retryAfterSeconds('customer', 'acme', '10.0.0.1')).toBe(0);
      throttle.recordFailure('customer', 'acme', '10.0.0.1');
      clock.now += 60_000;
    }
    // The first failure was 5 minutes ago: it leaves the window in 10 minutes.
    expect(throttle.retryAfterSeconds('customer', 'acme', '10.0.0.2')).toBe(600);
    clock.now += 600_000 - 1;
    expect(throttle.retryAfterSeconds('customer', 'acme', '10.0.0.2')).toBe(1);
    clock.now += 1;
    expect(throttle.retryAfterSeconds('customer', 'acme', '10.0.0.2')).toBe(0);
  });

  it('counts a name whatever its case and spaces, separately per role', () => {
    const { throttle } = throttleAt();
    for (const name of ['Acme', 'ACME', ' acme', 'acme ', 'acme'])
      throttle.recordFailure('customer', name, '10.0.0.1');
    expect(throttle.retryAfterSeconds('customer', 'aCmE', '10.9.9.9')).toBeGreaterThan(0);
    expect(throttle.retryAfterSeconds('operator', 'acme', '10.9.9.9')).toBe(0);
    expect(throttle.retryAfterSeconds('customer', 'other', '10.9.9.9')).toBe(0);
  });

  it('clears a name on success, but not its address', () => {
    const { throttle } = throttleAt();
    for (let i = 0; i < MAX_FAILURES_PER_NAME - 1; i++)
      throttle.recordFailure('customer', 'acme', '10.0.0.1');
    throttle.recordSuccess('customer', 'acme');
    for (let i = 0; i < MAX_FAILURES_PER_NAME - 1; i++)
      throttle.recordFailure('customer', 'acme', '10.0.0.1');
    expect(throttle.retryAfterSeconds('customer', 'acme', '10.0.0.2')).toBe(0);
    // 8 failures from 10.0.0.1 are still counted against it.
    for (let i = 0; i < MAX_FAILURES_PER_IP - 8; i++) throttle.recordFailure('customer', `n${i}`, '10.0.0.1');
    expect(throttle.retryAfterSeconds('customer', 'fresh', '10.0.0.1')).toBe(LOGIN_WINDOW_MS / 1000);
    expect(throttle.retryAfterSeconds('customer', 'fresh', '10.0.0.2')).toBe(0);
  });

  it('locks an address after 20 failures over many names', () => {
    const { throttle } = throttleAt();
    for (let i = 0; i < MAX_FAILURES_PER_IP - 1; i++)
      throttle.recordFailure('customer', `name${i}`, '10.0.0.1');
    expect(throttle.retryAfterSeconds('customer', 'another', '10.0.0.1')).toBe(0);
    throttle.recordFailure('operator', 'admin', '10.0.0.1');
    expect(throttle.retryAfterSeconds('customer', 'another', '10.0.0.1')).toBe(LOGIN_WINDOW_MS / 1000);
  });

  it('forgets failures older than the window', () => {
    const { clock, throttle } = throttleAt();
    for (let i = 0; i < MAX_FAILURES_PER_NAME - 1; i++)
      throttle.recordFailure('customer', 'acme', '10.0.0.1');
    clock.now += LOGIN_WINDOW_MS;
    throttle.recordFailure('customer', 'acme', '10.0.0.1');
    expect(throttle.retryAfterSeconds('customer', 'acme', '10.0.0.1')).toBe(0);
  });
});
