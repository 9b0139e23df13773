import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../../test-support/test-server.js';
import {
  BEIJING,
  GUANGZHOU_UNICOM,
  NO_DATA,
  SHANGHAI,
  SHENZHEN_TELECOM,
  TOO_SHORT,
  YICHANG,
  codeOnly,
  forgetCachedKeys,
  uniqueName,
  unknownApikey,
} from '../test-support/fixtures.js';
import { type RecordsBody, get, parseXml, sleep } from '../test-support/http-client.js';

let server: TestServer;
/** The account whose log the tests read: five charged queries, made in this order. */
let owner: { accountId: number; apikey: string };
/** Another account with queries of its own. */
let other: { accountId: number; apikey: string };
const QUERIED = [YICHANG, BEIJING, SHANGHAI, GUANGZHOU_UNICOM, SHENZHEN_TELECOM];

beforeAll(async () => {
  server = await startTestServer('sqlite');
  const a = await server.account({ name: uniqueName('rec'), balance: 100, qpsLimit: 10_000 });
  const b = await server.account({ name: uniqueName('rec'), balance: 100, qpsLimit: 10_000 });
  owner = { accountId: a.account.id, apikey: a.apikey };
  other = { accountId: b.account.id, apikey: b.apikey };
  for (const mobile of QUERIED) {
    // Interleaved with the other account's queries and with uncharged answers.
    await get(server.url, '/carrier', { apikey: owner.apikey, mobile, requestId: `own-${mobile}` });
    await get(server.url, '/carrier', { apikey: other.apikey, mobile: YICHANG });
    await get(server.url, '/carrier', { apikey: owner.apikey, mobile: TOO_SHORT });
    await get(server.url, '/carrier', { apikey: owner.apikey, mobile: NO_DATA });
    // Distinct times, for the from/to filters.
    await sleep(15);
  }
});
afterAll(async () => {
  await server?.close();
});

function records(params: Record<string, string>) {
  return get<RecordsBody>(server.url, '/records', { apikey: owner.apikey, ...params });
}

