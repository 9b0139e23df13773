import { describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../test-support/test-server.js';
import { YICHANG, codeOnly, forgetCachedKeys, uniqueName, unknownApikey } from '../test-support/fixtures.js';
import { get, parseXml, postForm, postJson, request } from '../test-support/http-client.js';

const server = serverForThisFile();

const store = () => server.server.deps.store;

async function newAccount(balance = 100, qpsLimit = 10_000) {
  return server.account({ name: uniqueName('batch-err'), balance, qpsLimit });
}

describe('POST /carrier/batch refusals', () => {
  it('answers 1 for an empty or missing list', async () => {
    const { account, apikey } = await newAccount();
    for (const body of [
      { apikey },
      { apikey, mobiles: [] },
      { apikey, mobiles: '' },
      { apikey, mobile: ' , ,\n' },
    ]) {
      const answer = await postJson(server.url, '/carrier/batch', body);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(codeOnly(1));
    }
    expect((await postForm(server.url, '/carrier/batch', { apikey, mobile: '' })).body).toEqual(codeOnly(1));
    expect(await store().ledgerSum(account.id)).toBe(100);
  });

  it('answers 1 with a message for 1001 numbers, charging nothing', async () => {
    const { account, apikey } = await newAccount(2000);
    const mobiles = Array.from({ length: 1001 }, () => YICHANG);
    const answer = await postJson(server.url, '/carrier/batch', { apikey, mobiles });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ...codeOnly(1), message: 'at most 1000 numbers per batch, got 1001' });
    const form = await postForm(server.url, '/carrier/batch', { apikey, mobile: mobiles.join(',') });
    expect(form.body).toEqual({ ...codeOnly(1), message: 'at most 1000 numbers per batch, got 1001' });
    expect(await store().ledgerSum(account.id)).toBe(2000);
    expect((await store().queryLog(account.id)).rows).toEqual([]);
  });

  it('answers 1 for a body nested too deep, charging nothing, whatever good numbers it holds', async () => {
    const { account, apikey } = await newAccount();
    const depth = 20_000;
    const body = `{"apikey":"${apikey}","mobiles":["${YICHANG}",${'['.repeat(depth)}${']'.repeat(depth)}]}`;
    const answer = await request(server.url, '/carrier/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ...codeOnly(1), message: 'the JSON body nests deeper than 16 levels' });
    expect(await store().ledgerSum(account.id)).toBe(100);
    expect((await store().queryLog(account.id)).rows).toEqual([]);
    // Within the limit, a list inside the list is one more entry that is not a number: -2.
    const nested = await postJson(server.url, '/carrier/batch', {
      apikey,
      mobiles: [YICHANG, [[[YICHANG]]]],
    });
    expect(nested.body.code).toBe(0);
    expect((nested.body as unknown as { result: { code: number }[] }).result.map((r) => r.code)).toEqual([
      0, -2,
    ]);
    expect(await store().ledgerSum(account.id)).toBe(99);
  });

  it('answers 1 without a key or with a short one, -1 for an unknown key', async () => {
    expect((await postJson(server.url, '/carrier/batch', { mobiles: [YICHANG] })).body).toEqual(codeOnly(1));
    expect(
      (await postJson(server.url, '/carrier/batch', { apikey: 'abc', mobiles: [YICHANG] })).body,
    ).toEqual(codeOnly(1));
    expect(
      (await postJson(server.url, '/carrier/batch', { apikey: unknownApikey(), mobiles: [YICHANG] })).body,
    ).toEqual(codeOnly(-1));
  });

  it('answers -1 for a suspended account and -9 outside the whitelist, charging nothing', async () => {
    const suspended = await newAccount();
    await store().updateAccount(suspended.account.id, { status: 'suspended' });
    const denied = await newAccount();
    await store().addIpRule(denied.account.id, '10.0.0.0/8');
    forgetCachedKeys(server);
    expect(
      (await postJson(server.url, '/carrier/batch', { apikey: suspended.apikey, mobiles: [YICHANG] })).body,
    ).toEqual(codeOnly(-1));
    expect(
      (await postJson(server.url, '/carrier/batch', { apikey: denied.apikey, mobiles: [YICHANG] })).body,
    ).toEqual(codeOnly(-9));
    expect(await store().ledgerSum(suspended.account.id)).toBe(100);
    expect(await store().ledgerSum(denied.account.id)).toBe(100);
  });

  it('answers -6 with HTTP 429 past the rate limit', async () => {
    const { account, apikey } = await newAccount(100, 1);
    expect((await postJson(server.url, '/carrier/batch', { apikey, mobiles: [YICHANG] })).body.code).toBe(0);
    const limited = await postJson(server.url, '/carrier/batch', { apikey, mobiles: [YICHANG, YICHANG] });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual(codeOnly(-6));
    expect(await store().ledgerSum(account.id)).toBe(99);
  });

  it('answers every number -5 at zero balance', async () => {
    const { account, apikey } = await newAccount(0);
    const answer = await postJson(server.url, '/carrier/batch', { apikey, mobiles: [YICHANG, YICHANG] });
    expect(answer.body).toEqual({ code: 0, reason: 'Succ', result: [codeOnly(-5), codeOnly(-5)] });
    expect(await store().ledgerSum(account.id)).toBe(0);
  });

  it('is POST only', async () => {
    const { apikey } = await newAccount();
    const answer = await get(server.url, '/carrier/batch', { apikey, mobile: YICHANG });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject(codeOnly(1));
  });

  it('sends refusals in XML', async () => {
    const answer = await postJson(server.url, '/carrier/batch', { mobiles: [], format: 'xml' });
    expect(answer.contentType).toBe('application/xml; charset=utf-8');
    expect(parseXml(answer.text)).toEqual({ response: { code: '1', reason: '请求参数缺失' } });
  });
});
