import type { FastifyRequest } from 'fastify';
import type { RequestParams } from './params.js';
import { MAX_IDEMPOTENCY_KEY_LENGTH, type QueryContext } from './query-service.js';

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
 * server's own request id is used otherwise. Overlong keys are cut rather than trusted whole.
 */
export function queryContext(request: FastifyRequest, params: RequestParams): QueryContext {
  const header = request.headers['idempotency-key'];
  const clientKey = params.get('requestId') ?? (typeof header === 'string' ? header : undefined);
  const idempotencyKey = clientKey ? clientKey.slice(0, MAX_IDEMPOTENCY_KEY_LENGTH) : null;
  return {
    ip: request.ip,
    requestId: idempotencyKey ?? request.id,
    idempotencyKey,
    ext: truthy(params.get('ext')),
    startedAt: request.startedAt,
  };
}
