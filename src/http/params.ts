import type { FastifyRequest } from 'fastify';

/** Parameter values longer than this are cut: no contract field needs more. */
const MAX_PARAM_LENGTH = 64 * 1024;

function scalar(value: unknown, unwrap = true): string | undefined {
  // A repeated parameter (`mobile=a&mobile=b`) keeps its first value; a list of lists is no value.
  if (Array.isArray(value)) return unwrap ? scalar(value[0], false) : undefined;
  if (typeof value === 'string')
    return value.length > MAX_PARAM_LENGTH ? value.slice(0, MAX_PARAM_LENGTH) : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * The request's parameters from the query string and the body (form or JSON), body first as the
 * seed recommends POST. Repeated parameters keep their first value; values that are not text or
 * numbers (objects, null) count as missing. `raw` keeps body values as sent, for fields that may
 * legitimately be arrays (`mobiles`).
 */
export interface RequestParams {
  get(name: string): string | undefined;
  raw(name: string): unknown;
}

export function requestParams(request: FastifyRequest): RequestParams {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const body =
    request.body !== null && typeof request.body === 'object' && !Array.isArray(request.body)
      ? (request.body as Record<string, unknown>)
      : {};
  return {
    get: (name) => scalar(body[name]) ?? scalar(query[name]),
    raw: (name) => body[name] ?? query[name],
  };
}
