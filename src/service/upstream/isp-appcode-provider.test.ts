import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IspAppcodeProvider } from './isp-appcode-provider.js';
import { FakeIspAppcode, gatewayRefusal } from './test-support/fake-isp-appcode.js';
import { ispAppcodeConfig } from './test-support/provider-configs.js';
import { selfSignedCertificate } from './test-support/tls-material.js';

const PORTED = '13972565391';
const ask = (provider: IspAppcodeProvider, mobile: string, ms = 2000) =>
  provider.ask(mobile, AbortSignal.timeout(ms));

describe('isp-appcode provider against a fake Aliyun-market /isp', () => {
  let fake: FakeIspAppcode;
  let provider: IspAppcodeProvider;

  beforeAll(async () => {
    fake = await FakeIspAppcode.start({
      numbers: { [PORTED]: { result: { res: '1', Init_isp: '移动', Now_isp: '联通', Area: '广东-深圳' } } },
    });
    provider = new IspAppcodeProvider(ispAppcodeConfig(fake.url));
  });
  afterAll(async () => {
    await provider.close();
    await fake.close();
  });

  it('asks /isp?mobile= with the APPCODE header and reads the seed’s body', async () => {
    fake.server.reset();
    expect(await ask(provider, PORTED)).toEqual({
      kind: 'answer',
      code: '0',
      answer: { carrier: 1, originalCarrier: 0, ported: true, province: '广东', city: '深圳' },
    });
    const [request] = fake.server.requests;
    expect(request.path).toBe('/isp');
    expect(request.query.get('mobile')).toBe(PORTED);
    expect(request.headers.authorization).toBe(`APPCODE ${fake.appcode}`);
  });

  it('posts with an empty body as the market’s samples do, when set to POST', async () => {
    const post = new IspAppcodeProvider(ispAppcodeConfig(fake.url, { method: 'POST' }));
    fake.server.reset();
    expect(await ask(post, PORTED)).toMatchObject({ kind: 'answer' });
    expect(fake.server.requests[0]).toMatchObject({ method: 'POST', body: '' });
    await post.close();
  });

  it('reads the market gateway’s refusals from X-Ca-Error-Message', async () => {
    const cases: [ReturnType<typeof gatewayRefusal>, object][] = [
      [gatewayRefusal(403, 'Quota Exhausted'), { kind: 'operator', reason: 'no-balance' }],
      [gatewayRefusal(403, 'Throttled by USER Flow Control'), { kind: 'transient', reason: 'rate-limited' }],
      [gatewayRefusal(403, 'Unauthorized'), { kind: 'operator', reason: 'no-permission' }],
      [gatewayRefusal(403, 'Invalid IP'), { kind: 'operator', reason: 'ip-refused' }],
      [gatewayRefusal(503, 'Backend Service Unavailable'), { kind: 'transient', reason: 'http-status' }],
    ];
    for (const [i, [behaviour, expected]] of cases.entries()) {
      const mobile = `1590000${String(1000 + i)}`;
      fake.numbers.set(mobile, behaviour);
      expect(await ask(provider, mobile)).toMatchObject(expected);
    }
  });

  it('takes a wrong APPCODE as the operator’s trouble, never the customer’s', async () => {
    const wrong = new IspAppcodeProvider(ispAppcodeConfig(fake.url, { appcode: 'nope' }));
    expect(await ask(wrong, PORTED)).toMatchObject({ kind: 'operator', reason: 'bad-key' });
    await wrong.close();
  });

  it.each([
    [{ code: -4 }, { kind: 'not-found' }],
    [{ code: -8 }, { kind: 'transient', reason: 'upstream-error' }],
    [
      { status: 502, body: '' },
      { kind: 'transient', reason: 'http-status' },
    ],
    [{ brokenJson: true as const }, { kind: 'transient', reason: 'garbage' }],
  ])('classifies %j', async (behaviour, expected) => {
    fake.numbers.set('15900002000', behaviour);
    expect(await ask(provider, '15900002000')).toMatchObject(expected);
  });

  it('times out on a provider that hangs', async () => {
    fake.numbers.set('15900002001', { hang: true });
    expect(await ask(provider, '15900002001', 150)).toMatchObject({ kind: 'transient', reason: 'timeout' });
  });

  it('describes itself without its APPCODE', () => {
    expect(JSON.stringify(provider.describe())).not.toContain(fake.appcode);
  });
});

describe('isp-appcode provider over HTTPS with a self-signed certificate', () => {
  it('answers when the CA is trusted, and refuses it otherwise', async () => {
    const fake = await FakeIspAppcode.start({ tls: selfSignedCertificate() });
    const trusting = new IspAppcodeProvider(ispAppcodeConfig(fake.url, { ca: selfSignedCertificate().cert }));
    const doubting = new IspAppcodeProvider(ispAppcodeConfig(fake.url));
    expect(await ask(trusting, PORTED)).toMatchObject({ kind: 'answer' });
    expect(await ask(doubting, PORTED)).toMatchObject({ kind: 'operator', reason: 'tls' });
    await Promise.all([trusting.close(), doubting.close()]);
    await fake.close();
  });
});
