import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../../test-support/test-server.js';
import {
  BEIJING,
  NO_DATA,
  TOO_SHORT,
  YICHANG,
  YICHANG_ANSWER,
  YICHANG_EXTENDED,
  balanceOf,
  forgetCachedKeys,
} from '../../test-support/fixtures.js';
import { type LookupBody, get } from '../../test-support/http-client.js';
import { chinaDay } from '../../../service/accounts/usage-series.js';
import type { ConsoleClient } from '../test-support/console-client.js';
import { loggedInCustomer } from '../test-support/console-users.js';

const server = serverForThisFile();

function customer(options: { balance?: number; lowBalanceThreshold?: number | null } = {}) {
  return loggedInCustomer(server, { balance: 10, qpsLimit: 10_000, ...options });
}

function query(client: ConsoleClient, mobile: string) {
  return client.post('/me/query', { mobile });
}

describe('POST /console/api/me/query', () => {
  it('answers with the extended fields and charges exactly one query, as the API does', async () => {
    const { client, apikey } = await customer({ balance: 10 });
    const answer = await query(client, YICHANG);
    expect(answer.status).toBe(200);
    const body = answer.json();
    expect(body).toMatchObject({
      code: 0,
      reason: 'Succ',
      result: { ...YICHANG_ANSWER.result, ...YICHANG_EXTENDED },
    });
    expect(body.result.requestId).toEqual(expect.any(String));
    expect(await balanceOf(server, apikey)).toBe('9');
    // The log row: no key, the request id, the number.
    const records = (await client.get('/me/records')).json();
    expect(records.rows).toHaveLength(1);
    expect(records.rows[0]).toMatchObject({ mobile: YICHANG, code: 0, requestId: body.result.requestId });
  });

  it('charges nothing for a number that is not one (-2) or has no data (-4), and answers -5 at zero', async () => {
    const { client, apikey } = await customer({ balance: 1 });
    expect((await query(client, TOO_SHORT)).json()).toEqual({ code: -2, reason: '查询的手机号码长度不对' });
    expect((await query(client, NO_DATA)).json()).toEqual({ code: -4, reason: '未查询到相关信息' });
    expect((await query(client, BEIJING)).json().code).toBe(0);
    expect((await query(client, BEIJING)).json()).toEqual({ code: -5, reason: '当前余额不足' });
    expect(await balanceOf(server, apikey)).toBe('0');
  });

  it('ends the console sessions of a suspended account: no query, key or rule, nothing charged', async () => {
    const { client, account, apikey } = await customer({ balance: 3 });
    const store = server.server.deps.store;
    await store.updateAccount(account.id, { status: 'suspended' });
    for (const answer of [
      await query(client, YICHANG),
      await client.post('/me/keys', { kind: 'apikey' }),
      await client.post('/me/ip-rules', { cidr: '203.0.113.7' }),
      await client.get('/me/overview'),
    ]) {
      expect(answer.status).toBe(401);
      expect(answer.json().error.code).toBe('not_logged_in');
    }
    expect(await store.listKeys(account.id)).toHaveLength(1);
    expect(await store.listIpRules(account.id)).toEqual([]);
    await store.updateAccount(account.id, { status: 'active' });
    forgetCachedKeys(server);
    expect(await balanceOf(server, apikey)).toBe('3');
  });

  it('answers 400 bad_request without a mobile', async () => {
    const { client } = await customer();
    for (const body of [{}, { mobile: null }, { mobile: ['1'] }]) {
      const answer = await client.post('/me/query', body);
      expect(answer.status).toBe(400);
      expect(answer.json().error.code).toBe('bad_request');
    }
  });
});

