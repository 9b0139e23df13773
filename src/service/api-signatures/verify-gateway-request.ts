import {
  type GatewayRequest,
  type SignatureAlgorithmName,
  SignatureAlgorithm,
  contentMd5,
  gatewaySignature,
  gatewayStringToSign,
  headerValue,
  isFormRequest,
  signaturesEqual,
} from './gateway-signature.js';
import type { NonceStore } from './nonce-store.js';

/** A timestamp further than this from the server's clock, either way, is refused (Aliyun: 15 minutes). */
export const SIGNATURE_WINDOW_MS = 15 * 60 * 1000;
/** Headers a request may list in X-Ca-Signature-Headers. */
export const MAX_SIGNED_HEADERS = 32;
/** Longest AppKey, nonce or signature read; UUIDs and base64 HMACs are far shorter. */
export const MAX_SIGNATURE_FIELD_LENGTH = 128;
const MAX_TIMESTAMP_DIGITS = 16;

/** Headers the string to sign carries in its own lines, or that cannot sign themselves. */
const UNSIGNABLE_HEADERS = new Set(['x-ca-signature', 'x-ca-signature-headers']);
/** Without these signed, a captured request could be replayed with a new timestamp or nonce. */
const MUST_BE_SIGNED = ['x-ca-timestamp', 'x-ca-nonce'];

/**
 * Why a request was refused, checked in this order:
 * - `missing-header`: X-Ca-Key, X-Ca-Signature, X-Ca-Timestamp or X-Ca-Nonce is absent or empty;
 * - `header-too-long`: one of them is longer than MAX_SIGNATURE_FIELD_LENGTH;
 * - `unsupported-signature-method`: X-Ca-Signature-Method is not HmacSHA256 (the default) or HmacSHA1;
 * - `malformed-timestamp`, `stale-timestamp`: X-Ca-Timestamp is not milliseconds since the epoch,
 *   or is more than SIGNATURE_WINDOW_MS from the server's clock;
 * - `too-many-signed-headers`, `unsignable-header`: X-Ca-Signature-Headers lists more than
 *   MAX_SIGNED_HEADERS names, or X-Ca-Signature(-Headers) itself;
 * - `unsigned-header`: X-Ca-Timestamp or X-Ca-Nonce is not among the signed headers;
 * - `signed-header-absent`: a header listed as signed is not in the request;
 * - `repeated-parameter`: a parameter given twice, of which the signature covers one value;
 * - `unsigned-body`, `content-md5-mismatch`: a body other than a form without Content-MD5, or
 *   whose MD5 is not the one signed;
 * - `unknown-key`: no such AppKey;
 * - `bad-signature`: the signature is not the AppSecret's over the request (`serverStringToSign`
 *   says what was expected, as Aliyun's gateway does, so a client can find its mistake);
 * - `nonce-reused`, `nonce-store-full`, `nonce-store-unavailable`: the nonce was seen within the
 *   window, or cannot be checked (see NonceStore).
 * The nonce is recorded only for a request whose signature is good, so nobody else can spend it.
 */
export type GatewayRefusal =
  | 'missing-header'
  | 'header-too-long'
  | 'unsupported-signature-method'
  | 'malformed-timestamp'
  | 'stale-timestamp'
  | 'too-many-signed-headers'
  | 'unsignable-header'
  | 'unsigned-header'
  | 'signed-header-absent'
  | 'repeated-parameter'
  | 'unsigned-body'
  | 'content-md5-mismatch'
  | 'unknown-key'
  | 'bad-signature'
  | 'nonce-reused'
  | 'nonce-store-full'
  | 'nonce-store-unavailable';

export type GatewayVerification<K> =
  | { ok: true; key: K; appKey: string; nonce: string; timestamp: number }
  | { ok: false; reason: GatewayRefusal; message: string; serverStringToSign?: string; cause?: unknown };

export interface GatewayVerifierDependencies<K extends { appSecret: string }> {
  /** The key record of an AppKey, with its secret, or undefined when there is none. */
  findKey(appKey: string): K | undefined | Promise<K | undefined>;
  nonces: NonceStore;
  /** ms since the epoch; injected by tests. */
  now?: () => number;
}

type Refusal = Extract<GatewayVerification<never>, { ok: false }>;

const refuse = (reason: GatewayRefusal, message: string): Refusal => ({ ok: false, reason, message });

/** What the X-Ca-* headers of a request say, once they are known to be usable. */
export interface SignatureClaims {
  appKey: string;
  signature: string;
  nonce: string;
  timestamp: number;
  algorithm: SignatureAlgorithmName;
  signedHeaders: string[];
}

/** Verifies a signed request; see GatewayRefusal for what is checked, in which order. */
export async function verifyGatewayRequest<K extends { appSecret: string }>(
  request: GatewayRequest,
  dependencies: GatewayVerifierDependencies<K>,
): Promise<GatewayVerification<K>> {
  const now = dependencies.now?.() ?? Date.now();
  const claims = readSignatureClaims(request, now);
  if ('reason' in claims) return claims;
  const unsigned = checkCoverage(request);
  if (unsigned) return unsigned;
  const key = await dependencies.findKey(claims.appKey);
  if (!key) return refuse('unknown-key', `no key has the AppKey in X-Ca-Key`);
  const stringToSign = gatewayStringToSign(request, claims.signedHeaders);
  const expected = gatewaySignature(stringToSign, key.appSecret, claims.algorithm);
  if (!signaturesEqual(expected, claims.signature)) {
    return {
      ...refuse(
        'bad-signature',
        `X-Ca-Signature is not the ${claims.algorithm} of the request under the AppSecret`,
      ),
      serverStringToSign: stringToSign,
    };
  }
  const nonceRefused = await claimNonce(dependencies.nonces, claims, now);
  if (nonceRefused) return nonceRefused;
  return { ok: true, key, appKey: claims.appKey, nonce: claims.nonce, timestamp: claims.timestamp };
}

