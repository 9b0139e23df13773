import type { FastifyRequest } from 'fastify';
import { maskIp } from '../service/queries/ip-rules.js';
import type { RequestParams } from './params.js';
import { MAX_IDEMPOTENCY_KEY_LENGTH, type QueryContext } from '../service/queries/query-service.js';

/** requestStartedAt is set by the app's onRequest hook. */
declare module 'fastify' {
  interface FastifyRequest {
    startedAt: number;
  }
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes'].includes(value.toLowerCase());
}

/**
 * The client's requestId (parameter) or Idempotency-Key (header) names a query for retries; the
 * server's own request id is used otherwise. Undefined when the client's key is longer than
 * MAX_IDEMPOTENCY_KEY_LENGTH: cut short, two different keys could name one query.
 */
export function queryContext(request: FastifyRequest, params: RequestParams): QueryContext | undefined {
  const header = request.headers['idempotency-key'];
  // An empty requestId (a client template with nothing filled in) leaves the header in charge.
  const clientKey = params.get('requestId') || (typeof header === 'string' ? header : undefined);
  // Control characters (NUL above all: PostgreSQL text refuses it) carry no meaning in a key.
  // eslint-disable-next-line no-control-regex
  const key = clientKey?.replace(/[\u0000-\u001f\u007f]/g, '') || null;
  if (key !== null && key.length > MAX_IDEMPOTENCY_KEY_LENGTH) return undefined;
  return {
    ip: request.ip,
    maskedIp: maskIp(request.ip),
    requestId: key ?? request.id,
    // Namespaced so that no single-query key can name one number of a batch (see batchItemKey).
    idempotencyKey: key && `q:${key}`,
    ext: truthy(params.get('ext')),
    startedAt: request.startedAt,
  };
}

/** The code-1 answer to a requestId too long to be one. */
export const REQUEST_ID_TOO_LONG = `requestId (or Idempotency-Key) is longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`;
