/**
 * Real HTTP calls to the console API as a logged-in browser makes them: the session cookie on
 * every request and the CSRF token on every change. Used by every console route test.
 */

export const CONSOLE_API = '/console/api';
const SESSION_COOKIE = 'mnpd_session';

export interface ConsoleAnswer {
  status: number;
  headers: Headers;
  /** The whole body as received. */
  body: Buffer;
  text(): string;
  /** The body parsed as JSON; throws when it is not JSON. */
  // Tests read bodies of many shapes; `any` by default keeps them short, `json<T>()` when it helps.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json<T = any>(): T;
}

export interface ConsoleClient {
  /** `mnpd_session=…`, as sent in the Cookie header ('' when not logged in). */
  cookie: string;
  csrfToken: string;
  /** Paths are relative to /console/api (`/me/overview`); a path starting with /console is used as is. */
  get(path: string, headers?: Record<string, string>): Promise<ConsoleAnswer>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<ConsoleAnswer>;
  patch(path: string, body?: unknown, headers?: Record<string, string>): Promise<ConsoleAnswer>;
  delete(path: string, headers?: Record<string, string>): Promise<ConsoleAnswer>;
  /** multipart/form-data: `extraFields` first (the way a form puts them before the file), then the file. */
  postFile(
    path: string,
    fieldName: string,
    fileName: string,
    content: Buffer | string,
    extraFields?: Record<string, string>,
  ): Promise<ConsoleAnswer>;
  /** Any request with the session's cookie and token (unless `headers` overrides them). */
  request(
    method: string,
    path: string,
    init?: { body?: string | FormData; headers?: Record<string, string> },
  ): Promise<ConsoleAnswer>;
}

function urlOf(baseUrl: string, path: string): string {
  return baseUrl + (path.startsWith('/console') ? path : CONSOLE_API + path);
}

async function answerOf(response: Response): Promise<ConsoleAnswer> {
  const body = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    headers: response.headers,
    body,
    text: () => body.toString('utf8'),
    json: () => JSON.parse(body.toString('utf8')),
  };
}

/** The `mnpd_session=value` pair of a response's Set-Cookie headers, or undefined. */
export function sessionCookieOf(headers: Headers): string | undefined {
  for (const line of headers.getSetCookie()) {
    const pair = line.split(';')[0].trim();
    if (pair.startsWith(`${SESSION_COOKIE}=`)) return pair;
  }
  return undefined;
}

/**
 * A client with the given cookie and token; `consoleClient(baseUrl)` is an anonymous browser. It
 * follows Set-Cookie for the session cookie, as a browser would; the token stays as given.
 */
export function consoleClient(baseUrl: string, cookie = '', csrfToken = ''): ConsoleClient {
  const client: ConsoleClient = {
    cookie,
    csrfToken,
    async request(method, path, init = {}) {
      const headers: Record<string, string> = {};
      if (client.cookie) headers.cookie = client.cookie;
      if (client.csrfToken) headers['x-csrf-token'] = client.csrfToken;
      const response = await fetch(urlOf(baseUrl, path), {
        method,
        redirect: 'manual',
        headers: { ...headers, ...init.headers },
        body: init.body,
      });
      // A cookie jar, as a browser keeps one: a renewed or cleared session cookie replaces ours.
      const renewed = sessionCookieOf(response.headers);
      if (renewed !== undefined) client.cookie = renewed === `${SESSION_COOKIE}=` ? '' : renewed;
      return answerOf(response);
    },
    get: (path, headers) => client.request('GET', path, { headers }),
    delete: (path, headers) => client.request('DELETE', path, { headers }),
    post: (path, body, headers) => client.request('POST', path, jsonInit(body, headers)),
    patch: (path, body, headers) => client.request('PATCH', path, jsonInit(body, headers)),
    postFile(path, fieldName, fileName, content, extraFields = {}) {
      const form = new FormData();
      for (const [name, value] of Object.entries(extraFields)) form.append(name, value);
      form.append(fieldName, new Blob([content]), fileName);
      return client.request('POST', path, { body: form });
    },
  };
  return client;
}

function jsonInit(
  body: unknown,
  headers: Record<string, string> = {},
): { body?: string; headers: Record<string, string> } {
  return body === undefined
    ? { headers }
    : { body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } };
}

/** POST /login as a browser does it; the raw answer, for tests of refusals. */
export function postLogin(
  baseUrl: string,
  role: 'customer' | 'operator',
  name: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<ConsoleAnswer> {
  return consoleClient(baseUrl).post('/login', { role, name, password }, headers);
}

async function login(
  baseUrl: string,
  role: 'customer' | 'operator',
  name: string,
  password: string,
): Promise<ConsoleClient> {
  const answer = await postLogin(baseUrl, role, name, password);
  const cookie = sessionCookieOf(answer.headers);
  if (answer.status !== 200 || !cookie) {
    throw new Error(`${role} login of ${name} answered ${answer.status}: ${answer.text()}`);
  }
  return consoleClient(baseUrl, cookie, answer.json<{ csrfToken: string }>().csrfToken);
}

/** Logs a customer in with its account name and console password; throws when refused. */
export function loginCustomer(baseUrl: string, name: string, password: string): Promise<ConsoleClient> {
  return login(baseUrl, 'customer', name, password);
}

/** Logs an operator in; throws when refused. */
export function loginOperator(baseUrl: string, username: string, password: string): Promise<ConsoleClient> {
  return login(baseUrl, 'operator', username, password);
}