/** The X-Ca-* headers, checked for presence, size, method, freshness and what they say is signed. */
export function readSignatureClaims(request: GatewayRequest, now: number): SignatureClaims | Refusal {
  const fields: string[] = [];
  for (const name of ['X-Ca-Key', 'X-Ca-Signature', 'X-Ca-Timestamp', 'X-Ca-Nonce']) {
    const value = headerValue(request, name).trim();
    if (value === '') return refuse('missing-header', `the request has no ${name} header`);
    if (value.length > MAX_SIGNATURE_FIELD_LENGTH) {
      return refuse('header-too-long', `${name} is longer than ${MAX_SIGNATURE_FIELD_LENGTH} characters`);
    }
    fields.push(value);
  }
  const [appKey, signature, timestampText, nonce] = fields;
  const method = headerValue(request, 'X-Ca-Signature-Method').trim() || 'HmacSHA256';
  if (!Object.hasOwn(SignatureAlgorithm, method)) {
    return refuse('unsupported-signature-method', 'X-Ca-Signature-Method must be HmacSHA256 or HmacSHA1');
  }
  if (!/^\d+$/.test(timestampText) || timestampText.length > MAX_TIMESTAMP_DIGITS) {
    return refuse('malformed-timestamp', 'X-Ca-Timestamp must be milliseconds since 1970-01-01 UTC');
  }
  const timestamp = Number(timestampText);
  if (Math.abs(now - timestamp) > SIGNATURE_WINDOW_MS) {
    const seconds = Math.round((now - timestamp) / 1000);
    return refuse(
      'stale-timestamp',
      `X-Ca-Timestamp is ${Math.abs(seconds)} s ${seconds > 0 ? 'behind' : 'ahead of'} the server's clock; ` +
        `the limit is ${SIGNATURE_WINDOW_MS / 1000} s`,
    );
  }
  const signedHeaders = readSignedHeaders(request);
  if ('reason' in signedHeaders) return signedHeaders;
  return { appKey, signature, nonce, timestamp, algorithm: method as SignatureAlgorithmName, signedHeaders };
}

function readSignedHeaders(request: GatewayRequest): string[] | Refusal {
  const names = headerValue(request, 'X-Ca-Signature-Headers')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length > MAX_SIGNED_HEADERS) {
    return refuse(
      'too-many-signed-headers',
      `X-Ca-Signature-Headers lists more than ${MAX_SIGNED_HEADERS} headers`,
    );
  }
  const lowered = new Set(names.map((name) => name.toLowerCase()));
  for (const name of lowered) {
    if (UNSIGNABLE_HEADERS.has(name)) return refuse('unsignable-header', `${name} cannot be a signed header`);
  }
  for (const name of MUST_BE_SIGNED) {
    if (!lowered.has(name))
      return refuse('unsigned-header', `${name} must be listed in X-Ca-Signature-Headers`);
  }
  for (const name of names) {
    if (request.headers[name.toLowerCase()] === undefined) {
      return refuse('signed-header-absent', `${name} is listed in X-Ca-Signature-Headers but not sent`);
    }
  }
  return names;
}

/** Whether every parameter and the body are covered by the signature. */
function checkCoverage(request: GatewayRequest): Refusal | undefined {
  const form = isFormRequest(request);
  for (const parameters of form ? [request.query, request.form] : [request.query]) {
    for (const [name, value] of Object.entries(parameters ?? {})) {
      if (Array.isArray(value) && value.length > 1) {
        return refuse('repeated-parameter', `the parameter ${name} is given more than once`);
      }
    }
  }
  if (form || request.rawBody === undefined || request.rawBody.length === 0) return undefined;
  const signedMd5 = headerValue(request, 'content-md5').trim();
  if (signedMd5 === '')
    return refuse('unsigned-body', 'a body that is not a form needs a Content-MD5 header');
  if (signedMd5 !== contentMd5(request.rawBody)) {
    return refuse('content-md5-mismatch', 'Content-MD5 is not the MD5 of the body');
  }
  return undefined;
}

async function claimNonce(
  nonces: NonceStore,
  claims: SignatureClaims,
  now: number,
): Promise<Refusal | undefined> {
  // Scoped to the AppKey; the length prefix keeps (key, nonce) pairs from running into each other.
  const scoped = `${claims.appKey.length}:${claims.appKey}:${claims.nonce}`;
  let claim;
  try {
    claim = await nonces.claim(scoped, claims.timestamp + SIGNATURE_WINDOW_MS, now);
  } catch (cause) {
    return { ...refuse('nonce-store-unavailable', 'the nonce could not be checked; try again'), cause };
  }
  if (claim === 'reused') return refuse('nonce-reused', 'X-Ca-Nonce was already used within 15 minutes');
  if (claim === 'full') {
    return refuse(
      'nonce-store-full',
      'too many recent nonces to check this one; sign again with a new timestamp',
    );
  }
  return undefined;
}
