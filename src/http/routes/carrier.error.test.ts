import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../test-support/test-server.js';
import {
  NOT_MOBILE,
  NO_DATA,
  TOO_SHORT,
  YICHANG,
  YICHANG_ANSWER,
  allRecords,
  balanceOf,
  codeOnly,
  forgetCachedKeys,
  uniqueName,
  unknownApikey,
} from '../test-support/fixtures.js';
import { get, parseXml, postForm, postJson, request, runJsonp } from '../test-support/http-client.js';

const server = serverForThisFile();

const store = () => server.server.deps.store;

async function newAccount(balance = 100, qpsLimit = 10_000) {
  return server.account({ name: uniqueName('error'), balance, qpsLimit });
}

/** An account whose whitelist leaves out 127.0.0.1, where the tests connect from. */
async function deniedAccount(balance = 100) {
  const created = await newAccount(balance);
  await store().addIpRule(created.account.id, '10.0.0.0/8');
  forgetCachedKeys(server);
  return created;
}

/** Nothing charged, nothing logged: the balance is what the account opened with. */
async function expectUncharged(accountId: number, apikey: string, opening: number) {
  expect(await store().ledgerSum(accountId)).toBe(opening);
  expect((await store().getAccount(accountId))!.balance).toBe(opening);
  expect((await store().queryLog(accountId)).rows).toEqual([]);
  // Through the API too, where the account's IP rules allow it.
  if ((await store().listIpRules(accountId)).length === 0) {
    expect(await balanceOf(server, apikey)).toBe(String(opening));
    expect(await allRecords(server, apikey)).toEqual([]);
  }
}

/**
 * Nothing charged, but every answer about a number logged, uncharged and without a result: the
 * log holds exactly `logged` ([mobile, code], newest first).
 */
async function expectLoggedUncharged(accountId: number, opening: number, logged: [string, number][]) {
  expect(await store().ledgerSum(accountId)).toBe(opening);
  expect((await store().getAccount(accountId))!.balance).toBe(opening);
  const rows = (await store().queryLog(accountId)).rows;
  expect(rows.map((row) => [row.mobile, row.code])).toEqual(logged);
  expect(rows.every((row) => row.res === null && row.initIsp === null && row.nowIsp === null)).toBe(true);
}

