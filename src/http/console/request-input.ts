/**
 * Reading what a console request sends (JSON body fields, paging and ids in the URL), refusing
 * anything else with the console's errors: 400 for a malformed request, 404 for an id that cannot
 * name anything.
 */
import type { FastifyRequest } from 'fastify';
import { MAX_PAGE_SIZE, type PageOptions } from '../../store/store.js';
import { ConsoleError } from './console-error.js';

export type Body = Record<string, unknown>;

export function badRequest(message: string): ConsoleError {
  return new ConsoleError('bad_request', message);
}

/** The JSON object of a request body, or 400 (no body, an array, a form). */
export function bodyObject(request: FastifyRequest): Body {
  const body = request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('the body must be a JSON object');
  }
  return body as Body;
}

export function onlyFields(body: Body, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) throw badRequest(`unknown field ${unknown[0]}`);
}

export function readChoice<T extends string>(body: Body, name: string, choices: readonly T[]): T | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !choices.includes(value as T)) {
    throw badRequest(`${name} must be one of ${choices.join(', ')}`);
  }
  return value as T;
}

export function isWhole(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

/** undefined when absent, null for "none", else a whole number of at least `min`. */
export function readLimit(body: Body, name: string, min: number): number | null | undefined {
  const value = body[name];
  if (value === undefined || value === null) return value;
  if (!isWhole(value, min, Number.MAX_SAFE_INTEGER)) {
    throw badRequest(`${name} must be a whole number of at least ${min}, or null`);
  }
  return value;
}

export function readText(body: Body, name: string, max: number): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > max) {
    throw badRequest(`${name} must be text of at most ${max} characters`);
  }
  return value;
}

/** Names and labels are shown in pages and files: no line breaks, tabs or other controls. */
export function hasControlCharacter(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(text);
}

/** A query parameter holding a whole number from 1 to `max`; undefined when absent or empty. */
export function queryNumber(name: string, value: unknown, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!isWhole(number, 1, max)) throw badRequest(`${name} must be a whole number from 1 to ${max}`);
  return number;
}

/** `?before=&limit=` of a paged listing; 400 for anything but whole numbers in range. */
export function pageQuery(query: unknown): PageOptions {
  const { before, limit } = (query ?? {}) as Record<string, unknown>;
  return {
    before: queryNumber('before', before, Number.MAX_SAFE_INTEGER),
    limit: queryNumber('limit', limit, MAX_PAGE_SIZE),
  };
}

/** A path id; anything that is not one cannot name an object, so it is not found. */
export function pathId(params: unknown, what: string): number {
  const text = (params as { id?: string }).id ?? '';
  const id = /^\d{1,15}$/.test(text) ? Number(text) : 0;
  if (id < 1) throw new ConsoleError('not_found', `no such ${what}`);
  return id;
}
