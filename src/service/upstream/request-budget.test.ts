import { describe, expect, it } from 'vitest';
import { MAX_BUDGET_WAITERS, RequestBudget } from './request-budget.js';

describe('a provider’s request budget', () => {
  it('counts a call in its second from its start until a second after it ended', () => {
    let now = 900;
    const budget = new RequestBudget(3, 100, () => now);
    const calls = [budget.tryAcquire()!, budget.tryAcquire()!, budget.tryAcquire()!];
    expect(budget.tryAcquire()).toBeUndefined();
    // A call still under way holds its place, however long it runs.
    now = 5000;
    expect(budget.tryAcquire()).toBeUndefined();
    now = 5050;
    calls.forEach((release) => release());
    // Ended, but within the last 1000 ms: a late request may have reached the provider just now.
    now = 5900;
    expect(budget.tryAcquire()).toBeUndefined();
    now = 6050;
    expect([budget.tryAcquire(), budget.tryAcquire(), budget.tryAcquire()].every(Boolean)).toBe(true);
    expect(budget.tryAcquire()).toBeUndefined();
  });

  it('holds at most maxConcurrent calls under way, and a release frees one slot once', () => {
    const budget = new RequestBudget(1000, 2);
    const first = budget.tryAcquire()!;
    budget.tryAcquire();
    expect(budget.tryAcquire()).toBeUndefined();
    expect(budget.inFlight).toBe(2);
    first();
    first();
    expect(budget.inFlight).toBe(1);
    expect(budget.tryAcquire()).toBeDefined();
    expect(budget.tryAcquire()).toBeUndefined();
  });

  it('lets waiting callers through in arrival order as calls end', async () => {
    const budget = new RequestBudget(1000, 1);
    const release = budget.tryAcquire()!;
    const order: number[] = [];
    const waits = [1, 2, 3].map((n) =>
      budget.acquire().then((next) => {
        order.push(n);
        setTimeout(() => next!(), 5);
      }),
    );
    expect(budget.waiting).toBe(3);
    // Waiting callers come first: no one jumps the queue with tryAcquire.
    release();
    expect(budget.tryAcquire()).toBeUndefined();
    await Promise.all(waits);
    expect(order).toEqual([1, 2, 3]);
  });

  it('lets a waiting caller through once the last second’s calls have left the window', async () => {
    const budget = new RequestBudget(2, 10);
    budget.tryAcquire()!();
    budget.tryAcquire()!();
    const started = performance.now();
    const release = await budget.acquire();
    expect(release).toBeDefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
  });

  it('ends a wait when the caller’s signal aborts, and refuses waiters past the limit', async () => {
    const budget = new RequestBudget(1000, 1);
    budget.tryAcquire();
    const controller = new AbortController();
    const waiting = budget.acquire(controller.signal);
    controller.abort();
    expect(await waiting).toBeUndefined();
    const many = Array.from({ length: MAX_BUDGET_WAITERS + 1 }, () => budget.acquire());
    expect(await many[MAX_BUDGET_WAITERS]).toBeUndefined();
  });
});