/** A POST with a body and no Content-Type header at all (fetch always adds one). */
function postWithoutContentType(base: string, path: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const call = http.request(
      `${base}${path}`,
      { method: 'POST', headers: { 'content-length': Buffer.byteLength(body) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve(text));
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

describe('code 1: a parameter is missing', () => {
  it.each([
    ['nothing', {}],
    ['no apikey', { mobile: YICHANG }],
    ['no mobile', { apikey: 'KEY' }],
    ['a blank mobile', { apikey: 'KEY', mobile: '   ' }],
    ['an empty mobile', { apikey: 'KEY', mobile: '' }],
    ['a blank apikey', { apikey: '', mobile: YICHANG }],
    ['an apikey of 31 characters', { apikey: 'SHORT', mobile: YICHANG }],
    ['an apikey of 33 characters', { apikey: 'LONG', mobile: YICHANG }],
  ])('answers 1 for %s, in every parameter style, and charges nothing', async (_case, params) => {
    const { account, apikey } = await newAccount();
    const resolved = Object.fromEntries(
      Object.entries(params).map(([name, value]) => [
        name,
        value === 'KEY'
          ? apikey
          : value === 'SHORT'
            ? apikey.slice(1)
            : value === 'LONG'
              ? apikey + '0'
              : value,
      ]),
    );
    for (const answer of [
      await get(server.url, '/carrier', resolved),
      await postForm(server.url, '/carrier', resolved),
      await postJson(server.url, '/carrier', resolved),
    ]) {
      expect(answer.status).toBe(200);
      expect(answer.contentType).toBe('application/json; charset=utf-8');
      expect(answer.body).toEqual(codeOnly(1));
    }
    await expectUncharged(account.id, apikey, 100);
  });

  it('answers 1 when a JSON value is not text or a number', async () => {
    const { account, apikey } = await newAccount();
    for (const mobile of [null, {}, [], true]) {
      expect((await postJson(server.url, '/carrier', { apikey, mobile })).body).toEqual(codeOnly(1));
    }
    for (const key of [null, { key: apikey }, [], 12345]) {
      expect((await postJson(server.url, '/carrier', { apikey: key, mobile: YICHANG })).body).toEqual(
        codeOnly(1),
      );
    }
    await expectUncharged(account.id, apikey, 100);
  });

  it('answers 1 for a number nested 15,000 deep, not -8', async () => {
    const { account, apikey } = await newAccount();
    const depth = 15_000;
    const answer = await request(server.url, '/carrier', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"apikey":"${apikey}","mobile":${'['.repeat(depth)}"${YICHANG}"${']'.repeat(depth)}}`,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject(codeOnly(1));
    await expectUncharged(account.id, apikey, 100);
  });

  it('answers 1 for broken JSON, with HTTP 200', async () => {
    const { account, apikey } = await newAccount();
    for (const body of ['{bad', '{"apikey":', '{"__proto__":{"x":1},"mobile":"13972565391"}']) {
      const answer = await request(server.url, `/carrier?apikey=${apikey}&mobile=${YICHANG}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject(codeOnly(1));
      expect(Object.keys(answer.body)).toEqual(['code', 'reason', 'message']);
    }
    await expectUncharged(account.id, apikey, 100);
  });

  it('reads a form body whatever its Content-Type says, as seed clients in the wild send it', async () => {
    const { apikey } = await newAccount();
    const form = `apikey=${apikey}&mobile=${YICHANG}`;
    for (const type of ['text/plain', 'application/octet-stream']) {
      const answer = await request(server.url, '/carrier', {
        method: 'POST',
        headers: { 'content-type': type },
        body: form,
      });
      expect(answer.body, type).toEqual(YICHANG_ANSWER);
    }
    expect(JSON.parse(await postWithoutContentType(server.url, '/carrier', form))).toEqual(YICHANG_ANSWER);
    const multipart = new FormData();
    multipart.set('apikey', apikey);
    multipart.set('mobile', YICHANG);
    const fromMultipart = await request(server.url, '/carrier', { method: 'POST', body: multipart });
    expect(fromMultipart.body).toEqual(YICHANG_ANSWER);
    expect(await balanceOf(server, apikey)).toBe('96');
    // The body comes first, as the seed recommends POST: its number is the one answered.
    const both = await request(server.url, `/carrier?apikey=${apikey}&mobile=13800138000`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: `mobile=${YICHANG}`,
    });
    expect(both.body).toEqual(YICHANG_ANSWER);
  });

  it('answers 1 before looking at the key or the number', async () => {
    const { account, apikey } = await newAccount(0);
    // Missing mobile with a bad key.
    expect((await get(server.url, '/carrier', { apikey: unknownApikey() })).body).toEqual(codeOnly(1));
    // Short key with a bad number.
    expect((await get(server.url, '/carrier', { apikey: 'abc', mobile: TOO_SHORT })).body).toEqual(
      codeOnly(1),
    );
    // Missing mobile on an account with no balance.
    expect((await get(server.url, '/carrier', { apikey })).body).toEqual(codeOnly(1));
    await expectUncharged(account.id, apikey, 0);
  });
});

describe('code -1: the key is not usable', () => {
  it('answers -1 for a key nobody has', async () => {
    const answer = await get(server.url, '/carrier', { apikey: unknownApikey(), mobile: YICHANG });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(codeOnly(-1));
  });

  it('answers -1 for a revoked key, and charges nothing', async () => {
    const { account, apikey } = await newAccount();
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(YICHANG_ANSWER);
    const [key] = await store().listKeys(account.id);
    expect(await store().revokeKey(account.id, key.id)).toBe(true);
    forgetCachedKeys(server);
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(codeOnly(-1));
    expect(await store().ledgerSum(account.id)).toBe(99);
    expect((await store().queryLog(account.id)).rows).toHaveLength(1);
  });

  it('answers -1 for a suspended account, and answers again once it is active', async () => {
    const { account, apikey } = await newAccount();
    await store().updateAccount(account.id, { status: 'suspended' });
    forgetCachedKeys(server);
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(codeOnly(-1));
    expect((await get(server.url, '/balance', { apikey })).body).toEqual(codeOnly(-1));
    expect(await store().ledgerSum(account.id)).toBe(100);
    await store().updateAccount(account.id, { status: 'active' });
    forgetCachedKeys(server);
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(YICHANG_ANSWER);
  });

  it('answers -1 before the IP whitelist: a revoked key or suspended account from a denied IP', async () => {
    const revoked = await deniedAccount();
    const [key] = await store().listKeys(revoked.account.id);
    await store().revokeKey(revoked.account.id, key.id);
    const suspended = await deniedAccount();
    await store().updateAccount(suspended.account.id, { status: 'suspended' });
    forgetCachedKeys(server);
    for (const { apikey } of [revoked, suspended]) {
      expect((await get(server.url, '/carrier', { apikey, mobile: TOO_SHORT })).body).toEqual(codeOnly(-1));
    }
  });
});

describe('code -9: the client IP is outside the whitelist', () => {
  it('answers -9 and charges nothing', async () => {
    const { account, apikey } = await deniedAccount();
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(codeOnly(-9));
    await expectUncharged(account.id, apikey, 100);
  });

  it('answers -9 before the number and the balance', async () => {
    const { apikey } = await deniedAccount(0);
    for (const mobile of [TOO_SHORT, NOT_MOBILE, NO_DATA, YICHANG]) {
      expect((await get(server.url, '/carrier', { apikey, mobile })).body).toEqual(codeOnly(-9));
    }
  });
});

describe('code -6: rate limited (HTTP 429)', () => {
  it('answers -6 with HTTP 429 past the account’s qpsLimit, and charges only the answers', async () => {
    const { account, apikey } = await newAccount(100, 2);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await get(server.url, '/carrier', { apikey, mobile: YICHANG }));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 429, 429]);
    expect(answers.map((answer) => answer.body)).toEqual([
      YICHANG_ANSWER,
      YICHANG_ANSWER,
      codeOnly(-6),
      codeOnly(-6),
    ]);
    expect(await store().ledgerSum(account.id)).toBe(98);
    expect((await store().queryLog(account.id)).rows).toHaveLength(2);
  });

  it('answers -6 before the number and the balance', async () => {
    const { apikey } = await newAccount(0, 1);
    // The first request takes the only token (and is answered -5: nothing to charge).
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(codeOnly(-5));
    for (const mobile of [TOO_SHORT, NO_DATA]) {
      const answer = await get(server.url, '/carrier', { apikey, mobile });
      expect(answer.status).toBe(429);
      expect(answer.body).toEqual(codeOnly(-6));
    }
  });

  it('still answers 1 and -1 while the key is limited', async () => {
    const { apikey } = await newAccount(100, 1);
    await get(server.url, '/carrier', { apikey, mobile: YICHANG });
    expect((await get(server.url, '/carrier', { apikey })).body).toEqual(codeOnly(1));
    expect((await get(server.url, '/carrier', { apikey: unknownApikey(), mobile: YICHANG })).body).toEqual(
      codeOnly(-1),
    );
  });
});

