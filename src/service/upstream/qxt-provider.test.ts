import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QxtProvider } from './qxt-provider.js';
import { FakeQxt } from './test-support/fake-qxt.js';
import { qxtConfig } from './test-support/provider-configs.js';
import { selfSignedCertificate } from './test-support/tls-material.js';
import { MAX_UPSTREAM_BODY_BYTES } from './upstream-http.js';

const PORTED = '13972565391';
const PLAIN = '13800138000';
const ask = (provider: QxtProvider, mobile: string, ms = 2000) =>
  provider.ask(mobile, AbortSignal.timeout(ms));

describe('qxt provider against a fake of the seed contract', () => {
  let fake: FakeQxt;
  let provider: QxtProvider;

  beforeAll(async () => {
    fake = await FakeQxt.start({
      numbers: { [PORTED]: { result: { res: '1', Init_isp: '移动', Now_isp: '电信', Area: '湖北-宜昌' } } },
    });
    provider = new QxtProvider(qxtConfig(fake.url));
  });
  afterAll(async () => {
    await provider.close();
    await fake.close();
  });

  it('reads a ported answer: current and original carrier, place, the seed’s code', async () => {
    expect(await ask(provider, PORTED)).toEqual({
      kind: 'answer',
      code: '0',
      answer: { carrier: 2, originalCarrier: 0, ported: true, province: '湖北', city: '宜昌' },
    });
  });

  it('sends the apikey in a POST form body, never in the URL', async () => {
    fake.server.reset();
    await ask(provider, PLAIN);
    const [request] = fake.server.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/carrier');
    expect(request.query.get('apikey')).toBeNull();
    expect(new URLSearchParams(request.body).get('apikey')).toBe(fake.apikey);
    expect(new URLSearchParams(request.body).get('mobile')).toBe(PLAIN);
  });

  it('asks with GET and the query string when the file says method: GET', async () => {
    const get = new QxtProvider(qxtConfig(fake.url, { method: 'GET' }));
    fake.server.reset();
    const outcome = await ask(get, PLAIN);
    await get.close();
    expect(outcome).toMatchObject({ kind: 'answer', answer: { carrier: 0, ported: false } });
    expect(fake.server.requests[0].method).toBe('GET');
    expect(fake.server.requests[0].query.get('mobile')).toBe(PLAIN);
  });

  it('marks virtual-operator answers (res 3 and 4)', async () => {
    fake.numbers.set('17000000001', { result: { res: '3', Init_isp: '电信', Now_isp: '电信' } });
    expect(await ask(provider, '17000000001')).toMatchObject({
      kind: 'answer',
      answer: { carrier: 2, virtual: true },
    });
  });

  it.each([
    [-4, { kind: 'not-found', code: '-4' }],
    [1, { kind: 'refused', code: '1' }],
    [-2, { kind: 'refused', code: '-2' }],
    [-3, { kind: 'refused', code: '-3' }],
    [-1, { kind: 'operator', reason: 'bad-key', code: '-1' }],
    [-5, { kind: 'operator', reason: 'no-balance', code: '-5' }],
    [-9, { kind: 'operator', reason: 'ip-refused', code: '-9' }],
    [-8, { kind: 'transient', reason: 'upstream-error', code: '-8' }],
    [-6, { kind: 'transient', reason: 'rate-limited', code: '-6' }],
    [-7, { kind: 'transient', reason: 'upstream-error', code: '-7' }],
  ])('classifies the upstream’s code %i', async (code, expected) => {
    const mobile = `1590000${String(100 + Math.abs(code)).padStart(4, '0')}`;
    fake.numbers.set(mobile, { code });
    expect(await ask(provider, mobile)).toMatchObject(expected);
  });

  it('reads the code written as a string, as the seed’s failure example does', async () => {
    fake.numbers.set('15900000200', { code: '-8' });
    expect(await ask(provider, '15900000200')).toMatchObject({
      kind: 'transient',
      reason: 'upstream-error',
      code: '-8',
    });
  });

  it.each([
    [
      { status: 500, body: 'oops' },
      { kind: 'transient', reason: 'http-status', code: 'HTTP 500' },
    ],
    [
      { status: 503, body: '' },
      { kind: 'transient', reason: 'http-status', code: 'HTTP 503' },
    ],
    [
      { status: 429, body: '' },
      { kind: 'transient', reason: 'rate-limited' },
    ],
    [
      { status: 401, body: '' },
      { kind: 'operator', reason: 'bad-key' },
    ],
    [
      { status: 403, body: '' },
      { kind: 'operator', reason: 'no-permission' },
    ],
    [
      { status: 404, body: 'no' },
      { kind: 'operator', reason: 'misconfigured' },
    ],
    [
      { status: 200, body: '<html>maintenance</html>' },
      { kind: 'transient', reason: 'garbage' },
    ],
    [{ brokenJson: true as const }, { kind: 'transient', reason: 'garbage' }],
  ])('classifies a broken reply %j', async (behaviour, expected) => {
    fake.numbers.set('15900000300', behaviour);
    expect(await ask(provider, '15900000300')).toMatchObject(expected);
  });

  it('reads mnpd’s own rate limit (HTTP 429 with code -6) as rate limited', async () => {
    fake.numbers.set('15900000301', {
      status: 429,
      body: JSON.stringify({ code: -6, reason: '请求过于频繁' }),
    });
    expect(await ask(provider, '15900000301')).toMatchObject({
      kind: 'transient',
      reason: 'rate-limited',
      code: '-6',
    });
  });

  it('refuses an answer about another number, or without a known carrier', async () => {
    fake.numbers.set('15900000400', { result: { Mobile: '15900000401' } });
    expect(await ask(provider, '15900000400')).toMatchObject({ kind: 'transient', reason: 'garbage' });
    fake.numbers.set('15900000402', { result: { res: '4', Now_isp: '未知' } });
    expect(await ask(provider, '15900000402')).toMatchObject({ kind: 'transient', reason: 'garbage' });
  });

  it(`stops reading a body larger than ${MAX_UPSTREAM_BODY_BYTES} bytes`, async () => {
    fake.numbers.set('15900000500', {
      status: 200,
      body: `{"code":0,"pad":"${'x'.repeat(MAX_UPSTREAM_BODY_BYTES)}"}`,
    });
    expect(await ask(provider, '15900000500')).toMatchObject({ kind: 'transient', reason: 'garbage' });
  });

  it('waits for a slow answer within the time given', async () => {
    fake.numbers.set('15900000600', { result: {}, delayMs: 150 });
    const started = performance.now();
    expect(await ask(provider, '15900000600', 1000)).toMatchObject({ kind: 'answer' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('gives up on a provider that hangs when the time is up, and says it timed out', async () => {
    fake.numbers.set('15900000700', { hang: true });
    const started = performance.now();
    expect(await ask(provider, '15900000700', 200)).toMatchObject({ kind: 'transient', reason: 'timeout' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('tells a call mnpd cancelled from a timeout', async () => {
    fake.numbers.set('15900000701', { hang: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(await provider.ask('15900000701', controller.signal)).toMatchObject({
      kind: 'transient',
      reason: 'cancelled',
    });
  });

  it('reads the upstream balance, and a wrong key there as the operator’s trouble', async () => {
    expect(await provider.balance(AbortSignal.timeout(1000))).toEqual({
      ok: true,
      balance: { feeType: '预付费', balance: 12048 },
    });
    const wrong = new QxtProvider(qxtConfig(fake.url, { apikey: 'f'.repeat(32) }));
    expect(await wrong.balance(AbortSignal.timeout(1000))).toMatchObject({
      ok: false,
      failure: { kind: 'operator', reason: 'bad-key' },
    });
    expect(await ask(wrong, PLAIN)).toMatchObject({ kind: 'operator', reason: 'bad-key' });
    await wrong.close();
  });

  it('describes itself without its apikey', () => {
    const text = JSON.stringify(provider.describe()) + JSON.stringify(qxtConfig(fake.url));
    expect(text).not.toContain(fake.apikey);
    expect(provider.describe()).toMatchObject({
      name: 'qxt',
      kind: 'qxt',
      url: fake.url,
      credentials: { apikey: 'file' },
    });
  });
});

describe('qxt provider without a server to talk to', () => {
  it('says the network failed when nothing listens', async () => {
    const port = await closedPort();
    const provider = new QxtProvider(qxtConfig(`http://127.0.0.1:${port}`));
    expect(await ask(provider, PLAIN)).toMatchObject({ kind: 'transient', reason: 'network' });
    await provider.close();
  });
});

describe('qxt provider over HTTPS with a self-signed certificate', () => {
  let fake: FakeQxt;
  beforeAll(async () => {
    fake = await FakeQxt.start({ tls: selfSignedCertificate() });
  });
  afterAll(() => fake.close());

  it('answers when the file trusts the upstream’s CA', async () => {
    const provider = new QxtProvider(qxtConfig(fake.url, { ca: selfSignedCertificate().cert }));
    expect(fake.url).toMatch(/^https:/);
    expect(await ask(provider, PLAIN)).toMatchObject({ kind: 'answer', answer: { carrier: 0 } });
    await provider.close();
  });

  it('refuses an untrusted certificate, as the operator’s trouble', async () => {
    const provider = new QxtProvider(qxtConfig(fake.url));
    fake.server.reset();
    expect(await ask(provider, PLAIN)).toMatchObject({ kind: 'operator', reason: 'tls' });
    expect(fake.server.calls).toBe(0);
    await provider.close();
  });
});

/** A port on which nothing listens (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
