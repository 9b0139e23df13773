import type { FastifyInstance } from 'fastify';
import { ResultCode } from '../../core/result-codes.js';
import { answerFormat } from '../answer-format.js';
import type { AppDeps } from '../app-deps.js';
import { requestParams } from '../params.js';
import { errorBody } from '../../core/seed-body.js';
import { REQUEST_ID_TOO_LONG, queryContext } from '../request-context.js';
import { respond } from '../respond.js';
import { authorizeRequest, refusalBody } from '../signed-requests.js';
import { lookupQuerySchema } from '../schemas.js';

export const blank = (value: string | undefined): boolean => value === undefined || value.trim() === '';

/** `/carrier?apikey=&mobile=`: the seed's query, charged one query per code-0 answer. */
export function carrierRoute(
  app: FastifyInstance,
  deps: Pick<AppDeps, 'query' | 'signatures' | 'metrics' | 'traffic'>,
): void {
  app.route({
    method: ['GET', 'POST'],
    url: '/carrier',
    schema: lookupQuerySchema('Look a number up: portability, current carrier, area', true),
    handler: async (request, reply) => {
      const params = requestParams(request);
      const format = answerFormat(params);
      if (!format)
        return respond(deps, reply, 'carrier', { kind: 'json' }, errorBody(ResultCode.MissingParameter));
      const mobile = params.get('mobile');
      if (blank(mobile))
        return respond(deps, reply, 'carrier', format, errorBody(ResultCode.MissingParameter));
      const context = queryContext(request, params);
      if (!context) {
        const refusal = { ...errorBody(ResultCode.MissingParameter), message: REQUEST_ID_TOO_LONG };
        return respond(deps, reply, 'carrier', format, refusal);
      }
      const auth = await authorizeRequest(deps, request, 'apikey', params.get('apikey'));
      if (!auth.ok) return respond(deps, reply, 'carrier', format, refusalBody(auth));
      const body = await deps.query.answer(
        { account: auth.principal.account, keyId: auth.principal.key.id },
        mobile,
        context,
      );
      return respond(deps, reply, 'carrier', format, body);
    },
  });
}
