/**
 * Bad input, at random, against one real server: whatever a client sends (methods, paths, query
 * strings, bodies, content types, headers), the answer is never a 5xx, always carries a documented
 * code (or is a HEAD answer without a body), never the -8 of a server fault, and the server lives
 * on. Requests are written raw on a socket, so nothing is tidied up by a client library.
 *
 * Transport statuses the contract allows: 200 (every answer with a code), 429 (code -6, rate
 * limited), 404 (unknown path or method, code 1) and 413 (body over MNPD_BODY_LIMIT, code 1).
 * Requests the HTTP parser refuses before Fastify sees them (broken framing, a request line over
 * 16 kB) and paths with broken percent escapes are left to their own tests below.
 */
import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultCode } from '../core/result-codes.js';
import type { Account } from '../store/store.js';
import { DATABASE_URL, POSTGRES_SKIP_REASON } from '../test-support/test-databases.js';
import { type TestServer, startTestServer } from '../test-support/test-server.js';
import { hashSecret, newSecret, secretHint } from '../service/accounts/secrets.js';

const BODY_LIMIT = 16_384;
/** Fixed so that a run is repeatable; MNPD_FUZZ_SEED / MNPD_FUZZ_RUNS explore further. */
const RUNS = Number(process.env.MNPD_FUZZ_RUNS) || 500;
const SEED = Number(process.env.MNPD_FUZZ_SEED) || 20_250_214;
const REQUEST_TIMEOUT_MS = 5000;
const DOCUMENTED_CODES = new Set<number>(Object.values(ResultCode));
const TRANSPORT_STATUSES = [200, 404, 413, 429];

const ENDPOINTS = ['/carrier', '/isp', '/balance', '/carrier/batch', '/records', '/qxt_test'] as const;
/**
 * The methods each endpoint answers; everything else is a 404 with code 1 (or a 413 first when the
 * body is too large). HEAD is checked on its own: whether it is routed is app.ts's choice.
 */
const ROUTES: Record<string, string[]> = {
  '/carrier': ['GET', 'POST'],
  '/isp': ['GET', 'POST'],
  '/balance': ['GET', 'POST'],
  '/records': ['GET', 'POST'],
  '/qxt_test': ['GET', 'POST'],
  '/carrier/batch': ['POST'],
};
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;

// ---- a raw HTTP/1.1 client

interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

function decodeChunked(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) throw new Error('truncated chunked body');
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) throw new Error('bad chunk size');
    if (size === 0) return Buffer.concat(parts);
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

