import { describe, expect, it } from 'vitest';
import { serverForThisFile } from '../../test-support/test-server.js';
import {
  BEIJING,
  BROADNET,
  GUANGZHOU_UNICOM,
  SHANGHAI,
  SHENZHEN_TELECOM,
  TELECOM_VIRTUAL,
  YICHANG,
  YICHANG_ANSWER,
  YICHANG_EXTENDED,
  allRecords,
  balanceOf,
  seedAnswer,
  uniqueName,
} from '../test-support/fixtures.js';
import {
  type LookupBody,
  get,
  parseXml,
  postForm,
  postJson,
  request,
  runJsonp,
} from '../test-support/http-client.js';

const server = serverForThisFile();

async function newAccount(balance = 100) {
  return server.account({ name: uniqueName('happy'), balance, qpsLimit: 10_000 });
}

describe('/carrier answers code 0', () => {
  it("answers the seed's own example with exactly its keys, in its order", async () => {
    const { apikey } = await newAccount();
    const answer = await get(server.url, '/carrier', { apikey, mobile: YICHANG });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    // The text itself: key order is part of what old clients parse.
    expect(answer.text).toBe(
      '{"code":0,"reason":"Succ","result":{"res":"0","Mobile":"13972565391","Area":"湖北-宜昌","Init_isp":"移动","Now_isp":"移动"}}',
    );
    expect(Object.keys(answer.body)).toEqual(['code', 'reason', 'result']);
    expect(Object.keys(answer.body.result as object)).toEqual([
      'res',
      'Mobile',
      'Area',
      'Init_isp',
      'Now_isp',
    ]);
  });

  it('charges exactly one query per code-0 answer, in the balance, the ledger and the records', async () => {
    const { account, apikey } = await newAccount(10);
    const store = server.server.deps.store;
    expect(await balanceOf(server, apikey)).toBe('10');
    for (let i = 1; i <= 3; i++) {
      const answer = await get(server.url, '/carrier', { apikey, mobile: YICHANG });
      expect(answer.body).toEqual(YICHANG_ANSWER);
      expect(await balanceOf(server, apikey)).toBe(String(10 - i));
      expect(await store.ledgerSum(account.id)).toBe(10 - i);
    }
    const rows = await allRecords(server, apikey);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row).toMatchObject({
        mobile: YICHANG,
        code: 0,
        res: '0',
        Init_isp: '移动',
        Now_isp: '移动',
        clientIp: '127.0.0.0',
      });
    }
  });

  it.each([
    [YICHANG, '湖北-宜昌', '移动', '0'],
    [BEIJING, '北京-北京', '移动', '0'],
    [SHANGHAI, '上海-上海', '移动', '0'],
    [GUANGZHOU_UNICOM, '广东-广州', '联通', '0'],
    [SHENZHEN_TELECOM, '广东-深圳', '电信', '0'],
    [BROADNET, '湖北-武汉', '广电', '0'],
    [TELECOM_VIRTUAL, '北京-北京', '电信', '3'],
  ])('answers %s with area %s, carrier %s and res %s', async (mobile, area, isp, res) => {
    const { apikey } = await newAccount();
    const answer = await get(server.url, '/carrier', { apikey, mobile });
    expect(answer.body).toEqual(seedAnswer(mobile, area, isp, res));
  });
});

