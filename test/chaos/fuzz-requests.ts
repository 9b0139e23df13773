/**
 * Raw requests at random (fast-check), aimed at what the outside test found: encoded parameter
 * names, bracketed and prototype names, nested JSON, formula cells, long and reused requestIds,
 * characters XML cannot carry, form bodies under any Content-Type, broken multipart on the upload
 * routes. Near-valid mostly, so that the checks behind the parameter check are reached too.
 */
import fc from 'fast-check';
import type { RequestParts } from './raw-http.js';

export interface FuzzSecrets {
  apikey: string;
  /** Headers of a customer's and an operator's console session. */
  customer: [string, string][];
  operator: [string, string][];
}

const percentEncode = (text: string) =>
  [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

const URL_TEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$'()*+,;:@/?[]=&%";
const rawUrlText = (maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...URL_TEXT.split('')), maxLength });

const nested = (depth: number, inner: string) => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;

export function fuzzRequests(secrets: FuzzSecrets): fc.Arbitrary<RequestParts> {
  const mobile = fc.constantFrom(
    '13972565391',
    '15000001234',
    '15400000000',
    '+86 139 7256 5391',
    '８６１３９７２５６５３９１',
    '1397256539',
    '139725653911',
    '',
  );
  const value = fc.oneof(
    { weight: 3, arbitrary: mobile },
    { weight: 3, arbitrary: fc.constant(secrets.apikey) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        "=cmd|' /C calc'!A0",
        '=1+1',
        '@SUM(1+1)',
        '+1',
        '-1',
        '\t=1',
        '\r=1',
        '\uFFFEx1',
        '\uFFFF',
        '\u0000',
        'xml',
        'json',
        '1',
        '1000',
        '5000',
        '-1',
      ),
    },
    { weight: 1, arbitrary: fc.integer({ min: 120, max: 300 }).map((length) => 'r'.repeat(length)) },
    { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  );
  const name = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(
        'apikey',
        'mobile',
        'mobiles',
        'requestId',
        'format',
        'ext',
        'limit',
        'callback',
      ),
    },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'api%6Bey',
        '%61pikey',
        'APIKEY',
        'apikey[]',
        'apikey[a]',
        '__proto__',
        'constructor',
        'mob%69le',
        'mobile[]',
        'mobiles[0]',
        'request%49d',
      ),
    },
    { weight: 1, arbitrary: rawUrlText(10) },
  );
  // Names as given (some are already encoded, on purpose), values encoded as a client would.
  const pairs = fc.array(fc.tuple(name, value), { minLength: 1, maxLength: 6 });
  const query = pairs.map((list) => list.map(([n, v]) => `${n}=${percentEncode(v)}`).join('&'));
  const jsonBody = fc
    .tuple(value, value, fc.integer({ min: 0, max: 30 }), fc.boolean())
    .map(([number, id, depth, batch]) =>
      batch
        ? `{"apikey":${JSON.stringify(secrets.apikey)},"mobiles":[${JSON.stringify(number)},${nested(depth, '"13972565391"')}],"requestId":${JSON.stringify(id)}}`
        : `{"apikey":${JSON.stringify(secrets.apikey)},"mobile":${nested(depth, JSON.stringify(number))}}`,
    );
  const boundary = 'chaosboundary';
  const multipartBody = fc
    .tuple(fc.constantFrom('file', 'kind', 'apikey', 'mobile'), value, fc.boolean())
    .map(
      ([field, text, cut]) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="a.csv"\r\n\r\n${text}` +
        (cut ? '' : `\r\n--${boundary}--\r\n`),
    );
  const body = fc.oneof(
    { weight: 2, arbitrary: query.map((text) => ({ type: 'application/x-www-form-urlencoded', text })) },
    { weight: 2, arbitrary: query.map((text) => ({ type: 'text/plain', text })) },
    { weight: 1, arbitrary: query.map((text) => ({ type: '', text })) },
    { weight: 3, arbitrary: jsonBody.map((text) => ({ type: 'application/json', text })) },
    {
      weight: 3,
      arbitrary: multipartBody.map((text) => ({ type: `multipart/form-data; boundary=${boundary}`, text })),
    },
    { weight: 1, arbitrary: multipartBody.map((text) => ({ type: 'multipart/form-data', text })) },
    {
      weight: 1,
      arbitrary: fc
        .string({ unit: 'binary', maxLength: 200 })
        .map((text) => ({ type: 'application/json', text })),
    },
  );
  const path = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom('/carrier', '/isp', '/balance', '/carrier/batch', '/records', '/qxt_test'),
    },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '/console/api/me/batches',
        '/console/api/admin/data/ported',
        '/console/api/login',
        '/admin/ported/reload',
        '/readyz',
      ),
    },
    { weight: 1, arbitrary: rawUrlText(30).map((text) => `/${text}`) },
  );
  const session = fc.constantFrom<[string, string][]>([], secrets.customer, secrets.operator);
  return fc
    .record({
      method: fc.oneof(
        { weight: 4, arbitrary: fc.constant('GET') },
        { weight: 5, arbitrary: fc.constant('POST') },
        { weight: 1, arbitrary: fc.constantFrom('PUT', 'HEAD', 'DELETE', 'OPTIONS') },
      ),
      path,
      query: fc.option(query, { nil: undefined }),
      body: fc.option(body, { nil: undefined }),
      session,
    })
    .map(({ method, path, query, body, session }) => ({
      method,
      target: query === undefined ? path : `${path}?${query}`,
      headers: [
        ...session,
        ...(body && body.type ? ([['Content-Type', body.type]] as [string, string][]) : []),
      ],
      body: body?.text,
    }));
}