function parseResponse(data: Buffer, head: boolean): RawResponse {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete response head in ${JSON.stringify(data.toString('latin1'))}`);
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = data.subarray(end + 4);
  if (head) body = Buffer.alloc(0);
  else if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') body = decodeChunked(body);
  else if (headers.has('content-length')) body = body.subarray(0, Number(headers.get('content-length')));
  return { status, headers, body };
}

/** Writes the request as given and reads until the server closes (`Connection: close`). */
function rawRequest(port: number, request: Buffer, head: boolean): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const data = Buffer.concat(chunks);
      // A server may reset after answering (a refused oversized body): the answer read counts.
      if (data.indexOf('\r\n\r\n') >= 0) {
        try {
          resolve(parseResponse(data, head));
          return;
        } catch (parseError) {
          reject(parseError as Error);
          return;
        }
      }
      reject(error ?? new Error('connection closed without an answer'));
    };
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => finish(new Error('no answer in time')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish());
    socket.write(request);
  });
}

// ---- request model

interface FuzzRequest {
  method: (typeof METHODS)[number];
  path: string;
  /** The raw query string after `?`, or undefined for none. */
  query: string | undefined;
  headers: [string, string][];
  body: Buffer | undefined;
  chunked: boolean;
}

function encodeRequest(request: FuzzRequest): Buffer {
  const target = request.query === undefined ? request.path : `${request.path}?${request.query}`;
  const lines = [`${request.method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  let body: Buffer = Buffer.alloc(0);
  if (request.body !== undefined) {
    if (request.chunked) {
      lines.push('Transfer-Encoding: chunked');
      const size = request.body.length;
      body = Buffer.concat([
        ...(size > 0 ? [Buffer.from(`${size.toString(16)}\r\n`), request.body, Buffer.from('\r\n')] : []),
        Buffer.from('0\r\n\r\n'),
      ]);
    } else {
      lines.push(`Content-Length: ${request.body.length}`);
      body = request.body;
    }
  }
  // Header values may carry bytes 0x80–0xff (obs-text): latin1 writes them as single bytes.
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

function describeRequest(request: FuzzRequest): string {
  const body = request.body && request.body.toString('latin1');
  return JSON.stringify({
    ...request,
    query: request.query && request.query.length > 300 ? `${request.query.slice(0, 300)}…` : request.query,
    body: body && body.length > 300 ? `${body.slice(0, 300)}… (${body.length} bytes)` : body,
  });
}

// ---- arbitraries

/** Every UTF-8 byte percent-encoded (lone surrogates become U+FFFD, as a client would send them). */
function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

const URL_SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$'()*+,;:@/?[]=&%";
/** Characters a request target may carry as they are, `%` included (so broken escapes too). */
const rawUrlText = (maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...URL_SAFE.split('')), maxLength });
/** Printable ASCII, tab and bytes 0x80–0xff (obs-text): what a header value may carry. */
const headerText = (maxLength: number) =>
  fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0x7e })
      .chain((code) =>
        fc.constantFrom(String.fromCharCode(code), '\t', String.fromCharCode(0x80 + (code % 0x80))),
      ),
    maxLength,
  });
const anyText = (maxLength: number) =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
  );

interface Secrets {
  /** The rich account's key. */
  apikey: string;
  appcode: string;
  /** A key of a prepaid account at zero (-5). */
  emptyApikey: string;
  /** A key of an account whose IP whitelist excludes loopback (-9). */
  deniedApikey: string;
}