describe('codes -2, -3, -4: the number', () => {
  it.each([
    [TOO_SHORT, -2],
    ['139725653911', -2],
    ['1397256539a', -2],
    ['abc', -2],
    ['+1 13972565391', -2],
    ['0013972565391', -2],
    [NOT_MOBILE, -3],
    ['23972565391', -3],
    ['10086100860', -3],
    [NO_DATA, -4],
    ['15400095391', -4],
  ] as const)('answers %j with %i and charges nothing, but logs it', async (mobile, code) => {
    const { account, apikey } = await newAccount();
    const answer = await get(server.url, '/carrier', { apikey, mobile });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(codeOnly(code));
    await expectLoggedUncharged(account.id, 100, [[mobile, code]]);
    const [key] = await store().listKeys(account.id);
    expect((await store().queryLog(account.id)).rows[0].keyId).toBe(key.id);
  });

  it('logs what the client sent, cut to 64 characters and without control characters', async () => {
    const { account, apikey } = await newAccount();
    const sent = `1\u0000${'2'.repeat(80)}`;
    expect((await get(server.url, '/carrier', { apikey, mobile: sent })).body).toEqual(codeOnly(-2));
    // A number that parses is logged as it was normalised.
    expect((await get(server.url, '/carrier', { apikey, mobile: '+86 154-0000-0000' })).body).toEqual(
      codeOnly(-4),
    );
    await expectLoggedUncharged(account.id, 100, [
      [NO_DATA, -4],
      [`1${'2'.repeat(63)}`, -2],
    ]);
  });

  it('answers the number’s code before the balance: -2, -3 and -4 at zero balance', async () => {
    const { account, apikey } = await newAccount(0);
    expect((await get(server.url, '/carrier', { apikey, mobile: TOO_SHORT })).body).toEqual(codeOnly(-2));
    expect((await get(server.url, '/carrier', { apikey, mobile: NOT_MOBILE })).body).toEqual(codeOnly(-3));
    expect((await get(server.url, '/carrier', { apikey, mobile: NO_DATA })).body).toEqual(codeOnly(-4));
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(codeOnly(-5));
    await expectLoggedUncharged(account.id, 0, [
      [YICHANG, -5],
      [NO_DATA, -4],
      [NOT_MOBILE, -3],
      [TOO_SHORT, -2],
    ]);
  });
});

