import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnswerFormat, answerFormat, sendAnswer } from './answer-format.js';
import type { RequestParams } from './params.js';
import { parseXml, runJsonp } from './test-support/http-client.js';

function params(values: Record<string, string>): RequestParams {
  return { get: (name) => values[name], raw: (name) => values[name] };
}

describe('answerFormat', () => {
  it('is JSON by default and for any format but xml', () => {
    expect(answerFormat(params({}))).toEqual({ kind: 'json' });
    expect(answerFormat(params({ format: 'json' }))).toEqual({ kind: 'json' });
    expect(answerFormat(params({ format: 'html' }))).toEqual({ kind: 'json' });
    expect(answerFormat(params({ format: '' }))).toEqual({ kind: 'json' });
  });

  it('is XML for format=xml in any case', () => {
    for (const format of ['xml', 'XML', 'Xml'])
      expect(answerFormat(params({ format }))).toEqual({ kind: 'xml' });
  });

  it('is JSONP for a plain or dotted identifier, which wins over format', () => {
    for (const callback of ['cb', '$', '_x1', 'jQuery123_456', 'a.b.c', '$.cb'])
      expect(answerFormat(params({ callback, format: 'xml' }))).toEqual({ kind: 'jsonp', callback });
    expect(answerFormat(params({ callback: 'x'.repeat(64) }))).toEqual({
      kind: 'jsonp',
      callback: 'x'.repeat(64),
    });
  });

  it('treats an empty callback as none', () => {
    expect(answerFormat(params({ callback: '' }))).toEqual({ kind: 'json' });
    expect(answerFormat(params({ callback: '', format: 'xml' }))).toEqual({ kind: 'xml' });
  });

  it.each([
    ['alert(1)//'],
    ['cb;alert(1)'],
    ['a b'],
    ['1cb'],
    ['cb.'],
    ['.cb'],
    ['a..b'],
    ['cb\n'],
    ['cb()'],
    ['a["b"]'],
    ['<script>'],
    ['回调'],
    ['x'.repeat(65)],
  ])('refuses the callback %j', (callback) => {
    expect(answerFormat(params({ callback }))).toBeUndefined();
  });
});

describe('sendAnswer', () => {
  const app = Fastify();
  let format: AnswerFormat = { kind: 'json' };
  let body: object = {};
  let status = 200;
  app.get('/', (_request, reply) => sendAnswer(reply, format, body, status));

  beforeAll(() => app.ready());
  afterAll(() => app.close());

  async function send(next: AnswerFormat, nextBody: object, nextStatus = 200) {
    format = next;
    body = nextBody;
    status = nextStatus;
    return app.inject({ method: 'GET', url: '/' });
  }

  const seed = {
    code: 0,
    reason: 'Succ',
    result: { res: '1', Mobile: '13972565391', Area: '湖北-宜昌', Init_isp: '移动', Now_isp: '电信' },
  };

  it('sends JSON as UTF-8 with the keys in order', async () => {
    const response = await send({ kind: 'json' }, seed);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body).toBe(JSON.stringify(seed));
  });

  it('sends XML that parses back to the same values', async () => {
    const response = await send({ kind: 'xml' }, seed);
    expect(response.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(response.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<response><code>0</code><reason>Succ</reason><result>' +
        '<res>1</res><Mobile>13972565391</Mobile><Area>湖北-宜昌</Area><Init_isp>移动</Init_isp>' +
        '<Now_isp>电信</Now_isp></result></response>\n',
    );
  });

  it('escapes text in XML and names array elements <item>', async () => {
    const response = await send(
      { kind: 'xml' },
      { code: 1, message: 'a<b & "c"', list: [{ n: 1 }, { n: 2 }], empty: [] },
    );
    expect(parseXml(response.body)).toEqual({
      response: { code: '1', message: 'a<b & "c"', list: { item: [{ n: '1' }, { n: '2' }] }, empty: '' },
    });
    expect(response.body).not.toContain('a<b');
  });

  it('sends JSONP that calls the callback with the JSON body, guarded against sniffing', async () => {
    const response = await send({ kind: 'jsonp', callback: 'cb' }, seed);
    expect(response.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body.startsWith('/**/')).toBe(true);
    expect(runJsonp(response.body, 'cb')).toEqual([seed]);
    // Without such a function it does nothing, and throws nothing.
    expect(runJsonp(response.body, 'other')).toEqual([]);
  });

  it('keeps JSONP safe for text that would end a script or a line', async () => {
    const tricky = { code: 0, reason: '</script><script>alert(1)</script>\u2028\u2029' };
    const response = await send({ kind: 'jsonp', callback: 'cb' }, tricky);
    expect(runJsonp(response.body, 'cb')).toEqual([tricky]);
  });

  it('sends the status it is given (429 for rate limits)', async () => {
    expect((await send({ kind: 'json' }, { code: -6 }, 429)).statusCode).toBe(429);
    expect((await send({ kind: 'xml' }, { code: -6 }, 429)).statusCode).toBe(429);
    expect((await send({ kind: 'jsonp', callback: 'cb' }, { code: -6 }, 429)).statusCode).toBe(429);
  });
});