function arbitraries(secrets: Secrets) {
  const mobiles = fc.constantFrom(
    '13972565391',
    '15000001234',
    '18600001234',
    '18900001234',
    '17000001234',
    '19200001234',
    '+86 139 7256 5391',
    '0086-139-7256-5391',
    '８６１３９７２５６５３９１',
    '13000000000',
    '12345678901',
    '1397256539',
    '139725653911',
    '',
    ' ',
    '+',
    '+1 202 555 0100',
  );
  const huge = fc.integer({ min: 1000, max: 6000 }).map((length) => '9'.repeat(length));
  const value = fc.oneof(
    { weight: 3, arbitrary: mobiles },
    { weight: 2, arbitrary: fc.constant(secrets.apikey) },
    { weight: 1, arbitrary: fc.constant(secrets.appcode) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 32, maxLength: 32 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('xml', 'XML', 'json', 'csv', 'cb', 'a.b', 'a(b)', '1', 'true', 'yes', '0'),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '1',
        '1000',
        '1001',
        '0',
        '-1',
        '1e3',
        '9007199254740993',
        '2025-01-01',
        'x',
      ),
    },
    { weight: 2, arbitrary: anyText(40) },
    { weight: 1, arbitrary: huge },
  );
  const name = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.constantFrom(
        'apikey',
        'mobile',
        'mobiles',
        'format',
        'ext',
        'requestId',
        'limit',
        'before',
        'from',
        'to',
      ),
    },
    // A callback that is not a plain identifier makes the whole request code 1: now and then only.
    { weight: 1, arbitrary: fc.constant('callback') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'a[]',
        'mobile[]',
        'apikey[0]',
        'mobile[a][b]',
        '__proto__',
        'constructor',
        '',
      ),
    },
    { weight: 1, arbitrary: anyText(10) },
  );
  const pair = fc.tuple(name, value);
  /**
   * Mostly near-valid requests, so the checks behind the parameter check are reached too: a valid
   * apikey and a number (any spelling) first, then random pairs, duplicates and all.
   */
  const pairs = fc
    .tuple(
      fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constant([
            ['apikey', secrets.apikey],
            ['mobile', ''],
          ]),
        },
        {
          weight: 1,
          arbitrary: fc.subarray([
            ['apikey', secrets.apikey],
            ['mobile', ''],
          ]),
        },
      ),
      mobiles,
      fc.array(pair, { maxLength: 4 }),
    )
    .map(([base, mobile, rest]) => [
      ...base.map(([n, v]) => [n, n === 'mobile' ? mobile : v] as [string, string]),
      ...rest,
    ]);
  /** name=value pairs, encoded properly or raw (broken escapes, stray `&` and `=`), duplicates likely. */
  const formText = fc.oneof(
    {
      weight: 3,
      arbitrary: pairs.map((list) =>
        list.map(([n, v]) => `${percentEncode(n)}=${percentEncode(v)}`).join('&'),
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(
          fc.tuple(
            fc.oneof(name.map(percentEncode), rawUrlText(12)),
            fc.oneof(
              value.map(percentEncode),
              rawUrlText(30),
              fc.constantFrom('%', '%z', '%E4%B8', '%00', '%FF%FE', '%C0%AF', '+', ''),
            ),
          ),
          { maxLength: 8 },
        )
        .map((pairs) => pairs.map(([n, v]) => `${n}=${v}`).join('&')),
    },
    { weight: 1, arbitrary: rawUrlText(200) },
  );
  // Request lines stay under Node's 16 kB header limit: past it is a framing error (see below).
  const query = fc.option(
    formText.map((text) => text.slice(0, 12_000)),
    { nil: undefined, freq: 4 },
  );

  const path = fc.oneof(
    { weight: 16, arbitrary: fc.constantFrom(...ENDPOINTS) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '/',
        '/carrier/',
        '/CARRIER',
        '//carrier',
        '/carrier/batch/',
        '/carrier/../balance',
        '/carrier%2Fbatch',
        '/%E4%B8%AD%E6%96%87',
        '/carrier;jsessionid=1',
        '/index.php',
        '/.env',
        '/balance/x',
        '/isp.json',
        `/${'a'.repeat(2000)}`,
      ),
    },
    // Random paths; broken percent escapes in a *path* are a known gap (see the test below).
    {
      weight: 1,
      arbitrary: fc
        .string({ unit: fc.constantFrom(...'abcxyz019-._~!$()*+,;:@/'.split('')), maxLength: 30 })
        .map((p) => `/zz${p}`),
    },
  );

  const jsonValue = fc.oneof(
    { weight: 3, arbitrary: value },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.array(mobiles, { maxLength: 20 }) },
    { weight: 1, arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 10 }) },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 0, max: 1100 })
        .map((n) => Array.from({ length: n }, (_, i) => `1397256${String(i).padStart(4, '0')}`)),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(null, true, 0, -1, 13972565391, 1.5e300, {}, [], { mobile: '13972565391' }),
    },
  );
  const jsonObject = fc
    .tuple(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom<string[]>(['apikey', 'mobile'], ['apikey', 'mobiles']) },
        { weight: 1, arbitrary: fc.subarray<string>(['apikey', 'mobile', 'mobiles']) },
      ),
      mobiles,
      fc.array(mobiles, { maxLength: 20 }),
      fc.dictionary(name, jsonValue, { maxKeys: 4 }),
    )
    .map(([base, mobile, list, rest]) => {
      const fields: Record<string, unknown> = {
        ...(base.includes('apikey') ? { apikey: secrets.apikey } : {}),
        ...(base.includes('mobile') ? { mobile } : {}),
        ...(base.includes('mobiles') ? { mobiles: list } : {}),
      };
      // Random fields may override the valid ones (wrong types), or add junk beside them.
      for (const [key, value] of Object.entries(rest)) {
        Object.defineProperty(fields, key, { value, enumerable: true, writable: true, configurable: true });
      }
      return JSON.stringify(fields);
    });
  const deep = fc
    .tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom('array', 'object', 'open'))
    .map(([depth, kind]) =>
      kind === 'array'
        ? '['.repeat(depth) + ']'.repeat(depth)
        : kind === 'object'
          ? '{"mobile":'.repeat(depth) + '1' + '}'.repeat(depth)
          : '['.repeat(depth),
    );
  const brokenJson = fc.oneof(
    fc.constantFrom(
      '{',
      '}',
      '[1,2',
      '{"apikey":',
      '{"a":1}}',
      '\uFEFF{"a":1}',
      'nul',
      'NaN',
      '{"__proto__":{"x":1}}',
      '{"constructor":{"prototype":{}}}',
      "{'a':1}",
      '{"a":1,}',
      '"\\ud800"',
      '1e99999',
    ),
    jsonObject.chain((text) => fc.integer({ min: 0, max: text.length }).map((cut) => text.slice(0, cut))),
  );
  const invalidUtf8 = fc
    .tuple(
      jsonObject,
      fc.uint8Array({ minLength: 1, maxLength: 6 }).map((bytes) => Buffer.from(bytes.map((b) => b | 0x80))),
    )
    .map(([text, bad]) => {
      const at = Math.max(0, text.indexOf('"', 2));
      return Buffer.concat([Buffer.from(text.slice(0, at)), bad, Buffer.from(text.slice(at))]);
    });
  const oversized = fc
    .tuple(
      fc.integer({ min: BODY_LIMIT + 1, max: 2.5 * BODY_LIMIT }),
      fc.constantFrom('json', 'form', 'bytes'),
    )
    .map(([size, kind]) =>
      kind === 'json'
        ? Buffer.from(`{"mobile":"${'1'.repeat(size)}"}`)
        : kind === 'form'
          ? Buffer.from(`mobile=${'1'.repeat(size)}`)
          : Buffer.alloc(size, 0xab),
    );
  const jsonType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON');
  const formType = fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=UTF-8',
  );
  const anyType = fc.option(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          'application/json',
          'application/json; charset=utf-16',
          'application/x-www-form-urlencoded',
          'application/x-www-form-urlencoded; charset=gbk',
          'text/plain',
          'multipart/form-data; boundary=x',
          'application/xml',
          'application/octet-stream',
          'application/json, text/plain',
          ';;;',
          '',
        ),
      },
      { weight: 1, arbitrary: headerText(40) },
    ),
    { nil: undefined, freq: 4 },
  );
  const anyBody = fc.oneof(
    { weight: 2, arbitrary: jsonObject.map((text) => Buffer.from(text)) },
    { weight: 2, arbitrary: formText.map((text) => Buffer.from(text)) },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)) },
    { weight: 1, arbitrary: brokenJson.map((text) => Buffer.from(text)) },
    { weight: 1, arbitrary: deep.map((text) => Buffer.from(text)) },
    { weight: 1, arbitrary: invalidUtf8 },
    { weight: 1, arbitrary: oversized },
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
  );
  /** A body and its Content-Type: mostly as a client means them, else any body under any type. */
  const payload: fc.Arbitrary<{ contentType: string | undefined; body: Buffer | undefined }> = fc.oneof(
    { weight: 2, arbitrary: fc.constant({ contentType: undefined, body: undefined }) },
    {
      weight: 3,
      arbitrary: fc.record({
        contentType: jsonType,
        body: fc.oneof(
          { weight: 4, arbitrary: jsonObject.map((text) => Buffer.from(text)) },
          { weight: 1, arbitrary: brokenJson.map((text) => Buffer.from(text)) },
          { weight: 1, arbitrary: deep.map((text) => Buffer.from(text)) },
          { weight: 1, arbitrary: invalidUtf8 },
          { weight: 1, arbitrary: oversized },
        ),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ contentType: formType, body: formText.map((text) => Buffer.from(text)) }),
    },
    {
      weight: 3,
      arbitrary: fc.record({ contentType: anyType, body: fc.option(anyBody, { nil: undefined }) }),
    },
  );
  const authorization = fc.option(
    fc.oneof(
      fc.constant(`APPCODE ${secrets.appcode}`),
      fc.constant(`appcode   ${secrets.appcode}  `),
      fc.constantFrom(
        'APPCODE',
        'APPCODE ',
        'Basic YWRtaW46YWRtaW4=',
        'Bearer x',
        `APPCODE ${secrets.apikey}`,
      ),
      headerText(60),
    ),
    { nil: undefined, freq: 3 },
  );
  const idempotencyKey = fc.option(
    fc.oneof(
      fc.constant('fuzz-reused-key'),
      headerText(40),
      fc.integer({ min: 100, max: 400 }).map((n) => 'k'.repeat(n)),
    ),
    { nil: undefined, freq: 3 },
  );
  const withToString = (request: FuzzRequest): FuzzRequest =>
    // Counterexamples are reported shortened: a 12 kB query string helps nobody.
    Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) });
  const header = (name: string, value: string | undefined): [string, string][] =>
    value === undefined ? [] : [[name, value]];

  /** Anything goes: every part drawn on its own. */
  const chaos = fc
    .record({
      method: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('GET', 'POST') },
        { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
      ),
      path,
      query,
      payload,
      authorization,
      idempotencyKey,
      chunked: fc.boolean(),
    })
    .map(({ payload: { contentType, body }, authorization: auth, idempotencyKey: key, ...rest }) =>
      withToString({
        ...rest,
        body,
        headers: [
          ...header('Content-Type', contentType),
          ...header('Authorization', auth),
          ...header('Idempotency-Key', key),
        ],
      }),
    );

  /**
   * A request as a client means it (valid key, a number in any spelling, the options of the
   * contract, parameters in the query, a form or JSON), with one part replaced by noise now and
   * then: this is what reaches the checks behind the parameters, billing and the answer formats.
   */
  const nearValid = fc
    .record({
      method: fc.constantFrom('GET', 'POST'),
      path: fc.constantFrom(...ENDPOINTS),
      apikey: fc.constantFrom(
        secrets.apikey,
        secrets.apikey,
        secrets.apikey,
        secrets.emptyApikey,
        secrets.deniedApikey,
        newSecret(),
      ),
      mobile: mobiles,
      list: fc.array(mobiles, { minLength: 1, maxLength: 30 }),
      options: fc.subarray([
        ['format', 'xml'],
        ['callback', 'cb'],
        ['ext', '1'],
        ['limit', '5'],
      ]),
      requestId: fc.option(anyText(20), { nil: undefined, freq: 2 }),
      carrier: fc.constantFrom('query', 'json', 'form'),
      noise: fc.option(pair, { nil: undefined, freq: 3 }),
      authorization,
      idempotencyKey,
      chunked: fc.boolean(),
    })
    .map(
      ({
        method,
        path: route,
        apikey,
        mobile,
        list,
        options,
        requestId,
        carrier,
        noise,
        authorization: auth,
        idempotencyKey: key,
        chunked,
      }) => {
        const batch = route === '/carrier/batch';
        const verb = batch ? 'POST' : method;
        const params: [string, string][] = [
          ['apikey', apikey],
          ...(batch
            ? ([['mobile', list.join(',')]] as [string, string][])
            : [['mobile', mobile] as [string, string]]),
          ...(options as [string, string][]),
          ...(requestId === undefined ? [] : ([['requestId', requestId]] as [string, string][])),
          ...(noise ? [noise] : []),
        ];
        const form = params.map(([n, v]) => `${percentEncode(n)}=${percentEncode(v)}`).join('&');
        const inQuery = carrier === 'query' || verb === 'GET';
        const json = JSON.stringify({ ...Object.fromEntries(params), ...(batch ? { mobiles: list } : {}) });
        return withToString({
          method: verb,
          path: route,
          query: inQuery ? form.slice(0, 12_000) : undefined,
          body: inQuery ? undefined : Buffer.from(carrier === 'json' ? json : form),
          chunked,
          headers: [
            ...header(
              'Content-Type',
              inQuery
                ? undefined
                : carrier === 'json'
                  ? 'application/json'
                  : 'application/x-www-form-urlencoded',
            ),
            ...header('Authorization', route === '/isp' ? `APPCODE ${secrets.appcode}` : auth),
            ...header('Idempotency-Key', key),
          ],
        });
      },
    );

  return fc.oneof({ weight: 1, arbitrary: nearValid }, { weight: 2, arbitrary: chaos });
}

