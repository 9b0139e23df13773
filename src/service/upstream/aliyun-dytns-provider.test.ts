import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AliyunDytnsProvider, DYTNS_ACTION, DYTNS_VERSION } from './aliyun-dytns-provider.js';
import { FAKE_ACCESS_KEY_SECRET, FakeAliyunDytns } from './test-support/fake-aliyun-dytns.js';
import { dytnsConfig } from './test-support/provider-configs.js';
import { selfSignedCertificate } from './test-support/tls-material.js';

const PORTED = '13972565391';
const MVNO = '17000000001';
const ask = (provider: AliyunDytnsProvider, mobile: string, ms = 2000) =>
  provider.ask(mobile, AbortSignal.timeout(ms));

describe('aliyun-dytns provider against a fake 号码百科', () => {
  let fake: FakeAliyunDytns;
  let provider: AliyunDytnsProvider;

  beforeAll(async () => {
    fake = await FakeAliyunDytns.start({
      numbers: {
        [PORTED]: {
          data: {
            BasicCarrier: '中国电信',
            Carrier: '中国电信',
            IsNumberPortability: true,
            Province: '湖北',
            City: '宜昌',
          },
        },
        [MVNO]: {
          data: {
            BasicCarrier: 'China Telecom',
            Carrier: 'Alibaba Communications',
            IsNumberPortability: false,
          },
        },
      },
    });
    provider = new AliyunDytnsProvider(dytnsConfig(fake.url));
  });
  afterAll(async () => {
    await provider.close();
    await fake.close();
  });

  it('reads a ported answer from a signed call the fake verified', async () => {
    expect(await ask(provider, PORTED)).toEqual({
      kind: 'answer',
      code: 'OK',
      answer: { carrier: 2, ported: true, province: '湖北', city: '宜昌' },
    });
  });

  it('sends the number only as its SHA-256 with mask sha256: never in clear', async () => {
    fake.server.reset();
    await ask(provider, PORTED);
    const [request] = fake.server.requests;
    const everything = JSON.stringify([request.path, [...request.query], request.headers, request.body]);
    expect(everything).not.toContain(PORTED);
    expect(request.query.get('Mask')).toBe('SHA256');
    expect(request.query.get('InputNumber')).toBe(createHash('sha256').update(PORTED).digest('hex'));
    expect(request.headers).toMatchObject({ 'x-acs-action': DYTNS_ACTION, 'x-acs-version': DYTNS_VERSION });
    expect(everything).not.toContain(FAKE_ACCESS_KEY_SECRET);
  });

  it.each([
    ['md5', 'MD5', createHash('md5').update(PORTED).digest('hex')],
    ['none', 'NORMAL', PORTED],
  ] as const)('sends the number with mask %s as Mask=%s', async (mask, parameter, input) => {
    const masked = new AliyunDytnsProvider(dytnsConfig(fake.url, { mask }));
    fake.server.reset();
    expect(await ask(masked, PORTED)).toMatchObject({ kind: 'answer', answer: { ported: true } });
    expect(fake.server.requests[0].query.get('Mask')).toBe(parameter);
    expect(fake.server.requests[0].query.get('InputNumber')).toBe(input);
    await masked.close();
  });

  it('reads English carrier names and marks a virtual operator', async () => {
    expect(await ask(provider, MVNO)).toMatchObject({
      kind: 'answer',
      answer: { carrier: 2, ported: false, virtual: true },
    });
  });

  it('says not found for a number it does not know', async () => {
    expect(await ask(provider, '15900003000')).toEqual({ kind: 'not-found', code: 'PhoneNumberNotfound' });
  });

  it('takes a wrong secret, key or AuthCode as the operator’s trouble', async () => {
    const cases = [
      [{ accessKeySecret: 'wrong-secret' }, 'bad-key', 'SignatureDoesNotMatch'],
      [{ accessKeyId: 'LTAIunknown' }, 'bad-key', 'InvalidAccessKeyId.NotFound'],
      [{ authCode: 'other' }, 'no-permission', 'AuthCodeNotExist'],
    ] as const;
    for (const [overrides, reason, code] of cases) {
      const wrong = new AliyunDytnsProvider(dytnsConfig(fake.url, overrides));
      expect(await ask(wrong, PORTED)).toMatchObject({ kind: 'operator', reason, code });
      await wrong.close();
    }
  });

  it.each([
    [{ code: 'RequestFrequencyLimit' }, { kind: 'transient', reason: 'rate-limited' }],
    [
      { code: 'Throttling.User', status: 400 },
      { kind: 'transient', reason: 'rate-limited' },
    ],
    [
      { code: 'ServiceUnavailable', status: 503 },
      { kind: 'transient', reason: 'http-status' },
    ],
    [{ code: 'isp.UNKNOWN' }, { kind: 'transient', reason: 'upstream-error' }],
    [
      { code: 'Forbidden.Arrears', status: 403 },
      { kind: 'operator', reason: 'no-balance' },
    ],
    [
      { code: 'Forbidden.RAM', status: 403 },
      { kind: 'operator', reason: 'no-permission' },
    ],
    [
      { code: 'BIZ_NOT_OPEN_ERROR', status: 400 },
      { kind: 'operator', reason: 'no-permission' },
    ],
    [{ code: 'InvalidParameter' }, { kind: 'refused' }],
    [{ code: 'OperatorLimit' }, { kind: 'refused' }],
    [
      { status: 500, body: 'upstream fell over' },
      { kind: 'transient', reason: 'http-status' },
    ],
    [{ brokenJson: true as const }, { kind: 'transient', reason: 'garbage' }],
  ])('classifies %j', async (behaviour, expected) => {
    fake.set('15900003001', behaviour);
    const plain = new AliyunDytnsProvider(dytnsConfig(fake.url, { mask: 'none' }));
    expect(await ask(plain, '15900003001')).toMatchObject(expected);
    await plain.close();
  });

  it('times out on a provider that hangs, and waits for a slow one', async () => {
    fake.set('15900003002', { hang: true });
    expect(await ask(provider, '15900003002', 150)).toMatchObject({ kind: 'transient', reason: 'timeout' });
    fake.set('15900003003', { data: { BasicCarrier: '中国联通' }, delayMs: 100 });
    expect(await ask(provider, '15900003003', 1000)).toMatchObject({
      kind: 'answer',
      answer: { carrier: 1 },
    });
  });

  it('describes itself without any credential', () => {
    const text = JSON.stringify(provider.describe());
    expect(text).not.toContain(FAKE_ACCESS_KEY_SECRET);
    expect(provider.describe().settings).toEqual({ mask: 'sha256' });
  });
});

describe('aliyun-dytns provider over HTTPS with a self-signed certificate', () => {
  it('signs for the endpoint’s host and answers when the CA is trusted', async () => {
    const fake = await FakeAliyunDytns.start({
      tls: selfSignedCertificate(),
      numbers: { [PORTED]: { data: { BasicCarrier: '中国移动' } } },
    });
    const trusting = new AliyunDytnsProvider(dytnsConfig(fake.url, { ca: selfSignedCertificate().cert }));
    const doubting = new AliyunDytnsProvider(dytnsConfig(fake.url));
    expect(await ask(trusting, PORTED)).toMatchObject({ kind: 'answer', answer: { carrier: 0 } });
    expect(await ask(doubting, PORTED)).toMatchObject({ kind: 'operator', reason: 'tls' });
    await Promise.all([trusting.close(), doubting.close()]);
    await fake.close();
  });
});