describe('/records', () => {
  it('lists exactly the charged queries, newest first, with their fields', async () => {
    const answer = await records({});
    expect(answer.status).toBe(200);
    expect(answer.body.code).toBe(0);
    expect(answer.body.reason).toBe('Succ');
    const { rows, next } = answer.body.result!;
    expect(next).toBeNull();
    expect(rows.map((row) => row.mobile)).toEqual([...QUERIED].reverse());
    expect(rows.map((row) => row.requestId)).toEqual([...QUERIED].reverse().map((mobile) => `own-${mobile}`));
    const ids = rows.map((row) => row.id);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
    const times = rows.map((row) => Date.parse(row.time));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect(Object.keys(rows[0])).toEqual([
      'id',
      'time',
      'mobile',
      'code',
      'res',
      'Init_isp',
      'Now_isp',
      'clientIp',
      'latencyMs',
      'requestId',
    ]);
    expect(rows[0]).toMatchObject({
      mobile: SHENZHEN_TELECOM,
      code: 0,
      res: '0',
      Init_isp: '电信',
      Now_isp: '电信',
      clientIp: '127.0.0.0',
    });
    expect(rows[0].time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Number.isInteger(rows[0].latencyMs) && rows[0].latencyMs >= 0).toBe(true);
    // As many rows as charges.
    expect(await server.server.deps.store.ledgerSum(owner.accountId)).toBe(100 - QUERIED.length);
  });

  it('pages with limit, next and before', async () => {
    const first = await records({ limit: '2' });
    expect(first.body.result!.rows.map((row) => row.mobile)).toEqual([SHENZHEN_TELECOM, GUANGZHOU_UNICOM]);
    const next1 = first.body.result!.next!;
    expect(next1).toBe(first.body.result!.rows[1].id);
    const second = await records({ limit: '2', before: String(next1) });
    expect(second.body.result!.rows.map((row) => row.mobile)).toEqual([SHANGHAI, BEIJING]);
    const third = await records({ limit: '2', before: String(second.body.result!.next) });
    expect(third.body.result!.rows.map((row) => row.mobile)).toEqual([YICHANG]);
    expect(third.body.result!.next).toBeNull();
    // Exactly filling a page leaves no next.
    expect((await records({ limit: '5' })).body.result!.next).toBeNull();
    expect((await records({ limit: '4' })).body.result!.next).not.toBeNull();
  });

  it.each([['1'], ['1000']])('accepts limit=%s', async (limit) => {
    const answer = await records({ limit });
    expect(answer.body.code).toBe(0);
    expect(answer.body.result!.rows).toHaveLength(Math.min(Number(limit), QUERIED.length));
  });

  it.each([['0'], ['1001'], ['-1'], ['abc'], ['1.5'], ['1e3']])('answers 1 for limit=%s', async (limit) => {
    expect((await records({ limit })).body).toEqual(codeOnly(1));
  });

  it.each([['0'], ['-3'], ['x']])('answers 1 for before=%s', async (before) => {
    expect((await records({ before })).body).toEqual(codeOnly(1));
  });

  it.each([['yesterday'], ['2024-13-45']])('answers 1 for from=%s and to=%s', async (value) => {
    expect((await records({ from: value })).body).toEqual(codeOnly(1));
    expect((await records({ to: value })).body).toEqual(codeOnly(1));
  });

  it('filters by time: from inclusive, to exclusive', async () => {
    const all = (await records({})).body.result!.rows;
    // Newest first: all[1] is the fourth query.
    const from = await records({ from: all[1].time });
    expect(from.body.result!.rows.map((row) => row.mobile)).toEqual([SHENZHEN_TELECOM, GUANGZHOU_UNICOM]);
    const to = await records({ to: all[1].time });
    expect(to.body.result!.rows.map((row) => row.mobile)).toEqual([SHANGHAI, BEIJING, YICHANG]);
    const between = await records({ from: all[3].time, to: all[1].time });
    expect(between.body.result!.rows.map((row) => row.mobile)).toEqual([SHANGHAI, BEIJING]);
    const future = await records({ from: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.body.result!.rows).toEqual([]);
    const past = await records({ to: '2000-01-01' });
    expect(past.body.result!.rows).toEqual([]);
    // Filters and paging together.
    const paged = await records({ from: all[3].time, limit: '1' });
    expect(paged.body.result!.rows.map((row) => row.mobile)).toEqual([SHENZHEN_TELECOM]);
    const rest = await records({ from: all[3].time, limit: '10', before: String(paged.body.result!.next) });
    expect(rest.body.result!.rows.map((row) => row.mobile)).toEqual([GUANGZHOU_UNICOM, SHANGHAI, BEIJING]);
  });

  it('never shows another account’s records', async () => {
    const mine = (await records({ limit: '1000' })).body.result!.rows;
    const theirs = (await get<RecordsBody>(server.url, '/records', { apikey: other.apikey })).body.result!
      .rows;
    expect(theirs).toHaveLength(QUERIED.length);
    expect(theirs.every((row) => row.mobile === YICHANG)).toBe(true);
    const myIds = new Set(mine.map((row) => row.id));
    expect(theirs.some((row) => myIds.has(row.id))).toBe(false);
    // Paging past one's own rows does not reach into another account's.
    const beyond = await records({ before: String(Math.max(...theirs.map((row) => row.id)) + 1) });
    expect(beyond.body.result!.rows.every((row) => myIds.has(row.id))).toBe(true);
    const afterOwn = await records({ before: String(Math.min(...mine.map((row) => row.id))) });
    expect(afterOwn.body.result!.rows).toEqual([]);
  });

  it('answers 1 without a key, -1 for an unknown key, -9 outside the whitelist', async () => {
    expect((await get(server.url, '/records', {})).body).toEqual(codeOnly(1));
    expect((await get(server.url, '/records', { apikey: unknownApikey() })).body).toEqual(codeOnly(-1));
    const denied = await server.account({ name: uniqueName('rec') });
    await server.server.deps.store.addIpRule(denied.account.id, '10.0.0.0/8');
    forgetCachedKeys(server);
    expect((await get(server.url, '/records', { apikey: denied.apikey })).body).toEqual(codeOnly(-9));
  });

  it('answers in XML with one <item> per row', async () => {
    const answer = await records({ limit: '2', format: 'xml' });
    expect(answer.contentType).toBe('application/xml; charset=utf-8');
    const parsed = parseXml(answer.text) as {
      response: { code: string; result: { rows: { item: { mobile: string }[] }; next: string } };
    };
    expect(parsed.response.code).toBe('0');
    expect(parsed.response.result.rows.item.map((row) => row.mobile)).toEqual([
      SHENZHEN_TELECOM,
      GUANGZHOU_UNICOM,
    ]);
  });
});