describe('GET /console/api/me/overview', () => {
  it('sums today, the month and the last 30 days by code, every day present', async () => {
    const { client, name } = await customer({ balance: 2, lowBalanceThreshold: 10 });
    expect((await query(client, YICHANG)).json().code).toBe(0);
    expect((await query(client, BEIJING)).json().code).toBe(0);
    expect((await query(client, TOO_SHORT)).json().code).toBe(-2);
    expect((await query(client, YICHANG)).json().code).toBe(-5);
    const answer = await client.get('/me/overview');
    expect(answer.status).toBe(200);
    const body = answer.json();
    expect(body.account).toEqual({
      name,
      feeType: 'prepaid',
      balance: 0,
      creditLimit: null,
      lowBalanceThreshold: 10,
      status: 'active',
    });
    expect(body.lowBalance).toBe(true);
    expect(body.today).toEqual({ answers: 4, charged: 2, ported: 0 });
    expect(body.month).toEqual({ answers: 4, charged: 2, ported: 0 });
    expect(body.successRate).toBe(0.5);
    expect(body.portedShare).toBe(0);
    expect(body.daily).toHaveLength(30);
    const today = chinaDay(new Date());
    expect(body.daily.at(-1)).toEqual({ day: today, codes: { '0': 2, '-2': 1, '-5': 1 } });
    expect(
      body.daily.slice(0, -1).every((day: { codes: object }) => Object.keys(day.codes).length === 0),
    ).toBe(true);
    const days = body.daily.map((day: { day: string }) => day.day);
    expect(new Set(days).size).toBe(30);
    expect([...days].sort()).toEqual(days);
  });

  it('has no rates before the first answer and no warning without a threshold', async () => {
    const { client } = await customer({ balance: 0, lowBalanceThreshold: null });
    const body = (await client.get('/me/overview')).json();
    expect(body).toMatchObject({
      lowBalance: false,
      today: { answers: 0, charged: 0, ported: 0 },
      successRate: null,
      portedShare: null,
    });
  });
});

describe('GET /console/api/me/records', () => {
  it('filters by code, number and China day, newest first, paged', async () => {
    const { client } = await customer({ balance: 10 });
    for (const mobile of [YICHANG, BEIJING, TOO_SHORT, YICHANG]) await query(client, mobile);
    const all = (await client.get('/me/records')).json();
    expect(all.next).toBeNull();
    expect(all.rows.map((row: { mobile: string }) => row.mobile)).toEqual([
      YICHANG,
      TOO_SHORT,
      BEIJING,
      YICHANG,
    ]);
    expect(all.rows[0]).toEqual({
      id: expect.any(Number),
      at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      mobile: YICHANG,
      code: 0,
      res: '0',
      initIsp: '移动',
      nowIsp: '移动',
      clientIp: '127.0.0.0',
      latencyMs: expect.any(Number),
      requestId: expect.any(String),
      source: 'segment',
    });
    const mobiles = async (query: string) =>
      (await client.get(`/me/records?${query}`)).json().rows.map((row: { mobile: string }) => row.mobile);
    expect(await mobiles('code=-2')).toEqual([TOO_SHORT]);
    expect(await mobiles(`mobile=${YICHANG}`)).toEqual([YICHANG, YICHANG]);
    expect(await mobiles(`mobile=${YICHANG}&code=0`)).toEqual([YICHANG, YICHANG]);
    const today = chinaDay(new Date());
    const yesterday = chinaDay(new Date(Date.now() - 86_400_000));
    expect(await mobiles(`from=${today}&to=${today}`)).toHaveLength(4);
    expect(await mobiles(`to=${yesterday}`)).toEqual([]);
    expect(await mobiles(`from=${chinaDay(new Date(Date.now() + 86_400_000))}`)).toEqual([]);
    expect(await mobiles(`from=${new Date(Date.now() - 60_000).toISOString()}`)).toHaveLength(4);
    const first = (await client.get('/me/records?limit=3')).json();
    expect(first.rows).toHaveLength(3);
    const second = (await client.get(`/me/records?limit=3&before=${first.next}`)).json();
    expect(second).toEqual({ rows: [all.rows[3]], next: null });
  });

  it('answers 400 bad_request for a filter it cannot read', async () => {
    const { client } = await customer();
    for (const bad of [
      'from=yesterday',
      'to=2025-02-30',
      'from=2025-13-01',
      'code=zero',
      'mobile=1397256539',
      'mobile=139725653911',
      'limit=0',
      'limit=1001',
      'before=-1',
      'code=0&code=-2',
    ]) {
      const answer = await client.get(`/me/records?${bad}`);
      expect(answer.status, bad).toBe(400);
      expect(answer.json().error.code).toBe('bad_request');
    }
  });
});

