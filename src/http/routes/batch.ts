import type { FastifyInstance } from 'fastify';
import { REASONS, ResultCode } from '../../core/result-codes.js';
import { answerFormat } from '../answer-format.js';
import type { AppDeps } from '../app-deps.js';
import { requestParams } from '../params.js';
import { errorBody } from '../../core/seed-body.js';
import { REQUEST_ID_TOO_LONG, queryContext } from '../request-context.js';
import { respond } from '../respond.js';
import { authorizeRequest, refusalBody } from '../signed-requests.js';

/** Numbers in one batch request. */
export const MAX_BATCH_NUMBERS = 1000;

/**
 * A batch's numbers are idempotent one by one, under keys no single query can spell: single
 * queries' keys are `q:<key>`, a batch's numbers' `b:<index>:<key>`.
 */
export function batchItemKey(requestId: string, index: number): string {
  return `b:${index}:${requestId}`;
}

/** `mobiles` as a JSON array, or `mobile` separated by commas or newlines. */
function batchNumbers(raw: unknown, joined: string | undefined): unknown[] {
  if (Array.isArray(raw)) return raw;
  const text = typeof raw === 'string' ? raw : joined;
  return (text ?? '')
    .split(/[,，\r\n]+/)
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** `POST /carrier/batch`: up to 1000 numbers, one seed-shaped answer each, each code 0 charged. */
export function batchRoute(
  app: FastifyInstance,
  deps: Pick<AppDeps, 'query' | 'signatures' | 'metrics' | 'traffic'>,
): void {
  app.route({
    method: 'POST',
    url: '/carrier/batch',
    schema: {
      summary: `Up to ${MAX_BATCH_NUMBERS} numbers in one request: JSON {"apikey","mobiles":[…]} or form mobile=a,b,c`,
    },
    handler: async (request, reply) => {
      const params = requestParams(request);
      const format = answerFormat(params);
      if (!format)
        return respond(deps, reply, 'batch', { kind: 'json' }, errorBody(ResultCode.MissingParameter));
      const numbers = batchNumbers(params.raw('mobiles'), params.get('mobile'));
      if (numbers.length === 0)
        return respond(deps, reply, 'batch', format, errorBody(ResultCode.MissingParameter));
      if (numbers.length > MAX_BATCH_NUMBERS) {
        return respond(deps, reply, 'batch', format, {
          ...errorBody(ResultCode.MissingParameter),
          message: `at most ${MAX_BATCH_NUMBERS} numbers per batch, got ${numbers.length}`,
        });
      }
      const context = queryContext(request, params);
      if (!context) {
        const refusal = { ...errorBody(ResultCode.MissingParameter), message: REQUEST_ID_TOO_LONG };
        return respond(deps, reply, 'batch', format, refusal);
      }
      const auth = await authorizeRequest(deps, request, 'apikey', params.get('apikey'));
      if (!auth.ok) return respond(deps, reply, 'batch', format, refusalBody(auth));
      const payer = { account: auth.principal.account, keyId: auth.principal.key.id };
      // Each number is its own charge; a retried batch replays number by number.
      const results = await deps.query.answerMany(payer, numbers, (i) => ({
        ...context,
        requestId: `${context.requestId}#${i}`,
        idempotencyKey: context.idempotencyKey && batchItemKey(context.requestId, i),
      }));
      return respond(deps, reply, 'batch', format, { code: 0, reason: REASONS[0], result: results });
    },
  });
}
