import type { FastifyInstance } from 'fastify';
import { REASONS, ResultCode } from '../../core/result-codes.js';
import { answerFormat } from '../answer-format.js';
import type { AppDeps } from '../app-deps.js';
import { requestParams } from '../params.js';
import { errorBody } from '../../core/seed-body.js';
import { respond } from '../respond.js';
import { authorizeRequest, refusalBody } from '../signed-requests.js';
import { keyOnlySchema } from '../schemas.js';

/** `/balance?apikey=`: fee type and queries left (a string, as the seed sends it). */
export function balanceRoute(
  app: FastifyInstance,
  deps: Pick<AppDeps, 'query' | 'signatures' | 'store' | 'metrics' | 'traffic'>,
): void {
  app.route({
    method: ['GET', 'POST'],
    url: '/balance',
    schema: keyOnlySchema('Fee type and the number of queries left'),
    handler: async (request, reply) => {
      const params = requestParams(request);
      const format = answerFormat(params);
      if (!format)
        return respond(deps, reply, 'balance', { kind: 'json' }, errorBody(ResultCode.MissingParameter));
      const auth = await authorizeRequest(deps, request, 'apikey', params.get('apikey'));
      if (!auth.ok) return respond(deps, reply, 'balance', format, refusalBody(auth));
      // The cached account may be seconds old; a balance must be exact.
      const account = await deps.store.getAccount(auth.principal.account.id);
      if (!account) return respond(deps, reply, 'balance', format, errorBody(ResultCode.BadApiKey));
      return respond(deps, reply, 'balance', format, {
        code: 0,
        reason: REASONS[0],
        result: {
          feeType: account.feeType === 'prepaid' ? '预付费' : '后付费',
          balance: String(account.balance),
        },
      });
    },
  });
}