describe('GET /console/api/me/records.csv', () => {
  it('exports the filtered records as a UTF-8 CSV with a BOM, newest first', async () => {
    const { client } = await customer({ balance: 10 });
    for (const mobile of [YICHANG, TOO_SHORT, BEIJING]) await query(client, mobile);
    const answer = await client.get('/me/records.csv');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(answer.headers.get('content-disposition')).toMatch(
      /^attachment; filename="records-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect([...answer.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = answer.text().slice(1).trimEnd().split('\n');
    expect(lines[0]).toBe('id,at,mobile,code,res,init_isp,now_isp,client_ip,latency_ms,request_id');
    expect(lines).toHaveLength(4);
    const cells = lines.slice(1).map((line) => line.split(','));
    expect(cells.map((row) => [row[2], row[3], row[4], row[5], row[6]])).toEqual([
      [BEIJING, '0', '0', '移动', '移动'],
      [TOO_SHORT, '-2', '', '', ''],
      [YICHANG, '0', '0', '移动', '移动'],
    ]);
    const records = (await client.get('/me/records')).json().rows;
    expect(cells.map((row) => Number(row[0]))).toEqual(records.map((row: { id: number }) => row.id));

    const filtered = await client.get('/me/records.csv?code=-2');
    expect(filtered.text().trimEnd().split('\n')).toHaveLength(2);
    expect((await client.get('/me/records.csv?from=nonsense')).status).toBe(400);
  });

  it('keeps a request id that looks like a formula from running in a spreadsheet', async () => {
    const { client, apikey } = await customer({ balance: 10 });
    await get(server.url, '/carrier', { apikey, mobile: YICHANG, requestId: '=HYPERLINK("http://x")' });
    const text = (await client.get('/me/records.csv')).text();
    expect(text).toContain(`"'=HYPERLINK(""http://x"")"`);
  });

  it('keeps a logged number that looks like a formula from running, whatever its first character', async () => {
    const { client, apikey } = await customer({ balance: 10 });
    const formulas = ["=cmd|' /C calc'!A0", '+1+1', '-1+1', '@SUM(1+1)', '\t=1', '\r=1'];
    for (const mobile of formulas) await get(server.url, '/carrier', { apikey, mobile });
    const rows = parse((await client.get('/me/records.csv')).text().slice(1), { columns: true }) as {
      mobile: string;
      code: string;
    }[];
    // The log drops control characters; what is left still starts like a formula, and is kept text.
    const logged = formulas.map((formula) => `'${formula.replace(/[\t\r]/g, '')}`);
    expect(rows.map((row) => row.mobile).sort()).toEqual(logged.sort());
    // A negative code is a number, not a formula: it stays as it is.
    expect(new Set(rows.map((row) => row.code))).toEqual(new Set(['-2']));
  });
});

describe('keys: /console/api/me/keys', () => {
  it('creates an apikey that works at once, shows its secret once, and revokes it', async () => {
    const { client, account } = await customer({ balance: 10 });
    const created = await client.post('/me/keys', { kind: 'apikey', label: 'production' });
    expect(created.status).toBe(201);
    const { key, secret } = created.json();
    expect(secret).toMatch(/^[0-9a-f]{32}$/);
    expect(key).toEqual({
      id: expect.any(Number),
      kind: 'apikey',
      hint: `${secret.slice(0, 4)}…${secret.slice(-2)}`,
      label: 'production',
      createdAt: expect.any(String),
      revokedAt: null,
    });
    expect(
      (await get<LookupBody>(server.url, '/carrier', { apikey: secret, mobile: YICHANG })).body.code,
    ).toBe(0);

    const listed = (await client.get('/me/keys')).json();
    expect(listed).toHaveLength(2);
    expect(listed).toContainEqual(key);
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect((await server.server.deps.store.listKeys(account.id)).map((row) => row.id)).toContain(key.id);

    expect((await client.post(`/me/keys/${key.id}/revoke`)).status).toBe(204);
    expect(
      (await get<LookupBody>(server.url, '/carrier', { apikey: secret, mobile: YICHANG })).body.code,
    ).toBe(-1);
    const revoked = (await client.get('/me/keys')).json().find((row: { id: number }) => row.id === key.id);
    expect(revoked.revokedAt).toEqual(expect.any(String));
    // Revoked already: nothing left to revoke.
    expect((await client.post(`/me/keys/${key.id}/revoke`)).status).toBe(404);
  });

  it('creates an APPCODE for /isp', async () => {
    const { client } = await customer({ balance: 10 });
    const { key, secret } = (await client.post('/me/keys', { kind: 'appcode' })).json();
    expect(key).toMatchObject({ kind: 'appcode', label: '' });
    const answer = await get<LookupBody>(
      server.url,
      '/isp',
      { mobile: YICHANG },
      { authorization: `APPCODE ${secret}` },
    );
    expect(answer.body.code).toBe(0);
  });

  it('answers 400 bad_request for a wrong kind or label', async () => {
    const { client } = await customer();
    for (const body of [
      { kind: 'root' },
      { kind: 'apikey', label: 'x'.repeat(65) },
      { kind: 'apikey', label: 'a\nb' },
    ]) {
      const answer = await client.post('/me/keys', body);
      expect(answer.status).toBe(400);
      expect(answer.json().error.code).toBe('bad_request');
    }
  });
});

describe('IP whitelist: /console/api/me/ip-rules', () => {
  it('adds normalised rules that take effect at once, and deletes them', async () => {
    const { client, apikey } = await customer({ balance: 10 });
    const added = await client.post('/me/ip-rules', { cidr: ' 203.0.113.77/24 ' });
    expect(added.status).toBe(201);
    const rule = added.json();
    expect(rule).toEqual({ id: expect.any(Number), cidr: '203.0.113.0/24' });
    const v6 = (await client.post('/me/ip-rules', { cidr: '2001:DB8::1' })).json();
    expect(v6.cidr).toBe('2001:db8::1/128');
    expect((await client.get('/me/ip-rules')).json()).toEqual([rule, v6]);
    // The test client calls from 127.0.0.1, outside the whitelist now.
    expect((await get<LookupBody>(server.url, '/carrier', { apikey, mobile: YICHANG })).body.code).toBe(-9);

    const again = await client.post('/me/ip-rules', { cidr: '203.0.113.0/24' });
    expect(again.status).toBe(409);
    expect(again.json().error.code).toBe('conflict');

    expect((await client.delete(`/me/ip-rules/${rule.id}`)).status).toBe(204);
    expect((await client.delete(`/me/ip-rules/${v6.id}`)).status).toBe(204);
    expect((await client.get('/me/ip-rules')).json()).toEqual([]);
    expect((await get<LookupBody>(server.url, '/carrier', { apikey, mobile: YICHANG })).body.code).toBe(0);
    expect((await client.delete(`/me/ip-rules/${rule.id}`)).status).toBe(404);
  });

  it('answers 400 invalid_cidr for what is not an address or CIDR', async () => {
    const { client } = await customer();
    for (const cidr of ['localhost', '10.1', '010.0.0.1', '10.0.0.0/33', '', 42]) {
      const answer = await client.post('/me/ip-rules', { cidr });
      expect(answer.status, String(cidr)).toBe(400);
      expect(answer.json().error.code).toBe('invalid_cidr');
    }
    expect((await client.get('/me/ip-rules')).json()).toEqual([]);
  });
});
