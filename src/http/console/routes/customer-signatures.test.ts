import { Client } from 'aliyun-api-gateway';
import { describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../../test-support/test-server.js';
import { YICHANG, YICHANG_ANSWER, forgetCachedKeys } from '../../test-support/fixtures.js';
import { get } from '../../test-support/http-client.js';
import { loggedInCustomer, loggedInOperator } from '../test-support/console-users.js';

const server = serverForThisFile();

describe('the console: signed keys and signed requests only', () => {
  it('creates a pair shown once, lists it by AppKey, and switches signed-only on and off', async () => {
    const { client, apikey, account } = await loggedInCustomer(server, { balance: 10 });
    // Signed-only needs a signed key first.
    expect((await client.patch('/me/signatures', { requireSignatures: true })).status).toBe(409);

    const created = await client.post('/me/signed-keys', { label: 'gateway' });
    expect(created.status).toBe(201);
    const { appKey, appSecret, key } = created.json();
    expect(key).toMatchObject({ kind: 'apikey', label: 'gateway', appKey });
    const listed = (await client.get('/me/signatures')).json();
    expect(listed).toMatchObject({ requireSignatures: false, keys: [{ id: key.id, appKey }] });
    expect(JSON.stringify(listed)).not.toContain(appSecret);
    const keys = (await client.get('/me/keys')).json();
    expect(keys.find((k: { id: number }) => k.id === key.id)).toMatchObject({ appKey });
    expect(JSON.stringify(keys)).not.toContain(appSecret);

    expect((await client.patch('/me/signatures', { requireSignatures: true })).json()).toEqual({
      requireSignatures: true,
    });
    forgetCachedKeys(server);
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toMatchObject({
      code: -10,
    });
    const signed = new Client(appKey, appSecret);
    expect(
      await signed.get(`${server.url}/carrier`, {
        query: { mobile: YICHANG },
        headers: { accept: 'application/json' },
      }),
    ).toEqual(YICHANG_ANSWER);

    // The operator's account page shows the flag, and the signed key by its AppKey.
    const operator = await loggedInOperator(server);
    const detail = (await operator.get(`/admin/accounts/${account.id}`)).json();
    expect(detail.account.requireSignatures).toBe(true);
    expect(detail.keys).toContainEqual(expect.objectContaining({ id: key.id, appKey, hint: appKey }));

    expect((await client.patch('/me/signatures', { requireSignatures: 'yes' })).status).toBe(400);
    expect((await client.patch('/me/signatures', { requireSignatures: false })).json()).toEqual({
      requireSignatures: false,
    });
  });
});