// ---- what every answer must be

/** The answer's code, from JSON, JSONP or XML as the request asked. */
function answerCode(response: RawResponse): { code: number; body: unknown } {
  const type = response.headers.get('content-type') ?? '';
  const text = response.body.toString('utf8');
  if (type.startsWith('application/xml')) {
    const code = /^<\?xml[^>]*\?>\s*<response><code>(-?\d+)<\/code>/.exec(text)?.[1];
    if (code === undefined) throw new Error(`XML answer without a leading code: ${text.slice(0, 200)}`);
    return { code: Number(code), body: text };
  }
  if (type.startsWith('application/javascript')) {
    const json = /^\/\*\*\/ typeof [\w$.]+ === 'function' && [\w$.]+\(([\s\S]*)\);$/.exec(text)?.[1];
    if (json === undefined) throw new Error(`JSONP answer of an unexpected shape: ${text.slice(0, 200)}`);
    const body = JSON.parse(json) as { code: number };
    return { code: body.code, body };
  }
  expect(type).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { code: number };
  return { code: body.code, body };
}

function answerCodeOrNaN(response: RawResponse): number {
  try {
    return answerCode(response).code;
  } catch {
    return NaN;
  }
}

/** Every `code` in the answer, nested ones (batch results) included. */
function allCodes(body: unknown, codes: number[] = []): number[] {
  if (Array.isArray(body)) body.forEach((item) => allCodes(item, codes));
  else if (body !== null && typeof body === 'object') {
    for (const [key, value] of Object.entries(body)) {
      if (key === 'code' && typeof value === 'number') codes.push(value);
      else if (key === 'result') allCodes(value, codes);
    }
  }
  return codes;
}