describe('/carrier parameters', () => {
  it('reads a GET query string', async () => {
    const { apikey } = await newAccount();
    expect((await get(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(YICHANG_ANSWER);
  });

  it('reads a POST form body', async () => {
    const { apikey } = await newAccount();
    const answer = await postForm(server.url, '/carrier', { apikey, mobile: YICHANG });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(YICHANG_ANSWER);
  });

  it('reads a POST JSON body, with the number as text or as a JSON number', async () => {
    const { apikey } = await newAccount();
    expect((await postJson(server.url, '/carrier', { apikey, mobile: YICHANG })).body).toEqual(
      YICHANG_ANSWER,
    );
    expect((await postJson(server.url, '/carrier', { apikey, mobile: 13972565391 })).body).toEqual(
      YICHANG_ANSWER,
    );
  });

  it('reads a POST with the parameters in the query string and no body (the seed’s Java/PHP examples)', async () => {
    const { apikey } = await newAccount();
    const answer = await request<LookupBody>(server.url, `/carrier?apikey=${apikey}&mobile=${YICHANG}`, {
      method: 'POST',
    });
    expect(answer.body).toEqual(YICHANG_ANSWER);
  });

  it('combines query string and body', async () => {
    const { apikey } = await newAccount();
    expect((await postForm(server.url, '/carrier', { mobile: YICHANG }, { apikey })).body).toEqual(
      YICHANG_ANSWER,
    );
    expect((await postJson(server.url, '/carrier', { apikey }, { mobile: YICHANG })).body).toEqual(
      YICHANG_ANSWER,
    );
  });

  it('lets the body win over the query string', async () => {
    const { apikey } = await newAccount();
    const form = await postForm(server.url, '/carrier', { apikey, mobile: YICHANG }, { mobile: BEIJING });
    expect(form.body).toEqual(YICHANG_ANSWER);
    const json = await postJson(server.url, '/carrier', { apikey, mobile: YICHANG }, { mobile: BEIJING });
    expect(json.body).toEqual(YICHANG_ANSWER);
    // A wrong key in the body is not rescued by a right one in the query.
    const wrongKey = await postJson(
      server.url,
      '/carrier',
      { apikey: 'f'.repeat(32), mobile: YICHANG },
      { apikey },
    );
    expect(wrongKey.body).toEqual({ code: -1, reason: 'apikey不正确' });
  });

  it('reads a POST with an empty JSON body as a POST without a body', async () => {
    const { apikey } = await newAccount();
    for (const body of ['', ' \n']) {
      const answer = await request(server.url, `/carrier?apikey=${apikey}&mobile=${YICHANG}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(answer.body).toEqual(YICHANG_ANSWER);
    }
  });

  it('keeps the first value of a repeated parameter', async () => {
    const { apikey } = await newAccount();
    const answer = await request(
      server.url,
      `/carrier?apikey=${apikey}&mobile=${YICHANG}&mobile=${BEIJING}&ext=0&ext=1`,
    );
    expect(answer.body).toEqual(YICHANG_ANSWER);
  });

  it.each([['json'], ['JSON'], [''], ['yaml'], ['jsonp']])(
    'answers JSON for format=%j (only xml changes the format)',
    async (format) => {
      const { apikey } = await newAccount();
      const answer = await get(server.url, '/carrier', { apikey, mobile: YICHANG, format });
      expect(answer.contentType).toBe('application/json; charset=utf-8');
      expect(answer.body).toEqual(YICHANG_ANSWER);
    },
  );

  it.each([
    ['+86 139 7256 5391'],
    ['+8613972565391'],
    ['008613972565391'],
    ['8613972565391'],
    ['86-139-7256-5391'],
    ['139-7256-5391'],
    ['139 7256 5391'],
    [' 13972565391 '],
    ['１３９７２５６５３９１'],
    ['＋８６ １３９ ７２５６ ５３９１'],
  ])('normalises the spelling %j to the seed’s 11 digits', async (spelling) => {
    const { apikey } = await newAccount();
    expect((await get(server.url, '/carrier', { apikey, mobile: spelling })).body).toEqual(YICHANG_ANSWER);
    expect((await postJson(server.url, '/carrier', { apikey, mobile: spelling })).body).toEqual(
      YICHANG_ANSWER,
    );
  });
});

describe('/carrier ext=1', () => {
  it('appends the extended fields after the seed’s, with the server’s request id', async () => {
    const { apikey } = await newAccount();
    const answer = await get<LookupBody>(server.url, '/carrier', { apikey, mobile: YICHANG, ext: '1' });
    const result = answer.body.result!;
    expect(Object.keys(result)).toEqual([
      'res',
      'Mobile',
      'Area',
      'Init_isp',
      'Now_isp',
      'province',
      'city',
      'zip',
      'areaCode',
      'type',
      'virtual',
      'portedAt',
      'dataVersion',
      'areaKnown',
      'source',
      'checkedAt',
      'requestId',
    ]);
    expect(result.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(answer.body).toEqual({
      code: 0,
      reason: 'Succ',
      result: { ...YICHANG_ANSWER.result, ...YICHANG_EXTENDED, requestId: result.requestId },
    });
    const [row] = await allRecords(server, apikey);
    expect(row.requestId).toBe(result.requestId);
  });

  it('says which numbers are virtual', async () => {
    const { apikey } = await newAccount();
    const answer = await get(server.url, '/carrier', { apikey, mobile: TELECOM_VIRTUAL, ext: 'true' });
    expect(answer.body).toEqual({
      code: 0,
      reason: 'Succ',
      result: {
        ...seedAnswer(TELECOM_VIRTUAL, '北京-北京', '电信', '3').result,
        province: '北京',
        city: '北京',
        zip: '100000',
        areaCode: '010',
        type: '电信虚拟',
        virtual: true,
        portedAt: null,
        dataVersion: { segments: '2502', ported: null },
        areaKnown: true,
        source: 'segment',
        checkedAt: null,
        requestId: (answer.body.result as { requestId: string }).requestId,
      },
    });
  });

  it('uses the client’s requestId as the answer’s requestId', async () => {
    const { apikey } = await newAccount();
    const answer = await postJson<LookupBody>(server.url, '/carrier', {
      apikey,
      mobile: YICHANG,
      ext: 1,
      requestId: 'order-778',
    });
    expect(answer.body.result!.requestId).toBe('order-778');
  });

  it.each([['0'], ['no'], [''], ['2']])('keeps the seed shape for ext=%j', async (ext) => {
    const { apikey } = await newAccount();
    const answer = await get(server.url, '/carrier', { apikey, mobile: YICHANG, ext });
    expect(answer.body).toEqual(YICHANG_ANSWER);
  });
});

describe('/carrier formats', () => {
  it('answers XML for format=xml and parses back to the same answer', async () => {
    const { apikey } = await newAccount();
    for (const format of ['xml', 'XML']) {
      const answer = await get(server.url, '/carrier', { apikey, mobile: YICHANG, format });
      expect(answer.status).toBe(200);
      expect(answer.contentType).toBe('application/xml; charset=utf-8');
      expect(answer.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<response>')).toBe(true);
      expect(parseXml(answer.text)).toEqual({
        response: {
          code: '0',
          reason: 'Succ',
          result: { res: '0', Mobile: YICHANG, Area: '湖北-宜昌', Init_isp: '移动', Now_isp: '移动' },
        },
      });
    }
  });

  it('answers XML with the extended fields too', async () => {
    const { apikey } = await newAccount();
    const answer = await postForm(server.url, '/carrier', {
      apikey,
      mobile: YICHANG,
      format: 'xml',
      ext: '1',
      requestId: 'xml-1',
    });
    expect(parseXml(answer.text)).toEqual({
      response: {
        code: '0',
        reason: 'Succ',
        // XML has text only: false, and '' for null.
        result: {
          ...YICHANG_ANSWER.result,
          ...YICHANG_EXTENDED,
          virtual: 'false',
          portedAt: '',
          areaKnown: 'true',
          dataVersion: { segments: '2502', ported: '' },
          checkedAt: '',
          requestId: 'xml-1',
        },
      },
    });
  });

  it('answers JSONP for callback=NAME that evaluates to the JSON answer', async () => {
    const { apikey } = await newAccount();
    const answer = await get(server.url, '/carrier', { apikey, mobile: YICHANG, callback: 'cb' });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/javascript; charset=utf-8');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(runJsonp(answer.text, 'cb')).toEqual([YICHANG_ANSWER]);
  });

  it('accepts a dotted callback name and lets the callback win over format=xml', async () => {
    const { apikey } = await newAccount();
    const answer = await get(server.url, '/carrier', {
      apikey,
      mobile: YICHANG,
      callback: 'jQuery.cb_1',
      format: 'xml',
    });
    expect(answer.contentType).toBe('application/javascript; charset=utf-8');
    const calls: unknown[] = [];
    const { runInNewContext } = await import('node:vm');
    runInNewContext(answer.text, { jQuery: { cb_1: (value: unknown) => calls.push(value) } });
    expect(calls).toEqual([YICHANG_ANSWER]);
  });
});
