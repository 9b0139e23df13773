/** API jobs and their callbacks in the store, on every engine. */
import { describe, expect, it } from 'vitest';
import { StoreError } from './store.js';
import {
  logSkippedEngines,
  storeEngines,
  storeForThisSuite,
  uniqueName,
} from './test-support/store-engines.js';

logSkippedEngines('callback store tests');

for (const engine of storeEngines) {
  describe.skipIf(engine.skipReason !== undefined)(`API jobs and callbacks on ${engine.name}`, () => {
    const { store, withSecondStore } = storeForThisSuite(engine);

    async function account() {
      return store.createAccount({ name: uniqueName('cb'), feeType: 'prepaid', balance: 10 });
    }

    function apiJob(accountId: number, requestId?: string, callbackUrl?: string) {
      return store.createBatchJob({
        accountId,
        fileName: 'api.json',
        entries: ['13800138000', '13972565391'],
        invalid: 0,
        duplicates: 0,
        origin: 'api',
        requestId,
        callbackUrl,
        resultsBase: 'http://mnpd.test',
        queued: true,
      });
    }

    it('creates an API job queued, one per requestId and account', async () => {
      const alice = await account();
      const bob = await account();
      const job = await apiJob(alice.id, 'order-1', 'https://hooks.example.com/x');
      expect(job).toMatchObject({
        status: 'queued',
        origin: 'api',
        requestId: 'order-1',
        callbackUrl: 'https://hooks.example.com/x',
      });
      await expect(apiJob(alice.id, 'order-1')).rejects.toThrow(StoreError);
      expect(await store.findBatchJobByRequestId(alice.id, 'order-1')).toEqual(job);
      // Another account's requestId is its own.
      expect((await apiJob(bob.id, 'order-1')).accountId).toBe(bob.id);
      expect(await store.findBatchJobByRequestId(bob.id, 'order-2')).toBeUndefined();
      // Jobs without a requestId never clash.
      await apiJob(alice.id);
      await apiJob(alice.id);
      const console = await store.createBatchJob({
        accountId: alice.id,
        fileName: 'n.txt',
        entries: ['13800138000'],
        invalid: 0,
        duplicates: 0,
      });
      expect(console).toMatchObject({
        status: 'draft',
        origin: 'console',
        requestId: null,
        callbackUrl: null,
      });
    });

    it('keeps the callback secret apart from the account, replaced with its audit entry', async () => {
      const alice = await account();
      expect(await store.callbackSecret(alice.id)).toBeNull();
      await store.setCallbackSecret(alice.id, 'cbsec_one', {
        operator: 'cli:test',
        action: 'account.callback_secret',
        target: `account:${alice.id}`,
        details: '{}',
        ip: '',
      });
      await store.setCallbackSecret(alice.id, 'cbsec_two');
      expect(await store.callbackSecret(alice.id)).toBe('cbsec_two');
      expect(JSON.stringify(await store.getAccount(alice.id))).not.toContain('cbsec');
      await expect(store.setCallbackSecret(999_999_999, 'x')).rejects.toThrow(StoreError);
      const audit = await store.auditLog();
      expect(audit.rows.some((row) => row.action === 'account.callback_secret')).toBe(true);
    });

    it('makes an ended job event once, leases it to one owner, records attempts until delivered', async () => {
      const alice = await account();
      const job = await apiJob(alice.id, undefined, 'https://hooks.example.com/y');
      expect((await store.callbacksDue(100)).map((due) => due.job.id)).not.toContain(job.id);
      await store.transitionBatchJob(alice.id, job.id, ['queued'], 'cancelled', 'cancelled by the customer');
      const due = (await store.callbacksDue(100)).find((entry) => entry.job.id === job.id);
      expect(due).toMatchObject({
        callbackUrl: 'https://hooks.example.com/y',
        resultsBase: 'http://mnpd.test',
      });

      const delivery = {
        eventId: `evt_${job.id}_${engine.engine}`,
        jobId: job.id,
        url: due!.callbackUrl,
        body: '{}',
      };
      // A second node that saw the same end makes nothing.
      const made = await Promise.all([
        store.createCallbackDelivery(delivery),
        withSecondStore((other) => other.createCallbackDelivery({ ...delivery, eventId: 'evt_other' })),
      ]);
      expect(made.filter(Boolean)).toHaveLength(1);
      expect((await store.callbacksDue(100)).map((entry) => entry.job.id)).not.toContain(job.id);

      const [first, second] = await Promise.all([
        store.claimDueCallbacks('node-a', 30_000, 10),
        withSecondStore((other) => other.claimDueCallbacks('node-b', 30_000, 10)),
      ]);
      const mine = [...first, ...second].filter((entry) => entry.jobId === job.id);
      expect(mine).toHaveLength(1);
      const owner = first.some((entry) => entry.jobId === job.id) ? 'node-a' : 'node-b';
      const other = owner === 'node-a' ? 'node-b' : 'node-a';
      const { eventId } = mine[0];

      const startedAt = new Date(Date.now() - 1000);
      const retryAt = new Date(Date.now() - 1);
      expect(
        await store.recordCallbackAttempt(eventId, other, {
          status: 'pending',
          outcome: 'failed',
          httpStatus: 503,
          error: 'HTTP 503',
          startedAt,
          durationMs: 12,
          nextAttemptAt: retryAt,
        }),
      ).toBe(false);
      expect(
        await store.recordCallbackAttempt(eventId, owner, {
          status: 'pending',
          outcome: 'failed',
          httpStatus: 503,
          error: 'HTTP 503',
          startedAt,
          durationMs: 12,
          nextAttemptAt: retryAt,
        }),
      ).toBe(true);
      const again = await store.claimDueCallbacks(owner, 30_000, 10);
      expect(again.find((entry) => entry.eventId === eventId)).toMatchObject({
        attempts: 1,
        status: 'pending',
      });
      await store.recordCallbackAttempt(eventId, owner, {
        status: 'delivered',
        outcome: 'delivered',
        httpStatus: 200,
        error: null,
        startedAt: new Date(),
        durationMs: 5,
        nextAttemptAt: null,
      });
      expect((await store.claimDueCallbacks(owner, 30_000, 10)).map((entry) => entry.eventId)).not.toContain(
        eventId,
      );
      const history = await store.callbackHistory(alice.id, job.id);
      expect(history?.delivery).toMatchObject({ status: 'delivered', attempts: 2, eventId });
      expect(history?.delivery.firstAttemptAt?.getTime()).toBe(startedAt.getTime());
      expect(history?.attempts).toMatchObject([
        { attempt: 1, outcome: 'failed', httpStatus: 503, error: 'HTTP 503', nextAttemptAt: retryAt },
        { attempt: 2, outcome: 'delivered', httpStatus: 200, error: null, nextAttemptAt: null },
      ]);
      // Another account sees nothing of it.
      expect(await store.callbackHistory((await account()).id, job.id)).toBeUndefined();
    });

    it('lets another owner take a lease that ran out, and releases leases on close', async () => {
      const alice = await account();
      const job = await apiJob(alice.id, undefined, 'https://hooks.example.com/z');
      await store.transitionBatchJob(alice.id, job.id, ['queued'], 'cancelled');
      await store.createCallbackDelivery({
        eventId: `evt_lease_${job.id}`,
        jobId: job.id,
        url: 'u',
        body: '{}',
      });
      const mine = (ids: { jobId: number }[]) => ids.filter((entry) => entry.jobId === job.id);
      expect(mine(await store.claimDueCallbacks('a', 1, 10))).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(mine(await store.claimDueCallbacks('b', 60_000, 10))).toHaveLength(1);
      expect(mine(await store.claimDueCallbacks('a', 60_000, 10))).toHaveLength(0);
      await store.releaseCallbacks('b');
      expect(mine(await store.claimDueCallbacks('a', 60_000, 10))).toHaveLength(1);
    });
  });
}