/** Unknown path or method, yet HTTP 200 because the body failed to parse first. */
let unroutedParseErrors = 0;

const hasContentType = (request: FuzzRequest) => request.headers.some(([name]) => name === 'Content-Type');

function checkAnswer(request: FuzzRequest, response: RawResponse): void {
  expect(response.status, 'never a 5xx').toBeLessThan(500);
  expect(TRANSPORT_STATUSES, `status ${response.status} is not one of the contract's`).toContain(
    response.status,
  );
  if (request.method === 'HEAD') {
    expect(response.body.length).toBe(0);
    return;
  }
  const routed = ROUTES[request.path]?.includes(request.method) ?? false;
  if (routed) expect(response.status).not.toBe(404);
  // Fastify parses the body (and its Content-Type) before it knows the route is missing: an
  // unparsable body to an unknown path gets the error handler's HTTP 200 with code 1, not 404.
  else if (response.status === 200 && (request.body !== undefined || hasContentType(request)))
    unroutedParseErrors++;
  else expect([404, 413]).toContain(response.status);
  const { code, body } = answerCode(response);
  expect(DOCUMENTED_CODES.has(code), `code ${code} is documented`).toBe(true);
  if (response.status === 404 || response.status === 413 || !routed)
    expect(code).toBe(ResultCode.MissingParameter);
  expect(code === ResultCode.RateLimited, 'code -6 comes with HTTP 429, and only it').toBe(
    response.status === 429,
  );
  for (const inner of allCodes(body)) {
    expect(DOCUMENTED_CODES.has(inner), `nested code ${inner} is documented`).toBe(true);
    expect(inner, 'client input never causes a system error (-8)').not.toBe(ResultCode.SystemError);
  }
}

