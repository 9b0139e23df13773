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
import { type RecordsBody, get, isWellFormedXml, parseXml, sleep } from '../test-support/http-client.js';

let server: TestServer;
/**
 * The account whose log the tests read: five rounds, each a charged query (code 0) followed by two
 * uncharged answers about a number (-2, -4), all logged.
 */
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

/** One round of the owner's log as it reads newest first. */
const ROUND = [NO_DATA, TOO_SHORT];
/** The owner's whole log, newest first. */
const LOGGED = [...QUERIED].reverse().flatMap((mobile) => [...ROUND, mobile]);

const mobiles = (rows: { mobile: string }[]) => rows.map((row) => row.mobile);
const charged = (rows: { code: number; mobile: string }[]) => mobiles(rows.filter((row) => row.code === 0));

describe('/records', () => {
  it('lists every logged answer, newest first, with their fields: the charged ones are code 0', async () => {
    const answer = await records({});
    expect(answer.status).toBe(200);
    expect(answer.body.code).toBe(0);
    expect(answer.body.reason).toBe('Succ');
    const { rows, next } = answer.body.result!;
    expect(next).toBeNull();
    expect(mobiles(rows)).toEqual(LOGGED);
    expect(rows.map((row) => row.code)).toEqual(QUERIED.flatMap(() => [-4, -2, 0]));
    expect(charged(rows)).toEqual([...QUERIED].reverse());
    expect(rows.filter((row) => row.code === 0).map((row) => row.requestId)).toEqual(
      [...QUERIED].reverse().map((mobile) => `own-${mobile}`),
    );
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
      'source',
    ]);
    // The uncharged answers have no result.
    expect(rows[0]).toMatchObject({ mobile: NO_DATA, code: -4, res: null, Init_isp: null, Now_isp: null });
    expect(rows[1]).toMatchObject({ mobile: TOO_SHORT, code: -2, res: null, Init_isp: null, Now_isp: null });
    expect(rows[2]).toMatchObject({
      mobile: SHENZHEN_TELECOM,
      code: 0,
      res: '0',
      Init_isp: '电信',
      Now_isp: '电信',
      clientIp: '127.0.0.0',
      source: 'segment',
    });
    expect(rows[2].time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Number.isInteger(rows[2].latencyMs) && rows[2].latencyMs >= 0).toBe(true);
    // As many code-0 rows as charges.
    expect(await server.server.deps.store.ledgerSum(owner.accountId)).toBe(100 - QUERIED.length);
  });

  it('pages with limit, next and before', async () => {
    const first = await records({ limit: '6' });
    expect(mobiles(first.body.result!.rows)).toEqual(LOGGED.slice(0, 6));
    const next1 = first.body.result!.next!;
    expect(next1).toBe(first.body.result!.rows[5].id);
    const second = await records({ limit: '6', before: String(next1) });
    expect(mobiles(second.body.result!.rows)).toEqual(LOGGED.slice(6, 12));
    const third = await records({ limit: '6', before: String(second.body.result!.next) });
    expect(mobiles(third.body.result!.rows)).toEqual([...ROUND, YICHANG]);
    expect(third.body.result!.next).toBeNull();
    // Exactly filling a page leaves no next.
    expect((await records({ limit: String(LOGGED.length) })).body.result!.next).toBeNull();
    expect((await records({ limit: String(LOGGED.length - 1) })).body.result!.next).not.toBeNull();
  });

  it.each([['1'], ['1000']])('accepts limit=%s', async (limit) => {
    const answer = await records({ limit });
    expect(answer.body.code).toBe(0);
    expect(answer.body.result!.rows).toHaveLength(Math.min(Number(limit), LOGGED.length));
  });

  it.each([['0'], ['1001'], ['5000'], ['-1'], ['abc'], ['1.5'], ['1e3']])(
    'answers 1 for limit=%s, saying what the limit is',
    async (limit) => {
      expect((await records({ limit })).body).toEqual({
        ...codeOnly(1),
        message: 'limit must be a whole number from 1 to 1000',
      });
    },
  );

  it.each([['0'], ['-3'], ['x']])('answers 1 for before=%s', async (before) => {
    expect((await records({ before })).body).toEqual({
      ...codeOnly(1),
      message: 'before must be the next of a page',
    });
  });

  it.each([['yesterday'], ['2024-13-45']])('answers 1 for from=%s and to=%s', async (value) => {
    const message = 'from and to must be ISO dates or times';
    expect((await records({ from: value })).body).toEqual({ ...codeOnly(1), message });
    expect((await records({ to: value })).body).toEqual({ ...codeOnly(1), message });
  });

  it('filters by time: from inclusive, to exclusive', async () => {
    // Newest first: queries[1] is the fourth charged query, which opened its round.
    const queries = (await records({})).body.result!.rows.filter((row) => row.code === 0);
    const from = await records({ from: queries[1].time });
    expect(mobiles(from.body.result!.rows)).toEqual(LOGGED.slice(0, 6));
    expect(charged(from.body.result!.rows)).toEqual([SHENZHEN_TELECOM, GUANGZHOU_UNICOM]);
    const to = await records({ to: queries[1].time });
    expect(mobiles(to.body.result!.rows)).toEqual(LOGGED.slice(6));
    expect(charged(to.body.result!.rows)).toEqual([SHANGHAI, BEIJING, YICHANG]);
    const between = await records({ from: queries[3].time, to: queries[1].time });
    expect(charged(between.body.result!.rows)).toEqual([SHANGHAI, BEIJING]);
    expect(between.body.result!.rows).toHaveLength(6);
    const future = await records({ from: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.body.result!.rows).toEqual([]);
    const past = await records({ to: '2000-01-01' });
    expect(past.body.result!.rows).toEqual([]);
    // Filters and paging together.
    const paged = await records({ from: queries[3].time, limit: '3' });
    expect(mobiles(paged.body.result!.rows)).toEqual([...ROUND, SHENZHEN_TELECOM]);
    const rest = await records({
      from: queries[3].time,
      limit: '20',
      before: String(paged.body.result!.next),
    });
    expect(mobiles(rest.body.result!.rows)).toEqual(LOGGED.slice(3, 12));
    expect(charged(rest.body.result!.rows)).toEqual([GUANGZHOU_UNICOM, SHANGHAI, BEIJING]);
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
    const answer = await records({ limit: '3', format: 'xml' });
    expect(answer.contentType).toBe('application/xml; charset=utf-8');
    const parsed = parseXml(answer.text) as {
      response: { code: string; result: { rows: { item: { mobile: string }[] }; next: string } };
    };
    expect(parsed.response.code).toBe('0');
    expect(parsed.response.result.rows.item.map((row) => row.mobile)).toEqual([
      NO_DATA,
      TOO_SHORT,
      SHENZHEN_TELECOM,
    ]);
  });

  it('stays well-formed XML whatever a logged request id holds', async () => {
    const { apikey } = await server.account({ name: uniqueName('rec-xml'), balance: 10, qpsLimit: 10_000 });
    const requestId = '\uFFFEx1\u0001\uFFFF';
    const answer = await get(server.url, '/carrier', {
      apikey,
      mobile: YICHANG,
      format: 'xml',
      ext: '1',
      requestId,
    });
    expect(isWellFormedXml(answer.text), answer.text).toBe(true);
    // Control characters are dropped from a request id; what XML cannot carry is shown as U+FFFD.
    expect(answer.text).toContain('<requestId>\uFFFDx1\uFFFD</requestId>');
    const logged = await get(server.url, '/records', { apikey, format: 'xml' });
    expect(isWellFormedXml(logged.text), logged.text).toBe(true);
    expect(logged.text).toContain('x1');
  });
});
