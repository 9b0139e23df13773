import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../../test-support/test-server.js';
import {
  BEIJING,
  NOT_MOBILE,
  NO_DATA,
  TOO_SHORT,
  YICHANG,
  YICHANG_ANSWER,
  codeOnly,
  seedAnswer,
} from '../test-support/fixtures.js';
import { get, parseXml, postForm, postJson } from '../test-support/http-client.js';

/** Two free answers per IP per day. */
let trial: TestServer;
/** The trial switched off. */
let off: TestServer;
/** One free answer per IP, behind a trusted proxy, so each test can be its own client. */
let proxied: TestServer;

beforeAll(async () => {
  [trial, off, proxied] = await Promise.all([
    startTestServer('sqlite', { MNPD_TRIAL_QUOTA: '2' }),
    startTestServer('sqlite', { MNPD_TRIAL: 'off' }),
    startTestServer('sqlite', { MNPD_TRIAL_QUOTA: '1', MNPD_TRUSTED_PROXIES: '127.0.0.1' }),
  ]);
});
afterAll(async () => {
  await Promise.all([trial?.close(), off?.close(), proxied?.close()]);
});

describe('/qxt_test', () => {
  it('answers without a key; malformed numbers do not use the quota; the third answer is -6', async () => {
    // Refusals first: none of them counts.
    expect((await get(trial.url, '/qxt_test', {})).body).toEqual(codeOnly(1));
    expect((await get(trial.url, '/qxt_test', { mobile: TOO_SHORT })).body).toEqual(codeOnly(-2));
    expect((await get(trial.url, '/qxt_test', { mobile: NOT_MOBILE })).body).toEqual(codeOnly(-3));
    expect((await get(trial.url, '/qxt_test', { mobile: NO_DATA })).body).toEqual(codeOnly(-4));
    expect((await get(trial.url, '/qxt_test', { mobile: TOO_SHORT })).body).toEqual(codeOnly(-2));

    const first = await get(trial.url, '/qxt_test', { mobile: YICHANG });
    expect(first.status).toBe(200);
    expect(first.text).toBe(JSON.stringify(YICHANG_ANSWER));
    const second = await postForm(trial.url, '/qxt_test', { mobile: BEIJING });
    expect(second.body).toEqual(seedAnswer(BEIJING, '北京-北京', '移动'));

    const third = await postJson(trial.url, '/qxt_test', { mobile: YICHANG });
    expect(third.status).toBe(429);
    expect(third.body).toEqual(codeOnly(-6));
    // Still refused, in every format; malformed numbers are still told what is wrong.
    const xml = await get(trial.url, '/qxt_test', { mobile: YICHANG, format: 'xml' });
    expect(xml.status).toBe(429);
    expect(parseXml(xml.text)).toEqual({ response: { code: '-6', reason: '请求过于频繁' } });
    expect((await get(trial.url, '/qxt_test', { mobile: TOO_SHORT })).body).toEqual(codeOnly(-2));
  });

  it('charges and logs nothing: it needs no account', async () => {
    const accounts = await trial.server.deps.store.listAccounts();
    for (const account of accounts) {
      expect((await trial.server.deps.store.queryLog(account.id)).rows).toEqual([]);
    }
  });

  it('counts the quota per client IP', async () => {
    const from = (ip: string) =>
      get(proxied.url, '/qxt_test', { mobile: YICHANG }, { 'x-forwarded-for': ip });
    expect((await from('203.0.113.1')).body).toEqual(YICHANG_ANSWER);
    expect((await from('203.0.113.1')).body).toEqual(codeOnly(-6));
    expect((await from('203.0.113.2')).body).toEqual(YICHANG_ANSWER);
    expect((await from('2001:db8::1')).body).toEqual(YICHANG_ANSWER);
    expect((await from('2001:db8::1')).body).toEqual(codeOnly(-6));
  });

  it('does not exist when switched off', async () => {
    const answer = await get(off.url, '/qxt_test', { mobile: YICHANG });
    expect(answer.status).toBe(404);
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    expect(answer.body).toEqual({ ...codeOnly(1), message: 'no such endpoint: GET /qxt_test' });
    const paths = Object.keys(
      ((await get(off.url, '/openapi.json')).body as unknown as { paths: object }).paths,
    );
    expect(paths).not.toContain('/qxt_test');
  });
});
