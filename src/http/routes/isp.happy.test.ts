import { describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../test-support/test-server.js';
import {
  GUANGZHOU_UNICOM,
  YICHANG,
  YICHANG_ANSWER,
  addAppcode,
  allRecords,
  balanceOf,
  seedAnswer,
  uniqueName,
} from '../test-support/fixtures.js';
import { type LookupBody, get, parseXml, postForm, postJson, request } from '../test-support/http-client.js';

const server = serverForThisFile();

/** An account with both an apikey and an APPCODE. */
async function newAccount(balance = 100) {
  const created = await server.account({ name: uniqueName('isp'), balance, qpsLimit: 10_000 });
  return { ...created, appcode: await addAppcode(server, created.account.id) };
}

describe('/isp with Authorization: APPCODE', () => {
  it('answers the same body as /carrier, byte for byte', async () => {
    const { apikey, appcode } = await newAccount();
    const isp = await get(server.url, '/isp', { mobile: YICHANG }, { authorization: `APPCODE ${appcode}` });
    const carrier = await get(server.url, '/carrier', { apikey, mobile: YICHANG });
    expect(isp.status).toBe(200);
    expect(isp.contentType).toBe('application/json; charset=utf-8');
    expect(isp.text).toBe(carrier.text);
    expect(isp.body).toEqual(YICHANG_ANSWER);
  });

  it('answers the seed’s POST with the number in the query string and an empty body', async () => {
    const { appcode } = await newAccount();
    const answer = await request(server.url, `/isp?mobile=${YICHANG}`, {
      method: 'POST',
      headers: { authorization: `APPCODE ${appcode}` },
      body: '',
    });
    expect(answer.body).toEqual(YICHANG_ANSWER);
  });

  it.each([['APPCODE'], ['appcode'], ['AppCode']])('accepts the scheme spelled %s', async (scheme) => {
    const { appcode } = await newAccount();
    const answer = await get(
      server.url,
      '/isp',
      { mobile: YICHANG },
      { authorization: `${scheme} ${appcode}` },
    );
    expect(answer.body).toEqual(YICHANG_ANSWER);
  });

  it('accepts extra spaces around the code', async () => {
    const { appcode } = await newAccount();
    const answer = await get(
      server.url,
      '/isp',
      { mobile: YICHANG },
      { authorization: `APPCODE   ${appcode}  ` },
    );
    expect(answer.body).toEqual(YICHANG_ANSWER);
  });

  it('reads the number from a form or JSON body', async () => {
    const { appcode } = await newAccount();
    const headers = { authorization: `APPCODE ${appcode}` };
    expect((await postForm(server.url, '/isp', { mobile: GUANGZHOU_UNICOM }, {}, headers)).body).toEqual(
      seedAnswer(GUANGZHOU_UNICOM, '广东-广州', '联通'),
    );
    expect((await postJson(server.url, '/isp', { mobile: GUANGZHOU_UNICOM }, {}, headers)).body).toEqual(
      seedAnswer(GUANGZHOU_UNICOM, '广东-广州', '联通'),
    );
  });

  it('charges the APPCODE’s account one query per answer, with a query-log row', async () => {
    const { account, apikey, appcode } = await newAccount(5);
    for (let i = 0; i < 2; i++) {
      await get(server.url, '/isp', { mobile: YICHANG }, { authorization: `APPCODE ${appcode}` });
    }
    expect(await balanceOf(server, apikey)).toBe('3');
    expect(await server.server.deps.store.ledgerSum(account.id)).toBe(3);
    const rows = await allRecords(server, apikey);
    expect(rows.map((row) => [row.mobile, row.code, row.clientIp])).toEqual([
      [YICHANG, 0, '127.0.0.0'],
      [YICHANG, 0, '127.0.0.0'],
    ]);
    const [key] = (await server.server.deps.store.listKeys(account.id)).filter((k) => k.kind === 'appcode');
    const [row] = (await server.server.deps.store.queryLog(account.id)).rows;
    expect(row.keyId).toBe(key.id);
  });

  it('gives the extended fields, XML and idempotency as /carrier does', async () => {
    const { account, appcode } = await newAccount();
    const headers = { authorization: `APPCODE ${appcode}` };
    const ext = await get<LookupBody>(
      server.url,
      '/isp',
      { mobile: YICHANG, ext: '1', requestId: 'isp-1' },
      headers,
    );
    expect(ext.body.result).toMatchObject({ ...YICHANG_ANSWER.result, province: '湖北', requestId: 'isp-1' });
    const again = await get(server.url, '/isp', { mobile: YICHANG, ext: '1', requestId: 'isp-1' }, headers);
    expect(again.text).toBe(ext.text);
    expect(await server.server.deps.store.ledgerSum(account.id)).toBe(99);

    const xml = await get(server.url, '/isp', { mobile: YICHANG, format: 'xml' }, headers);
    expect(xml.contentType).toBe('application/xml; charset=utf-8');
    expect(parseXml(xml.text)).toEqual({
      response: { code: '0', reason: 'Succ', result: { ...YICHANG_ANSWER.result } },
    });
  });
});
