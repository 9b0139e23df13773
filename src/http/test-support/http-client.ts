import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { runInNewContext } from 'node:vm';

/**
 * Real HTTP calls for the route tests: every request goes over a socket to a started server, and
 * every answer is read back whole (status, content type, text and the parsed body).
 */

/** An answer that carries a code, as every API endpoint sends it. */
export interface CodeBody {
  code: number;
  reason: string;
  message?: string;
  result?: unknown;
}

/** The seed's `result` of a lookup. */
export interface SeedResult {
  res: string;
  Mobile: string;
  Area: string;
  Init_isp: string;
  Now_isp: string;
}

export interface LookupBody extends CodeBody {
  result?: SeedResult & Record<string, unknown>;
}

export interface BatchBody extends CodeBody {
  result?: LookupBody[];
}

export interface RecordRow {
  id: number;
  time: string;
  mobile: string;
  code: number;
  res: string | null;
  Init_isp: string | null;
  Now_isp: string | null;
  clientIp: string;
  latencyMs: number;
  requestId: string;
  source: string | null;
}

export interface RecordsBody extends CodeBody {
  result?: { rows: RecordRow[]; next: number | null };
}

export interface BalanceBody extends CodeBody {
  result?: { feeType: string; balance: string };
}

export interface Answer<Body = CodeBody> {
  status: number;
  contentType: string | null;
  headers: Headers;
  text: string;
  /** The text parsed as JSON; throws on access when it is not JSON. */
  readonly body: Body;
}

export type Params = Record<string, string>;

function answerOf<Body>(response: Response, text: string): Answer<Body> {
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    headers: response.headers,
    text,
    get body(): Body {
      return JSON.parse(text) as Body;
    },
  };
}

export function withQuery(path: string, query: Params = {}): string {
  const search = new URLSearchParams(query).toString();
  return search === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${search}`;
}

export async function request<Body = CodeBody>(
  base: string,
  path: string,
  init: RequestInit = {},
): Promise<Answer<Body>> {
  const response = await fetch(base + path, { redirect: 'manual', ...init });
  return answerOf<Body>(response, await response.text());
}

/** GET with a query string. */
export function get<Body = CodeBody>(
  base: string,
  path: string,
  query: Params = {},
  headers: Record<string, string> = {},
): Promise<Answer<Body>> {
  return request<Body>(base, withQuery(path, query), { headers });
}

/** POST `application/x-www-form-urlencoded`. */
export function postForm<Body = CodeBody>(
  base: string,
  path: string,
  form: Params | string,
  query: Params = {},
  headers: Record<string, string> = {},
): Promise<Answer<Body>> {
  return request<Body>(base, withQuery(path, query), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
  });
}

/** POST `application/json`. */
export function postJson<Body = CodeBody>(
  base: string,
  path: string,
  json: unknown,
  query: Params = {},
  headers: Record<string, string> = {},
): Promise<Answer<Body>> {
  return request<Body>(base, withQuery(path, query), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(json),
  });
}

/** XML answers read back with every value as text, so nothing is guessed. */
const xmlParser = new XMLParser({ parseTagValue: false, ignoreDeclaration: true });

export function parseXml(text: string): unknown {
  return xmlParser.parse(text);
}

/**
 * Whether an answer is well-formed XML 1.0 a strict parser reads: a structure that validates,
 * and only characters the Char production allows (fast-xml-parser's validator does not look).
 */
export function isWellFormedXml(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  const notXml = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
  return XMLValidator.validate(text) === true && !notXml.test(text);
}

/** Runs a JSONP answer in an empty context and returns what it passed to the callback. */
export function runJsonp(text: string, callback: string): unknown[] {
  const calls: unknown[] = [];
  runInNewContext(text, { [callback]: (value: unknown) => calls.push(value) }, { timeout: 1000 });
  return calls;
}

/** Runs `work` over `items` with at most `concurrency` at a time, keeping the results in order. */
export async function inPool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
