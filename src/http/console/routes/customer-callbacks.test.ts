/**
 * The console's side of API jobs: the callback secret rotated and shown once, API jobs on the
 * batch pages, a job's callback attempts; never another account's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCallbackSignature } from '../../../service/callbacks/callback-signature.js';
import { serverForThisFile } from '../../../test-support/test-server.js';
import { YICHANG } from '../../test-support/fixtures.js';
import { type CallbackReceiver, startCallbackReceiver } from '../../test-support/callback-receiver.js';
import { loggedInCustomer } from '../test-support/console-users.js';

const server = serverForThisFile('sqlite', {
  MNPD_CALLBACK_ALLOW: '127.0.0.1/32',
  MNPD_CALLBACK_FIRST_RETRY_MS: '50',
  MNPD_CALLBACK_POLL_MS: '50',
});
let receiver: CallbackReceiver;
beforeAll(async () => {
  receiver = await startCallbackReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

describe('console: callback secret and API jobs', () => {
  it('rotates the secret, shows it once, and signs callbacks with the newest', async () => {
    const alice = await loggedInCustomer(server, { balance: 10 });
    expect((await alice.client.get('/me/callback-secret')).json()).toEqual({ configured: false });
    const first = (await alice.client.post('/me/callback-secret')).json<{ secret: string }>().secret;
    const second = (await alice.client.post('/me/callback-secret')).json<{ secret: string }>().secret;
    expect(second).not.toBe(first);
    expect((await alice.client.get('/me/callback-secret')).json()).toEqual({ configured: true });
    receiver.setSecret(second);

    const submitted = await fetch(`${server.url}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        apikey: alice.apikey,
        mobiles: [YICHANG],
        callbackUrl: receiver.url,
        requestId: 'r1',
      }),
    });
    const { jobId } = ((await submitted.json()) as { result: { jobId: string } }).result;
    const [callback] = await receiver.waitFor(jobId, 1);
    expect(callback.verified).toBe(true);
    expect(verifyCallbackSignature(callback.signature, callback.body, first).ok).toBe(false);

    const listed = (await alice.client.get('/me/batches')).json<{ rows: { id: number; origin: string }[] }>();
    expect(listed.rows).toMatchObject([{ id: Number(jobId), origin: 'api' }]);
    const view = (await alice.client.get(`/me/batches/${jobId}`)).json();
    expect(view).toMatchObject({ origin: 'api', requestId: 'r1', callbackUrl: receiver.url });

    let history = (await alice.client.get(`/me/batches/${jobId}/callback`)).json();
    for (let i = 0; i < 100 && history.callback?.status !== 'delivered'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      history = (await alice.client.get(`/me/batches/${jobId}/callback`)).json();
    }
    expect(history.callback).toMatchObject({
      eventId: callback.eventId,
      url: receiver.url,
      status: 'delivered',
      attempts: [{ attempt: 1, outcome: 'delivered', httpStatus: 200 }],
    });

    const bob = await loggedInCustomer(server, { balance: 10 });
    expect((await bob.client.get(`/me/batches/${jobId}/callback`)).status).toBe(404);
    expect((await bob.client.get('/me/batches')).json().rows).toEqual([]);
  });
});
