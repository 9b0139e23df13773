import { describe, expect, it } from 'vitest';
import { UNSIGNED_REFUSED } from '../service/queries/query-service.js';
import { cliActor } from '../service/operators/audit.js';
import { ServiceError } from '../service/service-error.js';
import { serverForThisFile } from '../test-support/test-server.js';
import { get, postForm } from './test-support/http-client.js';
import {
  BEIJING,
  YICHANG,
  YICHANG_ANSWER,
  addAppcode,
  balanceOf,
  codeOnly,
  forgetCachedKeys,
  uniqueName,
} from './test-support/fixtures.js';
import { signedGet } from './test-support/signed-client.js';

/** Requests signed by hand, each made wrong in one way; none is charged, none is a 5xx. */
describe('signed requests that are refused', () => {
  const server = serverForThisFile('sqlite');

  async function signedAccount(balance = 10) {
    const { account, apikey } = await server.account({ name: uniqueName('gw'), balance });
    const { appKey, appSecret } = await server.server.deps.signingKeys.issue(cliActor(), account.id, '');
    const signing = { appKey, appSecret, path: '/carrier', query: { mobile: YICHANG } };
    return { account, apikey, signing };
  }

  const SIGNATURE_REFUSED = { code: -10, reason: '签名校验失败' };

  it('answers a correct hand-signed request, then refuses the same request again (nonce replayed)', async () => {
    const { apikey, signing } = await signedAccount();
    const nonce = `n-${Date.now()}`;
    const first = await signedGet(server.url, { ...signing, nonce, timestamp: Date.now() });
    expect(first.status).toBe(200);
    expect(first.body).toEqual(YICHANG_ANSWER);
    const timestamp = Number(Date.now());
    const replay = await signedGet(server.url, { ...signing, nonce, timestamp });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({
      ...SIGNATURE_REFUSED,
      message: expect.stringContaining('X-Ca-Nonce'),
    });
    expect(await balanceOf(server, apikey)).toBe('9');
  });

  it('refuses a wrong signature, saying what the server signed', async () => {
    const { apikey, signing } = await signedAccount();
    const answer = await signedGet(server.url, { ...signing, appSecret: 'not-the-secret' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      ...SIGNATURE_REFUSED,
      message: expect.stringContaining('GET\\napplication/json\\n'),
    });
    expect(await balanceOf(server, apikey)).toBe('10');
  });

  it('refuses a request whose parameters changed after signing', async () => {
    const { apikey, signing } = await signedAccount();
    const answer = await signedGet(server.url, { ...signing, sentQuery: { mobile: BEIJING } });
    expect(answer.body).toMatchObject(SIGNATURE_REFUSED);
    expect(await balanceOf(server, apikey)).toBe('10');
  });

  it('refuses a timestamp more than 15 minutes old, or ahead', async () => {
    const { apikey, signing } = await signedAccount();
    for (const timestamp of [Date.now() - 16 * 60_000, Date.now() + 16 * 60_000]) {
      const answer = await signedGet(server.url, { ...signing, timestamp });
      expect(answer.body).toMatchObject({
        ...SIGNATURE_REFUSED,
        message: expect.stringContaining('X-Ca-Timestamp'),
      });
    }
    // 14 minutes old is inside the window.
    expect((await signedGet(server.url, { ...signing, timestamp: Date.now() - 14 * 60_000 })).body).toEqual(
      YICHANG_ANSWER,
    );
    expect(await balanceOf(server, apikey)).toBe('9');
  });

  it('answers an unknown AppKey -1, as an unknown apikey', async () => {
    const answer = await signedGet(server.url, {
      appKey: '0123456789abcdef',
      appSecret: 'whatever',
      path: '/carrier',
      query: { mobile: YICHANG },
    });
    expect(answer.body).toEqual(codeOnly(-1));
  });

  it('answers -10 for X-Ca-* headers it cannot use (no signature)', async () => {
    const { signing } = await signedAccount();
    const answer = await get(server.url, '/carrier', { mobile: YICHANG }, { 'x-ca-key': signing.appKey });
    expect(answer.body).toMatchObject({
      ...SIGNATURE_REFUSED,
      message: expect.stringContaining('X-Ca-Signature'),
    });
  });

  it('refuses a revoked signed key at once in this process', async () => {
    const { account, signing } = await signedAccount();
    const keys = await server.server.deps.store.listKeys(account.id);
    const signedKey = keys.find(
      (key) => key.label === '' && key.hint === `${signing.appKey.slice(0, 4)}…${signing.appKey.slice(-2)}`,
    )!;
    await server.server.deps.accounts.revokeKey(cliActor(), account.id, signedKey.id);
    expect((await signedGet(server.url, signing)).body).toEqual(codeOnly(-1));
  });

  it('refuses unsigned requests of an account that requires signatures, and accepts signed ones', async () => {
    const { account, apikey, signing } = await signedAccount();
    const appcode = await addAppcode(server, account.id);
    await server.server.deps.signingKeys.requireSignatures(cliActor(), account.id, true);
    forgetCachedKeys(server);
    const refused = { ...SIGNATURE_REFUSED, message: UNSIGNED_REFUSED };
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(refused);
    expect((await get(server.url, '/balance', { apikey })).body).toEqual(refused);
    expect((await postForm(server.url, '/carrier/batch', { apikey, mobile: YICHANG })).body).toEqual(refused);
    const isp = await get(server.url, '/isp', { mobile: YICHANG }, { authorization: `APPCODE ${appcode}` });
    expect(isp.body).toEqual(refused);
    expect((await signedGet(server.url, signing)).body).toEqual(YICHANG_ANSWER);

    await server.server.deps.signingKeys.requireSignatures(cliActor(), account.id, false);
    forgetCachedKeys(server);
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(YICHANG_ANSWER);
    expect(await balanceOf(server, apikey)).toBe('8');
  });

  it('will not require signatures of an account without a signed key', async () => {
    const { account } = await server.account({ name: uniqueName('gw'), balance: 1 });
    await expect(
      server.server.deps.signingKeys.requireSignatures(cliActor(), account.id, true),
    ).rejects.toThrow(ServiceError);
  });
});
