import { describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../test-support/test-server.js';
import {
  YICHANG,
  YICHANG_ANSWER,
  codeOnly,
  forgetCachedKeys,
  uniqueName,
  unknownApikey,
} from '../test-support/fixtures.js';
import {
  type BalanceBody,
  get,
  parseXml,
  postForm,
  postJson,
  runJsonp,
} from '../test-support/http-client.js';

const server = serverForThisFile();

const store = () => server.server.deps.store;

function balance(apikey: string | undefined, extra: Record<string, string> = {}) {
  return get<BalanceBody>(server.url, '/balance', { ...(apikey === undefined ? {} : { apikey }), ...extra });
}

function query(apikey: string) {
  return get(server.url, '/carrier', { apikey, mobile: YICHANG });
}

describe('/balance', () => {
  it('answers a prepaid account as 预付费 with its balance as a string, in the seed’s order', async () => {
    const { apikey } = await server.account({ name: uniqueName('bal'), balance: 12048 });
    const answer = await balance(apikey);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    expect(answer.text).toBe('{"code":0,"reason":"Succ","result":{"feeType":"预付费","balance":"12048"}}');
  });

  it('reads the key from a form or JSON body', async () => {
    const { apikey } = await server.account({ name: uniqueName('bal'), balance: 7 });
    const expected = { code: 0, reason: 'Succ', result: { feeType: '预付费', balance: '7' } };
    expect((await postForm(server.url, '/balance', { apikey })).body).toEqual(expected);
    expect((await postJson(server.url, '/balance', { apikey })).body).toEqual(expected);
  });

  it('is not charged, and follows every charge and top-up at once', async () => {
    const { account, apikey } = await server.account({
      name: uniqueName('bal'),
      balance: 3,
      qpsLimit: 10_000,
    });
    for (let i = 0; i < 5; i++) expect((await balance(apikey)).body.result!.balance).toBe('3');
    expect(await store().ledgerSum(account.id)).toBe(3);
    await query(apikey);
    expect((await balance(apikey)).body.result!.balance).toBe('2');
    // A top-up is seen at once, although the key (with its account) is cached.
    await store().adjustBalance(account.id, 10, 'topup');
    expect((await balance(apikey)).body.result!.balance).toBe('12');
    await store().adjustBalance(account.id, -12, 'adjustment: refund');
    expect((await balance(apikey)).body.result!.balance).toBe('0');
    expect((await query(apikey)).body).toEqual(codeOnly(-5));
    expect((await balance(apikey)).body.result!.balance).toBe('0');
  });

  it('answers a postpaid account as 后付费 going below zero without a credit limit', async () => {
    const { account, apikey } = await server.account({
      name: uniqueName('post'),
      feeType: 'postpaid',
      balance: 1,
      qpsLimit: 10_000,
    });
    for (let i = 0; i < 4; i++) expect((await query(apikey)).body).toEqual(YICHANG_ANSWER);
    expect((await balance(apikey)).body).toEqual({
      code: 0,
      reason: 'Succ',
      result: { feeType: '后付费', balance: '-3' },
    });
    expect(await store().ledgerSum(account.id)).toBe(-3);
  });

  it('honours a postpaid credit limit: at -creditLimit the next query is -5', async () => {
    const { account, apikey } = await server.account({
      name: uniqueName('credit'),
      feeType: 'postpaid',
      balance: 0,
      creditLimit: 2,
      qpsLimit: 10_000,
    });
    expect((await query(apikey)).body).toEqual(YICHANG_ANSWER);
    expect((await query(apikey)).body).toEqual(YICHANG_ANSWER);
    expect((await query(apikey)).body).toEqual(codeOnly(-5));
    expect((await balance(apikey)).body).toEqual({
      code: 0,
      reason: 'Succ',
      result: { feeType: '后付费', balance: '-2' },
    });
    expect(await store().ledgerSum(account.id)).toBe(-2);
    // Two charged, one refused: all three logged.
    expect((await store().queryLog(account.id)).rows.map((row) => row.code)).toEqual([-5, 0, 0]);
    // Raising the limit lets it go on.
    await store().updateAccount(account.id, { creditLimit: 3 });
    expect((await query(apikey)).body).toEqual(YICHANG_ANSWER);
    expect((await balance(apikey)).body.result!.balance).toBe('-3');
  });

  it('answers 1 without a key or with one of the wrong length, and -1 for an unknown key', async () => {
    expect((await balance(undefined)).body).toEqual(codeOnly(1));
    expect((await balance('')).body).toEqual(codeOnly(1));
    expect((await balance('7c11272au708345c834b8ue81ac78972send')).body).toEqual(codeOnly(1));
    expect((await balance(unknownApikey())).body).toEqual(codeOnly(-1));
  });

  it('answers -1 for a suspended account and -9 outside the whitelist', async () => {
    const suspended = await server.account({ name: uniqueName('bal') });
    await store().updateAccount(suspended.account.id, { status: 'suspended' });
    const denied = await server.account({ name: uniqueName('bal') });
    await store().addIpRule(denied.account.id, '10.0.0.0/8');
    forgetCachedKeys(server);
    expect((await balance(suspended.apikey)).body).toEqual(codeOnly(-1));
    expect((await balance(denied.apikey)).body).toEqual(codeOnly(-9));
  });

  it('answers XML and JSONP', async () => {
    const { apikey } = await server.account({ name: uniqueName('bal'), balance: 42 });
    const xml = await balance(apikey, { format: 'xml' });
    expect(xml.contentType).toBe('application/xml; charset=utf-8');
    expect(parseXml(xml.text)).toEqual({
      response: { code: '0', reason: 'Succ', result: { feeType: '预付费', balance: '42' } },
    });
    const jsonp = await balance(apikey, { callback: 'show' });
    expect(jsonp.contentType).toBe('application/javascript; charset=utf-8');
    expect(runJsonp(jsonp.text, 'show')).toEqual([
      { code: 0, reason: 'Succ', result: { feeType: '预付费', balance: '42' } },
    ]);
    const bad = await balance(apikey, { callback: 'alert(1)//' });
    expect(bad.contentType).toBe('application/json; charset=utf-8');
    expect(bad.body).toEqual(codeOnly(1));
  });
});
