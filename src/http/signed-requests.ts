import type { FastifyRequest } from 'fastify';
import { errorBody, type SeedBody } from '../core/seed-body.js';
import type { GatewayRequest, ParameterValue } from '../service/api-signatures/gateway-signature.js';
import { isFormRequest } from '../service/api-signatures/gateway-signature.js';
import type { Authorization } from '../service/queries/query-service.js';
import type { KeyKind } from '../store/store.js';
import type { AppDeps } from './app-deps.js';
import { rawBodyOf } from './raw-bodies.js';

/** A request is in the signature mode when it names an AppKey or carries a signature. */
export function isSignedRequest(request: FastifyRequest): boolean {
  return request.headers['x-ca-key'] !== undefined || request.headers['x-ca-signature'] !== undefined;
}

/** A body that was parsed but whose bytes were not kept: its MD5 can match nothing. */
const UNREADABLE_BODY = '\u0000the body was not kept';

/** The request as the signature covers it: the path as sent, decoded parameters, the body's bytes. */
export function gatewayRequestOf(request: FastifyRequest): GatewayRequest {
  const url = request.raw.url ?? request.url;
  const queryAt = url.indexOf('?');
  const form = isFormRequest({ headers: request.headers } as GatewayRequest);
  const body = request.body;
  return {
    method: request.method,
    path: queryAt < 0 ? url : url.slice(0, queryAt),
    query: (request.query ?? {}) as Record<string, ParameterValue>,
    form:
      form && body !== null && typeof body === 'object'
        ? (body as Record<string, ParameterValue>)
        : undefined,
    rawBody: form ? undefined : (rawBodyOf(request) ?? (body === undefined ? undefined : UNREADABLE_BODY)),
    headers: request.headers,
  };
}

/**
 * The key of a request, whichever way it comes: signed (`X-Ca-*` headers, checked by the
 * signature service), or the key `secret` of `kind` in clear (an account that takes signed
 * requests only refuses it). `requests` is what the rate limit counts.
 */
export function authorizeRequest(
  deps: Pick<AppDeps, 'query' | 'signatures'>,
  request: FastifyRequest,
  kind: KeyKind,
  secret: string | undefined,
  requests = 1,
): Promise<Authorization> {
  if (isSignedRequest(request))
    return deps.signatures.authorize(gatewayRequestOf(request), request.ip, requests);
  return deps.query.authorize(kind, secret, request.ip, requests);
}

/** A refusal's answer: its code, and its words when it has some. */
export function refusalBody(refusal: Extract<Authorization, { ok: false }>): SeedBody & { message?: string } {
  const body = errorBody(refusal.code);
  return refusal.message === undefined ? body : { ...body, message: refusal.message };
}
