import { describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../test-support/test-server.js';
import {
  NOT_MOBILE,
  NO_DATA,
  TOO_SHORT,
  YICHANG,
  addAppcode,
  codeOnly,
  forgetCachedKeys,
  uniqueName,
  unknownApikey,
} from '../test-support/fixtures.js';
import { get, parseXml, request } from '../test-support/http-client.js';

const server = serverForThisFile();

const store = () => server.server.deps.store;

async function newAccount(balance = 100, qpsLimit = 10_000) {
  const created = await server.account({ name: uniqueName('isp-err'), balance, qpsLimit });
  return { ...created, appcode: await addAppcode(server, created.account.id) };
}

function isp(
  mobile: string | undefined,
  authorization: string | undefined,
  extra: Record<string, string> = {},
) {
  return get(
    server.url,
    '/isp',
    { ...(mobile === undefined ? {} : { mobile }), ...extra },
    authorization === undefined ? {} : { authorization },
  );
}

describe('/isp refusals', () => {
  it('answers 1 without an Authorization header, or with one of another scheme', async () => {
    const { account, appcode } = await newAccount();
    for (const header of [
      undefined,
      '',
      'APPCODE',
      'APPCODE ',
      `Bearer ${appcode}`,
      `Basic ${appcode}`,
      appcode,
    ]) {
      const answer = await isp(YICHANG, header);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(codeOnly(1));
    }
    // The code as a parameter is not an APPCODE either.
    const asParameter = await get(server.url, '/isp', { mobile: YICHANG, appcode, apikey: appcode });
    expect(asParameter.body).toEqual(codeOnly(1));
    expect(await store().ledgerSum(account.id)).toBe(100);
  });

  it('answers 1 for a missing or blank number, before checking the code', async () => {
    const { appcode } = await newAccount();
    expect((await isp(undefined, `APPCODE ${appcode}`)).body).toEqual(codeOnly(1));
    expect((await isp('  ', `APPCODE ${appcode}`)).body).toEqual(codeOnly(1));
    expect((await isp(undefined, `APPCODE ${unknownApikey()}`)).body).toEqual(codeOnly(1));
  });

  it('answers -1 for an apikey used as an APPCODE, and for an APPCODE used as an apikey', async () => {
    const { account, apikey, appcode } = await newAccount();
    expect((await isp(YICHANG, `APPCODE ${apikey}`)).body).toEqual(codeOnly(-1));
    expect((await get(server.url, '/carrier', { apikey: appcode, mobile: YICHANG })).body).toEqual(
      codeOnly(-1),
    );
    expect(await store().ledgerSum(account.id)).toBe(100);
  });

  it('answers -1 for an unknown or revoked APPCODE and for a suspended account', async () => {
    expect((await isp(YICHANG, `APPCODE ${unknownApikey()}`)).body).toEqual(codeOnly(-1));
    expect((await isp(YICHANG, 'APPCODE short')).body).toEqual(codeOnly(-1));

    const revoked = await newAccount();
    const key = (await store().listKeys(revoked.account.id)).find((k) => k.kind === 'appcode')!;
    await store().revokeKey(revoked.account.id, key.id);
    const suspended = await newAccount();
    await store().updateAccount(suspended.account.id, { status: 'suspended' });
    forgetCachedKeys(server);
    expect((await isp(YICHANG, `APPCODE ${revoked.appcode}`)).body).toEqual(codeOnly(-1));
    expect((await isp(YICHANG, `APPCODE ${suspended.appcode}`)).body).toEqual(codeOnly(-1));
  });

  it('answers -9 outside the whitelist, before the number', async () => {
    const { account, appcode } = await newAccount();
    await store().addIpRule(account.id, '10.0.0.0/8');
    forgetCachedKeys(server);
    expect((await isp(YICHANG, `APPCODE ${appcode}`)).body).toEqual(codeOnly(-9));
    expect((await isp(TOO_SHORT, `APPCODE ${appcode}`)).body).toEqual(codeOnly(-9));
  });

  it('answers -6 with HTTP 429 past the rate limit', async () => {
    const { appcode } = await newAccount(100, 1);
    expect((await isp(YICHANG, `APPCODE ${appcode}`)).body.code).toBe(0);
    const limited = await isp(YICHANG, `APPCODE ${appcode}`);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual(codeOnly(-6));
  });

  it('answers -2, -3, -4 for the number and -5 at zero balance, charging nothing but logging each', async () => {
    const { account, appcode } = await newAccount(0);
    const auth = `APPCODE ${appcode}`;
    expect((await isp(TOO_SHORT, auth)).body).toEqual(codeOnly(-2));
    expect((await isp(NOT_MOBILE, auth)).body).toEqual(codeOnly(-3));
    expect((await isp(NO_DATA, auth)).body).toEqual(codeOnly(-4));
    expect((await isp(YICHANG, auth)).body).toEqual(codeOnly(-5));
    expect(await store().ledgerSum(account.id)).toBe(0);
    const rows = (await store().queryLog(account.id)).rows;
    expect(rows.map((row) => [row.mobile, row.code])).toEqual([
      [YICHANG, -5],
      [NO_DATA, -4],
      [NOT_MOBILE, -3],
      [TOO_SHORT, -2],
    ]);
    const key = (await store().listKeys(account.id)).find((k) => k.kind === 'appcode')!;
    expect(rows.every((row) => row.keyId === key.id && row.res === null)).toBe(true);
  });

  it('sends its errors as XML and JSONP too', async () => {
    const xml = await isp(YICHANG, undefined, { format: 'xml' });
    expect(xml.contentType).toBe('application/xml; charset=utf-8');
    expect(parseXml(xml.text)).toEqual({ response: { code: '1', reason: '请求参数缺失' } });
    const jsonp = await request(server.url, `/isp?mobile=${YICHANG}&callback=cb`, {
      headers: { authorization: `APPCODE ${unknownApikey()}` },
    });
    expect(jsonp.contentType).toBe('application/javascript; charset=utf-8');
    expect(jsonp.text).toBe(`/**/ typeof cb === 'function' && cb({"code":-1,"reason":"apikey不正确"});`);
  });
});
