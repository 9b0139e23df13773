import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../../test-support/test-server.js';
import { QxtProvider } from './qxt-provider.js';
import { qxtConfig } from './test-support/provider-configs.js';

/** Numbers of the test server's segment file: one it knows, one in a segment it has no data for. */
const YICHANG = '13972565391';
/** Block 154 is not allocated: mnpd answers -4 there. */
const NO_SEGMENT = '15400000000';

describe('qxt provider against a real mnpd (two mnpd chained)', () => {
  let upstream: TestServer;
  let apikey: string;
  let provider: QxtProvider;

  beforeAll(async () => {
    upstream = await startTestServer();
    ({ apikey } = await upstream.account({ name: 'downstream-mnpd', balance: 5 }));
    provider = new QxtProvider(qxtConfig(upstream.url, { apikey }));
  });
  afterAll(async () => {
    await provider.close();
    await upstream.close();
  });

  it('reads mnpd’s answer and its balance, and is charged one query per answer', async () => {
    expect(await provider.ask(YICHANG, AbortSignal.timeout(5000))).toEqual({
      kind: 'answer',
      code: '0',
      answer: { carrier: 0, originalCarrier: 0, ported: false, province: '湖北', city: '宜昌' },
    });
    expect(await provider.balance(AbortSignal.timeout(5000))).toEqual({
      ok: true,
      balance: { feeType: '预付费', balance: 4 },
    });
  });

  it('reads mnpd’s -4 as not found, uncharged', async () => {
    expect(await provider.ask(NO_SEGMENT, AbortSignal.timeout(5000))).toEqual({
      kind: 'not-found',
      code: '-4',
    });
    expect(await provider.balance(AbortSignal.timeout(5000))).toMatchObject({
      ok: true,
      balance: { balance: 4 },
    });
  });

  it('takes mnpd’s -1 for an unknown key as the operator’s trouble', async () => {
    const stranger = new QxtProvider(qxtConfig(upstream.url, { apikey: '9'.repeat(32) }));
    expect(await stranger.ask(YICHANG, AbortSignal.timeout(5000))).toMatchObject({
      kind: 'operator',
      reason: 'bad-key',
      code: '-1',
    });
    await stranger.close();
  });

  it('takes mnpd’s -5 for an empty prepaid account as the operator’s trouble', async () => {
    const { apikey: broke } = await upstream.account({ name: 'broke-mnpd', balance: 0 });
    const empty = new QxtProvider(qxtConfig(upstream.url, { apikey: broke }));
    expect(await empty.ask(YICHANG, AbortSignal.timeout(5000))).toMatchObject({
      kind: 'operator',
      reason: 'no-balance',
      code: '-5',
    });
    await empty.close();
  });
});