describe('code -5: prepaid balance used up', () => {
  it('answers -5 at zero, charges nothing, and answers again after a top-up', async () => {
    const { account, apikey } = await newAccount(1);
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(YICHANG_ANSWER);
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(codeOnly(-5));
    expect(await balanceOf(server, apikey)).toBe('0');
    expect(await store().ledgerSum(account.id)).toBe(0);
    // The refusal is logged as the -5 it was, without a result.
    const afterRefusal = await allRecords(server, apikey);
    expect(afterRefusal.map((row) => [row.code, row.res, row.Now_isp])).toEqual([
      [-5, null, null],
      [0, '0', '移动'],
    ]);
    await store().adjustBalance(account.id, 1, 'topup');
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(YICHANG_ANSWER);
    expect(await balanceOf(server, apikey)).toBe('0');
    expect((await allRecords(server, apikey)).map((row) => row.code)).toEqual([0, -5, 0]);
  });
});

describe('error answers in every format', () => {
  it.each([
    ['1', {}, 1],
    ['-1', { apikey: 'UNKNOWN', mobile: YICHANG }, -1],
    ['-2', { apikey: 'KEY', mobile: TOO_SHORT }, -2],
    ['-4', { apikey: 'KEY', mobile: NO_DATA }, -4],
  ] as const)('sends code %s as JSON, XML and JSONP', async (_name, params, code) => {
    const { apikey } = await newAccount();
    const resolved: Record<string, string> = Object.fromEntries(
      Object.entries(params).map(([name, value]) => [
        name,
        value === 'KEY' ? apikey : value === 'UNKNOWN' ? unknownApikey() : value,
      ]),
    );
    const json = await get(server.url, '/carrier', resolved);
    expect(json.contentType).toBe('application/json; charset=utf-8');
    expect(json.body).toEqual(codeOnly(code));

    const xml = await get(server.url, '/carrier', { ...resolved, format: 'xml' });
    expect(xml.status).toBe(200);
    expect(xml.contentType).toBe('application/xml; charset=utf-8');
    expect(parseXml(xml.text)).toEqual({ response: { code: String(code), reason: codeOnly(code).reason } });

    const jsonp = await get(server.url, '/carrier', { ...resolved, callback: 'cb' });
    expect(jsonp.status).toBe(200);
    expect(jsonp.contentType).toBe('application/javascript; charset=utf-8');
    expect(runJsonp(jsonp.text, 'cb')).toEqual([codeOnly(code)]);
  });

  it('sends a rate-limited answer as XML and JSONP with HTTP 429', async () => {
    const { apikey } = await newAccount(100, 1);
    await get(server.url, '/carrier', { apikey, mobile: YICHANG });
    const xml = await get(server.url, '/carrier', { apikey, mobile: YICHANG, format: 'xml' });
    expect(xml.status).toBe(429);
    expect(parseXml(xml.text)).toEqual({ response: { code: '-6', reason: '请求过于频繁' } });
    const jsonp = await get(server.url, '/carrier', { apikey, mobile: YICHANG, callback: 'cb' });
    expect(jsonp.status).toBe(429);
    expect(runJsonp(jsonp.text, 'cb')).toEqual([codeOnly(-6)]);
  });

  it.each([['alert(1)//'], ['cb;alert(1)'], ['<script>'], ['a b'], ['1cb'], ['cb.'], ['x'.repeat(65)]])(
    'answers code 1 as JSON for the unusable callback %j, uncharged, without echoing it',
    async (callback) => {
      const { account, apikey } = await newAccount();
      const answer = await get(server.url, '/carrier', { apikey, mobile: YICHANG, callback });
      expect(answer.status).toBe(200);
      expect(answer.contentType).toBe('application/json; charset=utf-8');
      expect(answer.text).toBe('{"code":1,"reason":"请求参数缺失"}');
      await expectUncharged(account.id, apikey, 100);
    },
  );
});
