/**
 * The one way the console talks to its server: same-origin fetch with the session cookie, JSON in
 * and out, the CSRF token on every change, and failures as ApiError with the server's code so pages
 * can say what went wrong in words.
 */
import { CONSOLE_ERROR_STATUS, type ConsoleErrorCode } from '../../wire/console-errors';

export type { ConsoleErrorCode } from '../../wire/console-errors';

export const API_BASE = `${import.meta.env.BASE_URL}api`;

/** `network`: no answer at all; `unexpected`: an answer that is not the console's error shape. */
export type ErrorCode = ConsoleErrorCode | 'network' | 'unexpected';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    /** The server's English detail; shown only as a secondary line. */
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${code}: ${detail}`);
    this.name = 'ApiError';
  }
}

let csrfToken = '';
let sessionLost: () => void = () => {};

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export function csrfHeaders(): Record<string, string> {
  return csrfToken ? { 'X-CSRF-Token': csrfToken } : {};
}

/** Called when the server says the session is gone, so the app can go back to the login page. */
export function onSessionLost(handler: () => void): void {
  sessionLost = handler;
}

export type Params = Record<string, string | number | null | undefined>;

/** A URL under the API with the non-empty params; also used for plain download links. */
export function apiUrl(path: string, params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const query = search.toString();
  return `${API_BASE}${path}${query ? `?${query}` : ''}`;
}

const KNOWN_CODES = new Set<string>(Object.keys(CONSOLE_ERROR_STATUS));

/** Turns an error body (`{"error":{"code","message",...}}`) into an ApiError. */
export function errorFromBody(status: number, body: unknown): ApiError {
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  if (error && typeof error.code === 'string' && KNOWN_CODES.has(error.code)) {
    const { code, message, ...extra } = error;
    return new ApiError(status, code as ConsoleErrorCode, String(message ?? ''), extra);
  }
  return new ApiError(status, status === 404 ? 'not_found' : 'unexpected', `HTTP ${status}`);
}

/** Hands an error to the session-lost handler when it means the session is gone. */
export function noteError(error: ApiError, path: string): void {
  if (error.code === 'not_logged_in' && path !== '/session') sessionLost();
}

async function send<T>(method: string, path: string, body?: unknown, params?: Params): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') Object.assign(headers, csrfHeaders());
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(apiUrl(path, params), {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    throw new ApiError(0, 'network', cause instanceof Error ? cause.message : 'network error');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const error = errorFromBody(response.status, parsed);
    noteError(error, path);
    throw error;
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string, params?: Params) => send<T>('GET', path, undefined, params),
  post: <T>(path: string, body: unknown = {}) => send<T>('POST', path, body),
  patch: <T>(path: string, body: unknown) => send<T>('PATCH', path, body),
  del: <T>(path: string) => send<T>('DELETE', path),
};