async function alive(server: TestServer): Promise<void> {
  const response = await fetch(`${server.url}/healthz`);
  expect(response.status).toBe(200);
}

describe('bad input never breaks the server', () => {
  let server: TestServer;
  let port: number;
  let account: Account;
  let secrets: Secrets;
  const INITIAL_BALANCE = 1_000_000_000;

  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      MNPD_BODY_LIMIT: String(BODY_LIMIT),
      // High enough that most answers go past the rate limit to the checks behind it.
      MNPD_DEFAULT_QPS: '100000',
      // Low, so that the trial's rate limit (-6, HTTP 429) is reached too.
      MNPD_TRIAL_QUOTA: '5',
    });
    port = Number(new URL(server.url).port);
    const created = await server.account({ name: 'fuzz', balance: INITIAL_BALANCE });
    account = created.account;
    const appcode = newSecret();
    await server.server.deps.store.createKey(
      account.id,
      'appcode',
      hashSecret(appcode),
      secretHint(appcode),
      'fuzz',
    );
    const empty = await server.account({ name: 'fuzz-empty', balance: 0 });
    const denied = await server.account({ name: 'fuzz-denied', balance: 100 });
    await server.server.deps.store.addIpRule(denied.account.id, '203.0.113.0/24');
    secrets = { apikey: created.apikey, appcode, emptyApikey: empty.apikey, deniedApikey: denied.apikey };
  });
  afterAll(async () => {
    await server?.close();
  });

  it(
    `answers ${RUNS} random malformed requests with a documented code, never a 5xx or -8`,
    { timeout: 60_000 },
    async () => {
      const statuses = new Map<number, number>();
      const codes = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(arbitraries(secrets), async (request) => {
          let response: RawResponse;
          try {
            response = await rawRequest(port, encodeRequest(request), request.method === 'HEAD');
          } catch (error) {
            throw new Error(`no answer to ${describeRequest(request)}: ${(error as Error).message}`);
          }
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (request.method !== 'HEAD') {
            const code = answerCodeOrNaN(response);
            codes.set(code, (codes.get(code) ?? 0) + 1);
          }
          try {
            checkAnswer(request, response);
          } catch (error) {
            throw new Error(
              `${(error as Error).message}\nrequest: ${describeRequest(request)}\n` +
                `answer: ${response.status} ${response.body.toString('utf8').slice(0, 300)}`,
            );
          }
          await alive(server);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      console.log(
        `fuzz: ${RUNS} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ` +
          `codes ${JSON.stringify(Object.fromEntries(codes))}, ` +
          `${unroutedParseErrors} unknown routes answered 200 for an unparsable body`,
      );

      // Still serving, and billing stayed exact through all of it.
      const answer = (await (
        await fetch(`${server.url}/carrier?apikey=${secrets.apikey}&mobile=13972565391`)
      ).json()) as { code: number };
      expect(answer.code).toBe(0);
      const store = server.server.deps.store;
      const after = (await store.getAccount(account.id))!;
      expect(await store.ledgerSum(account.id)).toBe(after.balance);
      // One code-0 row per charge; the uncharged answers about a number are logged beside them.
      let chargedRows = 0;
      for (let before: number | undefined, page; ; before = page.next!) {
        page = await store.queryLog(account.id, { limit: 1000, before, code: 0 });
        chargedRows += page.rows.length;
        if (page.next === null) break;
      }
      expect(chargedRows).toBe(INITIAL_BALANCE - after.balance);
    },
  );

  it('answers HTTP framing errors (below Fastify) with a 4xx, and lives on', async () => {
    const head = 'Host: 127.0.0.1\r\nConnection: close\r\n';
    const framing: [string, Buffer][] = [
      ['a space in the request target', Buffer.from(`GET /carrier?mobile=1 2 HTTP/1.1\r\n${head}\r\n`)],
      ['a control character in the target', Buffer.from(`GET /carrier?mobile=\x01 HTTP/1.1\r\n${head}\r\n`)],
      ['raw UTF-8 in the target', Buffer.from(`GET /carrier?mobile=手机 HTTP/1.1\r\n${head}\r\n`)],
      [
        'a request line over 16 kB',
        Buffer.from(`GET /carrier?x=${'a'.repeat(20_000)} HTTP/1.1\r\n${head}\r\n`),
      ],
      [
        'Content-Length and Transfer-Encoding together',
        Buffer.from(
          `POST /carrier HTTP/1.1\r\n${head}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
        ),
      ],
      [
        'a broken chunk size',
        Buffer.from(`POST /carrier HTTP/1.1\r\n${head}Transfer-Encoding: chunked\r\n\r\nzz\r\n`),
      ],
      ['a header without a colon', Buffer.from(`GET /carrier HTTP/1.1\r\n${head}Broken\r\n\r\n`)],
      ['no Host header', Buffer.from('GET /carrier HTTP/1.1\r\nConnection: close\r\n\r\n')],
      ['not HTTP at all', Buffer.from('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n', 'latin1')],
    ];
    for (const [label, bytes] of framing) {
      const response = await rawRequest(port, bytes, false);
      expect(response.status, label).toBeGreaterThanOrEqual(400);
      expect(response.status, label).toBeLessThan(500);
      await alive(server);
    }
  });

  // Fastify's router refuses a path with a broken percent escape before any handler; app.ts's
  // `frameworkErrors` still answers it with a code.
  it('answers a path with a broken percent escape with a code', async () => {
    const response = await rawRequest(
      port,
      Buffer.from(
        'GET /carrier%zz?mobile=13972565391 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
      ),
      false,
    );
    expect(response.status).toBeLessThan(500);
    expect(DOCUMENTED_CODES.has(answerCode(response).code)).toBe(true);
  });
});

// Faults only PostgreSQL can show (the property above runs on SQLite). A known bug is kept
// visible as `it.fails`: when it is fixed its test fails, and `it.fails` becomes `it`.
describe('PostgreSQL-only faults from client input', () => {
  const onPostgres = DATABASE_URL ? it : it.skip;
  if (!DATABASE_URL) console.log(`fuzz, PostgreSQL-only faults: skipped: ${POSTGRES_SKIP_REASON}`);
  let server: TestServer;
  let apikey: string;
  beforeAll(async () => {
    if (!DATABASE_URL) return;
    server = await startTestServer('postgres', { MNPD_DEFAULT_QPS: '100000' });
    ({ apikey } = await server.account({ name: 'pg-faults', balance: 100 }));
  });
  afterAll(async () => {
    await server?.close();
  });
  const code = async (path: string) =>
    ((await (await fetch(server.url + path)).json()) as { code: number }).code;

  // A NUL in a client's requestId cannot be stored in a PostgreSQL text column: it used to fail
  // the whole group-commit transaction, and every request committed with it, of any account, got
  // -8 (request-context.ts now drops control characters from client keys).
  onPostgres(
    'a requestId with a NUL character does not turn the answers batched with it into -8',
    async () => {
      const inJson = fetch(`${server.url}/carrier`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apikey, mobile: '13972565399', requestId: 'json\u0000key', ext: '1' }),
      }).then(async (response) => ((await response.json()) as { code: number }).code);
      const codes = await Promise.all([
        ...['a%00b', 'innocent-1', 'innocent-2'].map((requestId, i) =>
          code(`/carrier?apikey=${apikey}&mobile=1397256539${i}&requestId=${requestId}`),
        ),
        inJson,
      ]);
      expect(codes).toEqual([0, 0, 0, 0]);
    },
  );

  // PostgreSQL timestamps end at 4713 BC; /records refuses dates outside 1970–9999 as code 1.
  onPostgres('/records with a date before 4713 BC answers 1, not -8', async () => {
    expect(await code(`/records?apikey=${apikey}&from=-004714-01-01`)).toBe(ResultCode.MissingParameter);
    expect(await code(`/records?apikey=${apikey}&to=+275760-01-01`)).toBe(ResultCode.MissingParameter);
  });
});
