import { describe, expect, it } from 'vitest';
import {
  acs3Authorization,
  canonicalQueryString,
  canonicalRequest,
  percentEncode,
  sha256Hex,
  signAcs3Request,
} from './acs3-signature.js';

/**
 * The worked example of Alibaba Cloud's "V3 request structure and signature" documentation
 * (固定参数示例): fixed credentials, nonce and date, RunInstances on ecs.cn-shanghai. Its canonical
 * request, hashed canonical request and signature are printed there; reproducing them byte for
 * byte is what shows this signer is the one Alibaba Cloud verifies.
 */
const EXAMPLE = {
  method: 'POST',
  host: 'ecs.cn-shanghai.aliyuncs.com',
  path: '/',
  query: { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' },
  body: '',
  action: 'RunInstances',
  version: '2014-05-26',
};
const CREDENTIALS = { accessKeyId: 'YourAccessKeyId', accessKeySecret: 'YourAccessKeySecret' };
const STAMP = { date: new Date('2023-10-26T10:22:32Z'), nonce: '3156853299f313e23d1673dc12e1703d' };
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const PUBLISHED_CANONICAL_REQUEST = [
  'POST',
  '/',
  'ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai',
  'host:ecs.cn-shanghai.aliyuncs.com',
  'x-acs-action:RunInstances',
  `x-acs-content-sha256:${EMPTY_SHA256}`,
  'x-acs-date:2023-10-26T10:22:32Z',
  'x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d',
  'x-acs-version:2014-05-26',
  '',
  'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version',
  EMPTY_SHA256,
].join('\n');
const PUBLISHED_HASHED_CANONICAL_REQUEST = '7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259';
const PUBLISHED_AUTHORIZATION =
  'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,' +
  'SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,' +
  'Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0';

describe('ACS3-HMAC-SHA256 against the documentation’s worked example', () => {
  const headers = signAcs3Request(EXAMPLE, CREDENTIALS, STAMP);

  it('builds the published canonical request and its hash', () => {
    const request = { ...EXAMPLE, headers };
    expect(canonicalRequest(request)).toBe(PUBLISHED_CANONICAL_REQUEST);
    expect(sha256Hex(canonicalRequest(request))).toBe(PUBLISHED_HASHED_CANONICAL_REQUEST);
  });

  it('produces the published Authorization header', () => {
    expect(headers.authorization).toBe(PUBLISHED_AUTHORIZATION);
    expect(headers['x-acs-content-sha256']).toBe(EMPTY_SHA256);
    expect(headers['x-acs-date']).toBe('2023-10-26T10:22:32Z');
  });

  it('changes the signature when anything signed changes', () => {
    const other = acs3Authorization(
      { ...EXAMPLE, query: { ...EXAMPLE.query, RegionId: 'cn-beijing' }, headers },
      CREDENTIALS,
    );
    expect(other).not.toBe(PUBLISHED_AUTHORIZATION);
    const otherSecret = acs3Authorization({ ...EXAMPLE, headers }, { ...CREDENTIALS, accessKeySecret: 'x' });
    expect(otherSecret).not.toBe(PUBLISHED_AUTHORIZATION);
  });

  it('uses a fresh nonce and the current time when none is given', () => {
    const a = signAcs3Request(EXAMPLE, CREDENTIALS);
    const b = signAcs3Request(EXAMPLE, CREDENTIALS);
    expect(a['x-acs-signature-nonce']).toMatch(/^[0-9a-f]{32}$/);
    expect(a['x-acs-signature-nonce']).not.toBe(b['x-acs-signature-nonce']);
    expect(Math.abs(Date.parse(a['x-acs-date']) - Date.now())).toBeLessThan(5000);
  });
});

describe('RFC 3986 encoding of the query', () => {
  it('leaves only unreserved characters and encodes the rest, spaces as %20', () => {
    expect(percentEncode('a-b_c.d~e')).toBe('a-b_c.d~e');
    expect(percentEncode("a b*c'(d)!+/=")).toBe('a%20b%2Ac%27%28d%29%21%2B%2F%3D');
    expect(percentEncode('号码')).toBe('%E5%8F%B7%E7%A0%81');
  });

  it('sorts parameters by name', () => {
    expect(canonicalQueryString({ b: '2', Mask: 'SHA256', a: '1' })).toBe('Mask=SHA256&a=1&b=2');
  });
});
