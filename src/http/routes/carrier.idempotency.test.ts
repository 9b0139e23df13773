import { describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../test-support/test-server.js';
import {
  BEIJING,
  YICHANG,
  YICHANG_ANSWER,
  allRecords,
  balanceOf,
  codeOnly,
  uniqueName,
} from '../test-support/fixtures.js';
import { type LookupBody, get, postForm, postJson } from '../test-support/http-client.js';

const server = serverForThisFile();

async function newAccount(balance = 100) {
  return server.account({ name: uniqueName('idem'), balance, qpsLimit: 10_000 });
}

/** The ledger, and the charged queries in the log (code 0; a replay writes no row). */
async function charged(accountId: number): Promise<{ ledger: number; rows: number }> {
  const store = server.server.deps.store;
  return { ledger: await store.ledgerSum(accountId), rows: await logged(accountId, 0) };
}

async function logged(accountId: number, code: number): Promise<number> {
  return (await server.server.deps.store.queryLog(accountId, { code, limit: 1000 })).rows.length;
}

describe('idempotent retries', () => {
  it('answers a repeated requestId parameter with the identical body, charged once', async () => {
    const { account, apikey } = await newAccount();
    const first = await get(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: 'r-1', ext: '1' });
    const second = await get(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: 'r-1', ext: '1' });
    expect(first.body).toMatchObject({ code: 0, result: { requestId: 'r-1' } });
    expect(second.text).toBe(first.text);
    expect(await charged(account.id)).toEqual({ ledger: 99, rows: 1 });
    expect(await balanceOf(server, apikey)).toBe('99');
    const [row] = await allRecords(server, apikey);
    expect(row.requestId).toBe('r-1');
  });

  it('answers a repeated Idempotency-Key header with the identical body, charged once', async () => {
    const { account, apikey } = await newAccount();
    const headers = { 'idempotency-key': 'header-key-1' };
    const first = await get(server.url, '/carrier', { apikey, mobile: YICHANG }, headers);
    const second = await postForm(server.url, '/carrier', { apikey, mobile: YICHANG }, {}, headers);
    expect(first.body).toEqual(YICHANG_ANSWER);
    expect(second.text).toBe(first.text);
    expect(await charged(account.id)).toEqual({ ledger: 99, rows: 1 });
  });

  it('takes requestId from a JSON body as well', async () => {
    const { account, apikey } = await newAccount();
    const first = await postJson(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: 'json-1' });
    const second = await postJson(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: 'json-1' });
    expect(second.text).toBe(first.text);
    expect(await charged(account.id)).toEqual({ ledger: 99, rows: 1 });
  });

  it('refuses a key reused for another number with -7, replaying nothing and charging nothing', async () => {
    const { account, apikey } = await newAccount();
    const first = await get(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: 'same' });
    const reused = await get(server.url, '/carrier', { apikey, mobile: BEIJING, requestId: 'same' });
    expect(reused.body).toEqual({ code: -7, reason: '请求编号已用于其他号码' });
    expect(reused.text).not.toContain(YICHANG);
    // The same number in another spelling is the same question: the first answer again.
    const retry = await get(server.url, '/carrier', { apikey, mobile: `+86 ${YICHANG}`, requestId: 'same' });
    expect(retry.text).toBe(first.text);
    expect(await charged(account.id)).toEqual({ ledger: 99, rows: 1 });
  });

  it('refuses a requestId over 128 characters with 1, rather than cutting it to another id', async () => {
    const { account, apikey } = await newAccount();
    const prefix = 'p'.repeat(128);
    const first = await get(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: `${prefix}A` });
    expect(first.body).toEqual({
      ...codeOnly(1),
      message: 'requestId (or Idempotency-Key) is longer than 128 characters',
    });
    const header = await get(
      server.url,
      '/carrier',
      { apikey, mobile: BEIJING },
      { 'idempotency-key': `${prefix}B` },
    );
    expect(header.body).toMatchObject(codeOnly(1));
    const batch = await postJson(server.url, '/carrier/batch', {
      apikey,
      mobiles: [YICHANG],
      requestId: `${prefix}C`,
    });
    expect(batch.body).toMatchObject(codeOnly(1));
    expect(await charged(account.id)).toEqual({ ledger: 100, rows: 0 });
  });

  it('charges different keys, and requests without a key, every time', async () => {
    const { account, apikey } = await newAccount();
    await get(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: 'a' });
    await get(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: 'b' });
    await get(server.url, '/carrier', { apikey, mobile: YICHANG }, { 'idempotency-key': 'c' });
    await get(server.url, '/carrier', { apikey, mobile: YICHANG });
    await get(server.url, '/carrier', { apikey, mobile: YICHANG });
    expect(await charged(account.id)).toEqual({ ledger: 95, rows: 5 });
  });

  it('scopes keys to their account', async () => {
    const one = await newAccount();
    const two = await newAccount();
    const first = await get(server.url, '/carrier', {
      apikey: one.apikey,
      mobile: YICHANG,
      requestId: 'shared',
      ext: '1',
    });
    const second = await get(server.url, '/carrier', {
      apikey: two.apikey,
      mobile: BEIJING,
      requestId: 'shared',
      ext: '1',
    });
    expect((first.body as LookupBody).result!.Mobile).toBe(YICHANG);
    expect((second.body as LookupBody).result!.Mobile).toBe(BEIJING);
    expect(await charged(one.account.id)).toEqual({ ledger: 99, rows: 1 });
    expect(await charged(two.account.id)).toEqual({ ledger: 99, rows: 1 });
  });

  it('replays a charged answer even after the balance ran out', async () => {
    const { account, apikey } = await newAccount(1);
    const first = await get(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: 'last-one' });
    expect(first.body).toEqual(YICHANG_ANSWER);
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(codeOnly(-5));
    const retry = await get(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: 'last-one' });
    expect(retry.text).toBe(first.text);
    expect(await charged(account.id)).toEqual({ ledger: 0, rows: 1 });
    expect(await logged(account.id, -5)).toBe(1);
  });

  it('does not remember refused answers: a retry after a top-up is answered and charged', async () => {
    const { account, apikey } = await newAccount(0);
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: 'wait' })).body).toEqual(
      codeOnly(-5),
    );
    await server.server.deps.store.adjustBalance(account.id, 1, 'topup');
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: 'wait' })).body).toEqual(
      YICHANG_ANSWER,
    );
    expect(await charged(account.id)).toEqual({ ledger: 0, rows: 1 });
    expect(await logged(account.id, -5)).toBe(1);
  });

  it('charges concurrent requests with one key once, and answers them all alike', async () => {
    const { account, apikey } = await newAccount();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        get(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: 'burst', ext: '1' }),
      ),
    );
    const texts = new Set(answers.map((answer) => answer.text));
    expect(texts.size).toBe(1);
    expect(answers[0].body).toMatchObject({ code: 0, result: { requestId: 'burst' } });
    expect(await charged(account.id)).toEqual({ ledger: 99, rows: 1 });
  });

  it('uses the Idempotency-Key header when the requestId parameter is sent empty', async () => {
    const { account, apikey } = await newAccount();
    const headers = { 'idempotency-key': 'fallback' };
    const first = await get(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: '' }, headers);
    const second = await get(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: '' }, headers);
    expect(second.text).toBe(first.text);
    expect(await charged(account.id)).toEqual({ ledger: 99, rows: 1 });
  });

  it('lets the requestId parameter win over the Idempotency-Key header', async () => {
    const { account, apikey } = await newAccount();
    await get(
      server.url,
      '/carrier',
      { apikey, mobile: YICHANG, requestId: 'param' },
      { 'idempotency-key': 'h1' },
    );
    await get(
      server.url,
      '/carrier',
      { apikey, mobile: YICHANG, requestId: 'param' },
      { 'idempotency-key': 'h2' },
    );
    expect(await charged(account.id)).toEqual({ ledger: 99, rows: 1 });
  });
});
