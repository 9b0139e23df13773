import { describe, expect, it } from 'vitest';
import {
  type GatewayRequest,
  type SignatureAlgorithmName,
  contentMd5,
  gatewaySignature,
  gatewayStringToSign,
} from './gateway-signature.js';
import { MemoryNonceStore } from './memory-nonce-store.js';
import type { NonceStore } from './nonce-store.js';
import { type GatewayVerification, verifyGatewayRequest } from './verify-gateway-request.js';

/** Requests signed by hand, each failure case made by changing one thing after signing. */
const NOW = Date.parse('2025-03-01T08:00:00Z');
const APP_KEY = '204123456';
const APP_SECRET = 'test-app-secret-of-204123456';
const keys = new Map([
  [APP_KEY, { appSecret: APP_SECRET }],
  ['204999999', { appSecret: 'another-secret' }],
]);

let nonceCounter = 0;

interface Signing {
  appKey?: string;
  secret?: string;
  algorithm?: SignatureAlgorithmName;
  timestamp?: number;
  nonce?: string;
  signedHeaders?: string[];
}

/** A GET /carrier request signed as a client signs it, with `changes` merged in before signing. */
function signed(changes: Partial<GatewayRequest> = {}, signing: Signing = {}): GatewayRequest {
  const request: GatewayRequest = {
    method: 'GET',
    path: '/carrier',
    query: { mobile: '13972565391', ext: '1' },
    ...changes,
    headers: {
      accept: 'application/json',
      'x-ca-key': signing.appKey ?? APP_KEY,
      'x-ca-timestamp': String(signing.timestamp ?? NOW - 1000),
      'x-ca-nonce': signing.nonce ?? `nonce-${++nonceCounter}`,
      ...(signing.algorithm ? { 'x-ca-signature-method': signing.algorithm } : {}),
      ...changes.headers,
    },
  };
  const signedHeaders = signing.signedHeaders ?? ['x-ca-key', 'x-ca-nonce', 'x-ca-timestamp'];
  const stringToSign = gatewayStringToSign(request, signedHeaders);
  return withHeaders(request, {
    'x-ca-signature-headers': signedHeaders.join(','),
    'x-ca-signature': gatewaySignature(stringToSign, signing.secret ?? APP_SECRET, signing.algorithm),
  });
}

function withHeaders(request: GatewayRequest, headers: GatewayRequest['headers']): GatewayRequest {
  return { ...request, headers: { ...request.headers, ...headers } };
}

function verify(request: GatewayRequest, nonces: NonceStore = new MemoryNonceStore(), now = NOW) {
  return verifyGatewayRequest(request, { findKey: (appKey) => keys.get(appKey), nonces, now: () => now });
}

async function refusal(request: GatewayRequest, nonces?: NonceStore, now?: number) {
  const verdict: GatewayVerification<unknown> = await verify(request, nonces, now);
  if (verdict.ok) throw new Error('the request was accepted');
  return verdict;
}

describe('the string to sign', () => {
  it('is the one Aliyun documents, written out by hand', () => {
    const request: GatewayRequest = {
      method: 'post',
      path: '/isp',
      query: { mobile: '13972565391', b: '' },
      form: { a: '1', mobile: '13800138000' },
      headers: {
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
        date: 'Sat, 01 Mar 2025 08:00:00 GMT',
        'x-ca-key': APP_KEY,
        'x-ca-nonce': 'n-1',
        'x-ca-timestamp': '1740816000000',
      },
    };
    expect(gatewayStringToSign(request, ['X-Ca-Timestamp', 'x-ca-nonce', 'X-Ca-Key'])).toBe(
      'POST\napplication/json\n\napplication/x-www-form-urlencoded; charset=UTF-8\nSat, 01 Mar 2025 08:00:00 GMT\n' +
        'X-Ca-Key:204123456\nX-Ca-Timestamp:1740816000000\nx-ca-nonce:n-1\n' +
        '/isp?a=1&b&mobile=13800138000',
    );
  });

  it('leaves out the form of a request that is not a form', () => {
    const request: GatewayRequest = {
      method: 'GET',
      path: '/carrier',
      query: {},
      form: { a: '1' },
      headers: {},
    };
    expect(gatewayStringToSign(request, [])).toBe('GET\n\n\n\n\n/carrier');
  });
});

