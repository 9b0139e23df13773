import { describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../test-support/test-server.js';
import {
  BEIJING,
  GUANGZHOU_UNICOM,
  NOT_MOBILE,
  NO_DATA,
  TOO_SHORT,
  YICHANG,
  YICHANG_ANSWER,
  allRecords,
  balanceOf,
  codeOnly,
  seedAnswer,
  uniqueName,
} from '../test-support/fixtures.js';
import { type BatchBody, parseXml, postForm, postJson, runJsonp } from '../test-support/http-client.js';

const server = serverForThisFile();

const BEIJING_ANSWER = seedAnswer(BEIJING, '北京-北京', '移动');
const UNICOM_ANSWER = seedAnswer(GUANGZHOU_UNICOM, '广东-广州', '联通');

async function newAccount(balance = 100) {
  return server.account({ name: uniqueName('batch'), balance, qpsLimit: 10_000 });
}

async function ledger(accountId: number): Promise<number> {
  return server.server.deps.store.ledgerSum(accountId);
}

describe('POST /carrier/batch', () => {
  it('answers a JSON mobiles array, one seed answer per number, in order', async () => {
    const { account, apikey } = await newAccount();
    const answer = await postJson<BatchBody>(server.url, '/carrier/batch', {
      apikey,
      mobiles: [YICHANG, BEIJING, GUANGZHOU_UNICOM],
    });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    expect(answer.body).toEqual({
      code: 0,
      reason: 'Succ',
      result: [YICHANG_ANSWER, BEIJING_ANSWER, UNICOM_ANSWER],
    });
    expect(await ledger(account.id)).toBe(97);
    expect(await balanceOf(server, apikey)).toBe('97');
  });

  it('answers a form mobile=a,b and a newline-separated list', async () => {
    const { account, apikey } = await newAccount();
    const expected = { code: 0, reason: 'Succ', result: [YICHANG_ANSWER, BEIJING_ANSWER] };
    for (const mobile of [
      `${YICHANG},${BEIJING}`,
      `${YICHANG}\n${BEIJING}`,
      `${YICHANG}\r\n${BEIJING}\r\n`,
      ` ${YICHANG} ，${BEIJING},,`,
    ]) {
      expect((await postForm(server.url, '/carrier/batch', { apikey, mobile })).body).toEqual(expected);
    }
    // The same joined list in JSON, and as `mobiles` text.
    expect(
      (await postJson(server.url, '/carrier/batch', { apikey, mobile: `${YICHANG},${BEIJING}` })).body,
    ).toEqual(expected);
    expect(
      (await postJson(server.url, '/carrier/batch', { apikey, mobiles: `${YICHANG}\n${BEIJING}` })).body,
    ).toEqual(expected);
    expect(await ledger(account.id)).toBe(88);
  });

  it('takes the key and list from the query string of a POST as well', async () => {
    const { apikey } = await newAccount();
    const answer = await postForm(
      server.url,
      '/carrier/batch',
      {},
      { apikey, mobile: `${YICHANG},${BEIJING}` },
    );
    expect(answer.body).toEqual({ code: 0, reason: 'Succ', result: [YICHANG_ANSWER, BEIJING_ANSWER] });
  });

  it('answers every number of a mixed list and charges only the code-0 ones', async () => {
    const { account, apikey } = await newAccount();
    const answer = await postJson(server.url, '/carrier/batch', {
      apikey,
      mobiles: [YICHANG, TOO_SHORT, NOT_MOBILE, NO_DATA, '+86 138 0013 8000', '', { x: 1 }, 13972565391],
    });
    expect(answer.body).toEqual({
      code: 0,
      reason: 'Succ',
      result: [
        YICHANG_ANSWER,
        codeOnly(-2),
        codeOnly(-3),
        codeOnly(-4),
        BEIJING_ANSWER,
        codeOnly(1),
        codeOnly(-2),
        YICHANG_ANSWER,
      ],
    });
    expect(await ledger(account.id)).toBe(97);
    // Every answer about a number is logged (newest first), code 1 is not: the charged ones are code 0.
    const rows = await allRecords(server, apikey);
    expect(rows.map((row) => [row.mobile, row.code]).reverse()).toEqual([
      [YICHANG, 0],
      [TOO_SHORT, -2],
      [NOT_MOBILE, -3],
      [NO_DATA, -4],
      [BEIJING, 0],
      ['{"x":1}', -2],
      [YICHANG, 0],
    ]);
  });

  it('answers 1000 numbers', async () => {
    const { account, apikey } = await newAccount(1500);
    const mobiles = Array.from({ length: 1000 }, (_, i) => `1397256${String(i).padStart(4, '0')}`);
    const answer = await postJson<BatchBody>(server.url, '/carrier/batch', { apikey, mobiles });
    expect(answer.body.code).toBe(0);
    expect(answer.body.result).toHaveLength(1000);
    answer.body.result!.forEach((item, i) => {
      expect(item).toEqual(seedAnswer(mobiles[i], '湖北-宜昌', '移动'));
    });
    expect(await ledger(account.id)).toBe(500);
    expect(await balanceOf(server, apikey)).toBe('500');
    expect((await allRecords(server, apikey)).length).toBe(1000);
  });

  it('answers 0 while the prepaid balance lasts, then -5, inside one batch', async () => {
    const { account, apikey } = await newAccount(3);
    const answer = await postJson(server.url, '/carrier/batch', {
      apikey,
      mobiles: [YICHANG, TOO_SHORT, BEIJING, YICHANG, BEIJING, YICHANG],
    });
    expect(answer.body).toEqual({
      code: 0,
      reason: 'Succ',
      result: [YICHANG_ANSWER, codeOnly(-2), BEIJING_ANSWER, YICHANG_ANSWER, codeOnly(-5), codeOnly(-5)],
    });
    expect(await balanceOf(server, apikey)).toBe('0');
    expect(await ledger(account.id)).toBe(0);
    const codes = (await allRecords(server, apikey)).map((row) => row.code);
    expect(codes.sort()).toEqual([-2, -5, -5, 0, 0, 0].sort());
  });

  it('answers a retried batch with the same requestId identically, without a second charge', async () => {
    const { account, apikey } = await newAccount();
    const request = { apikey, mobiles: [YICHANG, TOO_SHORT, BEIJING], requestId: 'batch-7' };
    const first = await postJson(server.url, '/carrier/batch', request);
    const second = await postJson(server.url, '/carrier/batch', request);
    expect(first.body).toEqual({
      code: 0,
      reason: 'Succ',
      result: [YICHANG_ANSWER, codeOnly(-2), BEIJING_ANSWER],
    });
    expect(second.text).toBe(first.text);
    expect(await ledger(account.id)).toBe(98);
    // The Idempotency-Key header works for batches too; a new key is a new charge.
    const headers = { 'idempotency-key': 'batch-8' };
    const third = await postJson(server.url, '/carrier/batch', { apikey, mobiles: [YICHANG] }, {}, headers);
    const fourth = await postJson(server.url, '/carrier/batch', { apikey, mobiles: [YICHANG] }, {}, headers);
    expect(fourth.text).toBe(third.text);
    expect(await ledger(account.id)).toBe(97);
    // The retries wrote nothing; the -2 answer, never charged, is logged at each try.
    const rows = await allRecords(server, apikey);
    expect(rows.filter((row) => row.code === 0).map((row) => row.requestId)).toEqual([
      'batch-8#0',
      'batch-7#2',
      'batch-7#0',
    ]);
    expect(rows.filter((row) => row.code === -2).map((row) => row.requestId)).toEqual([
      'batch-7#1',
      'batch-7#1',
    ]);
  });

  it('keeps batch numbers and single queries apart: requestId x#0 is not number 0 of batch x', async () => {
    const { account, apikey } = await newAccount();
    await postJson(server.url, '/carrier/batch', { apikey, mobiles: [YICHANG], requestId: 'x' });
    const single = await postJson(server.url, '/carrier', { apikey, mobile: BEIJING, requestId: 'x#0' });
    expect(single.body).toEqual(BEIJING_ANSWER);
    expect(await ledger(account.id)).toBe(98);
  });

  it('answers XML with one <item> per number, and JSONP', async () => {
    const { apikey } = await newAccount();
    const xml = await postJson(server.url, '/carrier/batch', {
      apikey,
      mobiles: [YICHANG, TOO_SHORT],
      format: 'xml',
    });
    expect(xml.contentType).toBe('application/xml; charset=utf-8');
    expect(parseXml(xml.text)).toEqual({
      response: {
        code: '0',
        reason: 'Succ',
        result: {
          item: [
            { code: '0', reason: 'Succ', result: { ...YICHANG_ANSWER.result } },
            { code: '-2', reason: '查询的手机号码长度不对' },
          ],
        },
      },
    });
    const jsonp = await postForm(server.url, '/carrier/batch', { apikey, mobile: YICHANG, callback: 'cb' });
    expect(jsonp.contentType).toBe('application/javascript; charset=utf-8');
    expect(runJsonp(jsonp.text, 'cb')).toEqual([{ code: 0, reason: 'Succ', result: [YICHANG_ANSWER] }]);
  });
});
