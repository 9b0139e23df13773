/** The callback runner on a real store (every engine), for what the HTTP tests do not reach. */
import { describe, expect, it } from 'vitest';
import {
  logSkippedEngines,
  storeEngines,
  storeForThisSuite,
  uniqueName,
} from '../../store/test-support/store-engines.js';
import { newCallbackSecret } from './callback-secret.js';
import { CallbackAllowList } from './callback-target.js';
import { CallbackRunner, JOB_FINISHED_EVENT } from './callback-runner.js';

logSkippedEngines('callback runner tests');

for (const engine of storeEngines) {
  describe.skipIf(engine.skipReason !== undefined)(`CallbackRunner on ${engine.name}`, () => {
    const { store } = storeForThisSuite(engine);

    async function endedJob(callbackUrl: string) {
      const account = await store.createAccount({
        name: uniqueName('runner'),
        feeType: 'prepaid',
        balance: 5,
      });
      await store.setCallbackSecret(account.id, newCallbackSecret());
      const job = await store.createBatchJob({
        accountId: account.id,
        fileName: 'mobiles.json',
        entries: ['13800138000'],
        invalid: 0,
        duplicates: 0,
        origin: 'api',
        requestId: 'r-1',
        callbackUrl,
        resultsBase: 'https://mnpd.example.com',
        queued: true,
      });
      await store.transitionBatchJob(
        account.id,
        job.id,
        ['queued'],
        'cancelled',
        'cancelled by the customer',
      );
      return { account, job };
    }

    it('gives up at once on a target it must not send to, recording why', async () => {
      const { account, job } = await endedJob('http://127.0.0.1:9/hook');
      const outcomes: string[] = [];
      const runner = new CallbackRunner(store, {
        policy: { allow: new CallbackAllowList([]) },
        countsOf: async () => ({}),
        onAttempt: (outcome) => outcomes.push(outcome),
      });
      await runner.runOnce();
      await runner.runOnce();
      const history = await store.callbackHistory(account.id, job.id);
      expect(history?.delivery).toMatchObject({ status: 'failed', attempts: 1, nextAttemptAt: null });
      expect(history?.attempts).toMatchObject([
        { attempt: 1, outcome: 'refused', httpStatus: null, nextAttemptAt: null },
      ]);
      expect(history?.attempts[0].error).toMatch(/^forbidden-address: .*loopback/);
      expect(outcomes).toEqual(['refused']);
      await runner.close();
    });

    it('makes the event from the job as it ended, with the public URL of its results', async () => {
      const { account, job } = await endedJob('https://hooks.example.com/x');
      const runner = new CallbackRunner(store, {
        policy: { allow: new CallbackAllowList([]), resolve: async () => [] },
        countsOf: async () => ({ '0': 1 }),
      });
      await runner.runOnce();
      const history = await store.callbackHistory(account.id, job.id);
      const event = JSON.parse(history!.delivery.body);
      expect(event).toMatchObject({
        id: history!.delivery.eventId,
        type: JOB_FINISHED_EVENT,
        createdAt: (await store.getBatchJob(account.id, job.id))!.finishedAt!.toISOString(),
        data: {
          jobId: String(job.id),
          requestId: 'r-1',
          status: 'cancelled',
          stopReason: 'cancelled by the customer',
          counts: { '0': 1 },
          resultsUrl: `https://mnpd.example.com/jobs/${job.id}/results`,
        },
      });
      // A name that does not resolve may resolve later: it is tried again, not given up.
      expect(history!.attempts).toMatchObject([{ outcome: 'refused' }]);
      expect(history!.delivery.status).toBe('pending');
      expect(history!.delivery.nextAttemptAt).not.toBeNull();
      await runner.close();
    });
  });
}
