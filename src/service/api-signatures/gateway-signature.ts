import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The AppKey/AppSecret signature of Aliyun's API gateway, as its clients compute it (the
 * `aliyun-api-gateway` npm package, `api-gateway-demo-sign-java`):
 *
 *     METHOD \n Accept \n Content-MD5 \n Content-Type \n Date \n
 *     name:value \n   (each header named in X-Ca-Signature-Headers, names sorted)
 *     path?k1=v1&k2&k3=v3   (query and form parameters by name; an empty value leaves the name alone)
 *
 * signed with HMAC-SHA256 (or HMAC-SHA1, `X-Ca-Signature-Method: HmacSHA1`) under the AppSecret,
 * base64 in `X-Ca-Signature`. Form parameters count only with a form content type; any other body
 * is covered by its `Content-MD5` instead. Parameter values are the decoded ones; the path is as
 * sent, without its query. Header names are written as the client lists them (the JS client in
 * lower case, the Java demo as `X-Ca-Key`), so they are sorted as written.
 */

/** A request as the HTTP layer hands it over. */
export interface GatewayRequest {
  method: string;
  /** The path as sent (percent-encoding kept), without the query. */
  path: string;
  query: Readonly<Record<string, ParameterValue>>;
  /** The parameters of an `application/x-www-form-urlencoded` body. */
  form?: Readonly<Record<string, ParameterValue>>;
  /** The bytes of any other body, to check against Content-MD5. */
  rawBody?: Uint8Array | string;
  /** Names in lower case, as Node gives them. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export type ParameterValue = string | readonly string[] | undefined;

export const SignatureAlgorithm = { HmacSHA256: 'sha256', HmacSHA1: 'sha1' } as const;
export type SignatureAlgorithmName = keyof typeof SignatureAlgorithm;

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** The value of a header, duplicates joined; '' when absent. */
export function headerValue(request: GatewayRequest, name: string): string {
  const value = request.headers[name.toLowerCase()];
  return value === undefined ? '' : typeof value === 'string' ? value : value.join(',');
}

export function isFormRequest(request: GatewayRequest): boolean {
  return headerValue(request, 'content-type').toLowerCase().startsWith(FORM_CONTENT_TYPE);
}

/** The text the client signed, given the header names it listed in X-Ca-Signature-Headers. */
export function gatewayStringToSign(request: GatewayRequest, signedHeaders: readonly string[]): string {
  const lines = [
    request.method.toUpperCase(),
    headerValue(request, 'accept'),
    headerValue(request, 'content-md5'),
    headerValue(request, 'content-type'),
    headerValue(request, 'date'),
  ];
  const headers = [...signedHeaders].sort().map((name) => `${name}:${headerValue(request, name)}\n`);
  return `${lines.join('\n')}\n${headers.join('')}${signedResource(request)}`;
}

/** The path and its sorted parameters; a name repeated in query and form counts once, the form's value. */
function signedResource(request: GatewayRequest): string {
  const parameters = new Map<string, string>();
  const add = (from: Readonly<Record<string, ParameterValue>> | undefined) => {
    for (const [name, value] of Object.entries(from ?? {})) {
      if (value !== undefined) parameters.set(name, typeof value === 'string' ? value : (value[0] ?? ''));
    }
  };
  add(request.query);
  if (isFormRequest(request)) add(request.form);
  if (parameters.size === 0) return request.path;
  const pairs = [...parameters.keys()].sort().map((name) => {
    const value = parameters.get(name)!;
    return value === '' ? name : `${name}=${value}`;
  });
  return `${request.path}?${pairs.join('&')}`;
}

/** The base64 signature of a string to sign. */
export function gatewaySignature(
  stringToSign: string,
  appSecret: string,
  algorithm: SignatureAlgorithmName = 'HmacSHA256',
): string {
  return createHmac(SignatureAlgorithm[algorithm], appSecret).update(stringToSign, 'utf8').digest('base64');
}

/** Compares in constant time, so the time taken tells nothing about how much of a guess matched. */
export function signaturesEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The base64 MD5 of a body, as `Content-MD5` carries it. */
export function contentMd5(body: Uint8Array | string): string {
  return createHash('md5').update(body).digest('base64');
}