describe('verifyGatewayRequest', () => {
  it('accepts a request signed with the AppSecret, with HmacSHA256 or HmacSHA1', async () => {
    expect(await verify(signed())).toMatchObject({
      ok: true,
      appKey: APP_KEY,
      key: { appSecret: APP_SECRET },
    });
    expect(await verify(signed({}, { algorithm: 'HmacSHA1' }))).toMatchObject({ ok: true });
    expect(await verify(signed({}, { algorithm: 'HmacSHA256' }))).toMatchObject({ ok: true });
  });

  it('refuses a signature made with another secret, and says what it expected', async () => {
    const request = signed({}, { secret: 'another-secret' });
    expect(await refusal(request)).toMatchObject({
      reason: 'bad-signature',
      serverStringToSign: expect.stringContaining('/carrier?ext=1&mobile=13972565391'),
    });
  });

  it('refuses a request changed after signing: a parameter, a signed header, the method, the path', async () => {
    const request = signed();
    const tampered: GatewayRequest[] = [
      { ...request, query: { ...request.query, mobile: '13800138000' } },
      { ...request, query: { ...request.query, extra: '1' } },
      withHeaders(request, { 'x-ca-timestamp': String(NOW) }),
      withHeaders(request, { accept: 'application/xml' }),
      { ...request, method: 'POST' },
      { ...request, path: '/isp' },
    ];
    for (const changed of tampered) expect(await refusal(changed)).toMatchObject({ reason: 'bad-signature' });
  });

  it('refuses a form parameter changed after signing, but ignores an unsigned header', async () => {
    const form = signed({
      method: 'POST',
      form: { mobile: '13972565391' },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(await verify(withHeaders(form, { 'user-agent': 'curl' }))).toMatchObject({ ok: true });
    expect(await refusal({ ...form, form: { mobile: '13800138000' } })).toMatchObject({
      reason: 'bad-signature',
    });
  });

  it('refuses a timestamp more than 15 minutes from the server clock, either way', async () => {
    const minute = 60 * 1000;
    expect(await verify(signed({}, { timestamp: NOW - 14 * minute }))).toMatchObject({ ok: true });
    expect(await verify(signed({}, { timestamp: NOW + 14 * minute }))).toMatchObject({ ok: true });
    expect(await refusal(signed({}, { timestamp: NOW - 16 * minute }))).toEqual({
      ok: false,
      reason: 'stale-timestamp',
      message: "X-Ca-Timestamp is 960 s behind the server's clock; the limit is 900 s",
    });
    expect(await refusal(signed({}, { timestamp: NOW + 16 * minute }))).toMatchObject({
      reason: 'stale-timestamp',
      message: expect.stringContaining('960 s ahead of'),
    });
    const inSeconds = withHeaders(signed(), { 'x-ca-timestamp': '1e12' });
    expect(await refusal(inSeconds)).toMatchObject({ reason: 'malformed-timestamp' });
  });

  it('accepts a nonce once per AppKey, and again only once its timestamp is stale', async () => {
    const nonces = new MemoryNonceStore();
    const first = signed({}, { nonce: 'same' });
    expect(await verify(first, nonces)).toMatchObject({ ok: true });
    expect(await refusal(first, nonces)).toMatchObject({ reason: 'nonce-reused' });
    expect(
      await refusal(signed({ query: { mobile: '13800138000' } }, { nonce: 'same' }), nonces),
    ).toMatchObject({
      reason: 'nonce-reused',
    });
    const otherKey = signed({}, { nonce: 'same', appKey: '204999999', secret: 'another-secret' });
    expect(await verify(otherKey, nonces)).toMatchObject({ ok: true });
    // 16 minutes on, the first request is stale, and so refused for its timestamp, not its nonce.
    expect(await refusal(first, nonces, NOW + 16 * 60 * 1000)).toMatchObject({ reason: 'stale-timestamp' });
  });

  it('does not spend a nonce on a request whose signature is bad', async () => {
    const nonces = new MemoryNonceStore();
    expect(await refusal(signed({}, { nonce: 'n', secret: 'guess' }), nonces)).toMatchObject({
      reason: 'bad-signature',
    });
    expect(await verify(signed({}, { nonce: 'n' }), nonces)).toMatchObject({ ok: true });
  });

  it.each(['x-ca-key', 'x-ca-signature', 'x-ca-timestamp', 'x-ca-nonce'])(
    'names a missing %s',
    async (header) => {
      const verdict = await refusal(withHeaders(signed(), { [header]: undefined }));
      expect(verdict.reason).toBe('missing-header');
      expect(verdict.message.toLowerCase()).toContain(header);
    },
  );

  it('refuses a timestamp or nonce left out of the signed headers', async () => {
    for (const left of ['x-ca-nonce', 'x-ca-timestamp']) {
      const signedHeaders = ['x-ca-key', 'x-ca-nonce', 'x-ca-timestamp'].filter((name) => name !== left);
      expect(await refusal(signed({}, { signedHeaders }))).toMatchObject({
        reason: 'unsigned-header',
        message: `${left} must be listed in X-Ca-Signature-Headers`,
      });
    }
  });

  it('refuses a header claimed as signed that was not sent, or that cannot be signed', async () => {
    const claimed = ['x-ca-key', 'x-ca-nonce', 'x-ca-timestamp', 'x-mnpd-client'];
    expect(await refusal(signed({}, { signedHeaders: claimed }))).toMatchObject({
      reason: 'signed-header-absent',
      message: 'x-mnpd-client is listed in X-Ca-Signature-Headers but not sent',
    });
    const sent = signed({ headers: { 'x-mnpd-client': 'a' } }, { signedHeaders: claimed });
    expect(await verify(sent)).toMatchObject({ ok: true });
    const circular = [...claimed.slice(0, 3), 'X-Ca-Signature'];
    expect(await refusal(signed({}, { signedHeaders: circular }))).toMatchObject({
      reason: 'unsignable-header',
    });
    const many = [...claimed.slice(0, 3), ...Array.from({ length: 30 }, (_, i) => `x-h${i}`)];
    expect(await refusal(signed({}, { signedHeaders: many }))).toMatchObject({
      reason: 'too-many-signed-headers',
    });
  });

  it('refuses an unknown AppKey, an unknown method, and fields longer than any real one', async () => {
    expect(await refusal(signed({}, { appKey: '204000000' }))).toMatchObject({ reason: 'unknown-key' });
    const md5 = withHeaders(signed(), { 'x-ca-signature-method': 'HmacMD5' });
    expect(await refusal(md5)).toMatchObject({ reason: 'unsupported-signature-method' });
    expect(await refusal(signed({}, { nonce: 'n'.repeat(129) }))).toMatchObject({
      reason: 'header-too-long',
    });
  });

  it('covers a JSON body by its Content-MD5, and refuses one without it or changed', async () => {
    const body = JSON.stringify({ mobiles: ['13972565391'] });
    const json = (rawBody: string, md5: string | undefined) =>
      signed({
        method: 'POST',
        query: {},
        rawBody,
        headers: { 'content-type': 'application/json', ...(md5 ? { 'content-md5': md5 } : {}) },
      });
    expect(await verify(json(body, contentMd5(body)))).toMatchObject({ ok: true });
    expect(await refusal(json(body, undefined))).toMatchObject({ reason: 'unsigned-body' });
    const changed = { ...json(body, contentMd5(body)), rawBody: body.replace('139', '138') };
    expect(await refusal(changed)).toMatchObject({ reason: 'content-md5-mismatch' });
  });

  it('refuses a parameter given twice, of which the signature covers one value', async () => {
    const twice = signed({ query: { mobile: ['13972565391', '13800138000'] } });
    expect(await refusal(twice)).toMatchObject({ reason: 'repeated-parameter' });
  });

  it('refuses, and passes on the cause, when the nonce store cannot answer', async () => {
    const down: NonceStore = { claim: () => Promise.reject(new Error('connection refused')) };
    expect(await refusal(signed(), down)).toMatchObject({
      reason: 'nonce-store-unavailable',
      cause: new Error('connection refused'),
    });
  });
});
