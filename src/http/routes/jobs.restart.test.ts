/**
 * A callback outlives the server that began it: attempts recorded by one process are carried on by
 * the next on the same store, with the same event, until the receiver takes it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../server/start-server.js';
import { rotateCallbackSecret } from '../../service/callbacks/callback-secrets.js';
import { cliActor } from '../../service/operators/audit.js';
import { availableEngines } from '../../test-support/test-databases.js';
import { type TestServer, startTestServer } from '../../test-support/test-server.js';
import { YICHANG, uniqueName } from '../test-support/fixtures.js';
import { type CallbackReceiver, startCallbackReceiver } from '../test-support/callback-receiver.js';

const ENV = {
  MNPD_CALLBACK_ALLOW: '127.0.0.1/32',
  MNPD_CALLBACK_FIRST_RETRY_MS: '100',
  MNPD_CALLBACK_POLL_MS: '50',
};

async function until<T>(look: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await look();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

for (const engine of availableEngines('job callback restart tests')) {
  describe(`callbacks across a restart on ${engine}`, () => {
    let first: TestServer;
    let receiver: CallbackReceiver;
    beforeAll(async () => {
      first = await startTestServer(engine, ENV);
      receiver = await startCallbackReceiver();
    });
    afterAll(async () => {
      await receiver?.close();
      await first?.close();
    });

    it('keeps retrying after a restart, with the same event, and records every attempt', async () => {
      const { account, apikey } = await first.account({ name: uniqueName('restart'), balance: 10 });
      receiver.setSecret(await rotateCallbackSecret(first.server.deps.store, cliActor(), account.id));
      receiver.failNext(1_000_000);
      const answer = await fetch(`${first.url}/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apikey, mobiles: [YICHANG], callbackUrl: receiver.url }),
      });
      const { jobId } = ((await answer.json()) as { result: { jobId: string } }).result;
      const history = () => first.server.deps.store.callbackHistory(account.id, Number(jobId));
      await until(history, (value) => (value?.attempts.length ?? 0) >= 2, 'two failed attempts');
      await first.server.close();
      const failedBefore = (await receiver.waitFor(jobId, 1)).length;

      receiver.failNext(0);
      const second = await startServer(first.config, { logger: false });
      try {
        const delivered = await until(
          () => second.deps.store.callbackHistory(account.id, Number(jobId)),
          (value) => value?.delivery.status === 'delivered',
          'the delivery after the restart',
        );
        const attempts = delivered!.attempts;
        expect(attempts.length).toBeGreaterThanOrEqual(failedBefore + 1);
        expect(attempts.map((attempt) => attempt.attempt)).toEqual(attempts.map((_, i) => i + 1));
        expect(attempts.at(-1)).toMatchObject({ outcome: 'delivered', httpStatus: 200 });
        expect(attempts.slice(0, -1).every((attempt) => attempt.outcome === 'failed')).toBe(true);
        const received = receiver.received.filter((callback) => callback.event.data.jobId === jobId);
        expect(new Set(received.map((callback) => callback.eventId)).size).toBe(1);
        expect(received.every((callback) => callback.verified)).toBe(true);
      } finally {
        await second.close();
      }
    });

    // Two nodes of a cluster share PostgreSQL; SQLite is one machine's store, in its data directory.
    it.skipIf(engine !== 'postgres')('sends an event once when two servers share the store', async () => {
      // The first server was closed by the test above: two fresh nodes share the store here.
      const running = await startServer(first.config, { logger: false });
      const otherDir = await mkdtemp(join(tmpdir(), 'mnpd-node-'));
      const other = await startServer({ ...first.config, dataDir: otherDir }, { logger: false });
      try {
        const servers = [running, other];
        const { account, apikey } = await running.deps.accounts.open(
          cliActor(),
          { name: uniqueName('pair'), feeType: 'prepaid', balance: 100 },
          'test',
        );
        receiver.setSecret(await rotateCallbackSecret(other.deps.store, cliActor(), account.id));
        const jobIds: string[] = [];
        for (let i = 0; i < 6; i++) {
          const answer = await fetch(`${servers[i % 2].url}/jobs`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ apikey, mobiles: [YICHANG], callbackUrl: receiver.url }),
          });
          jobIds.push(((await answer.json()) as { result: { jobId: string } }).result.jobId);
        }
        for (const jobId of jobIds) {
          await until(
            () => other.deps.store.callbackHistory(account.id, Number(jobId)),
            (value) => value?.delivery.status === 'delivered',
            `job ${jobId} delivered`,
          );
        }
        // A moment for a second sender, if there were one, to show itself.
        await new Promise((resolve) => setTimeout(resolve, 300));
        for (const jobId of jobIds) {
          expect(receiver.received.filter((callback) => callback.event.data.jobId === jobId)).toHaveLength(1);
        }
      } finally {
        await running.close();
        await other.close();
        await rm(otherDir, { recursive: true, force: true });
      }
    });
  });
}
