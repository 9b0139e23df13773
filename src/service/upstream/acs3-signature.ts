import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Alibaba Cloud's V3 request signature, ACS3-HMAC-SHA256, as its OpenAPI documentation defines
 * it. Written here because the registry has no 号码百科 (dytnsapi) SDK for Node, and the generic
 * openapi-client brings its own HTTP stack; the signature is small and tested against the
 * documentation's worked example.
 */
export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

export interface Acs3Request {
  method: string;
  /** The `host` header as sent: `dytnsapi.aliyuncs.com`, or `127.0.0.1:4567` in tests. */
  host: string;
  /** RPC-style APIs use `/`. */
  path: string;
  query: Readonly<Record<string, string>>;
  /** `x-acs-action`, `x-acs-version` and any other header to sign (names in any case). */
  headers: Readonly<Record<string, string>>;
  body: string;
}

export interface Acs3Credentials {
  accessKeyId: string;
  accessKeySecret: string;
}

/** RFC 3986 percent-encoding: only A-Z a-z 0-9 - _ . ~ stay as they are. */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Parameters sorted by name, names and values encoded: both the signed and the sent query string. */
export function canonicalQueryString(query: Readonly<Record<string, string>>): string {
  return Object.keys(query)
    .sort()
    .map((name) => `${percentEncode(name)}=${percentEncode(query[name])}`)
    .join('&');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The headers that are signed: host, content-type and every x-acs-*, lower-cased and trimmed. */
function signedHeaderEntries(headers: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(headers)
    .map(([name, value]): [string, string] => [name.toLowerCase(), value.trim()])
    .filter(([name]) => name === 'host' || name === 'content-type' || name.startsWith('x-acs-'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The canonical request of step 1; `headers` must already hold host and x-acs-content-sha256. */
export function canonicalRequest(request: Acs3Request): string {
  const entries = signedHeaderEntries(request.headers);
  const path = request.path.split('/').map(percentEncode).join('/');
  return [
    request.method.toUpperCase(),
    path,
    canonicalQueryString(request.query),
    entries.map(([name, value]) => `${name}:${value}\n`).join(''),
    entries.map(([name]) => name).join(';'),
    sha256Hex(request.body),
  ].join('\n');
}

/** The Authorization header for a request whose headers are complete (host, x-acs-*). */
export function acs3Authorization(request: Acs3Request, credentials: Acs3Credentials): string {
  const stringToSign = `${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest(request))}`;
  const signature = createHmac('sha256', credentials.accessKeySecret)
    .update(stringToSign, 'utf8')
    .digest('hex');
  const signedHeaders = signedHeaderEntries(request.headers)
    .map(([name]) => name)
    .join(';');
  return `${ACS3_ALGORITHM} Credential=${credentials.accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`;
}

/** `2023-10-26T10:22:32Z`: ISO 8601 in UTC without milliseconds, as x-acs-date wants it. */
export function acsDate(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Every header a signed call carries: the common x-acs-* headers (with a fresh nonce and the time
 * unless given), host, and Authorization.
 */
export function signAcs3Request(
  request: Omit<Acs3Request, 'headers'> & { action: string; version: string },
  credentials: Acs3Credentials,
  stamp: { date?: Date; nonce?: string } = {},
): Record<string, string> {
  const headers: Record<string, string> = {
    host: request.host,
    'x-acs-action': request.action,
    'x-acs-version': request.version,
    'x-acs-date': acsDate(stamp.date ?? new Date()),
    'x-acs-signature-nonce': stamp.nonce ?? randomBytes(16).toString('hex'),
    'x-acs-content-sha256': sha256Hex(request.body),
  };
  return { ...headers, authorization: acs3Authorization({ ...request, headers }, credentials) };
}
