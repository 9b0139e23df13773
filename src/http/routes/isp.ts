import type { FastifyInstance } from 'fastify';
import { ResultCode } from '../../core/result-codes.js';
import { answerFormat } from '../answer-format.js';
import type { AppDeps } from '../app-deps.js';
import { requestParams } from '../params.js';
import { errorBody } from '../../core/seed-body.js';
import { REQUEST_ID_TOO_LONG, queryContext } from '../request-context.js';
import { respond } from '../respond.js';
import { authorizeRequest, isSignedRequest, refusalBody } from '../signed-requests.js';
import { lookupQuerySchema } from '../schemas.js';
import { blank } from './carrier.js';

const APPCODE = /^APPCODE\s+(\S+)\s*$/i;

/** `/isp?mobile=` with `Authorization: APPCODE <code>`: the Aliyun-market variant of /carrier. */
export function ispRoute(
  app: FastifyInstance,
  deps: Pick<AppDeps, 'query' | 'signatures' | 'metrics' | 'traffic'>,
): void {
  app.route({
    method: ['GET', 'POST'],
    url: '/isp',
    schema: lookupQuerySchema('The same answer as /carrier, authorised by an APPCODE header', false),
    handler: async (request, reply) => {
      const params = requestParams(request);
      const format = answerFormat(params);
      if (!format)
        return respond(deps, reply, 'isp', { kind: 'json' }, errorBody(ResultCode.MissingParameter));
      const appcode = APPCODE.exec(request.headers.authorization ?? '')?.[1];
      const mobile = params.get('mobile');
      const signed = isSignedRequest(request);
      if ((!appcode && !signed) || blank(mobile))
        return respond(deps, reply, 'isp', format, errorBody(ResultCode.MissingParameter));
      const context = queryContext(request, params);
      if (!context) {
        const refusal = { ...errorBody(ResultCode.MissingParameter), message: REQUEST_ID_TOO_LONG };
        return respond(deps, reply, 'isp', format, refusal);
      }
      const auth = await authorizeRequest(deps, request, 'appcode', appcode);
      if (!auth.ok) return respond(deps, reply, 'isp', format, refusalBody(auth));
      const body = await deps.query.answer(
        { account: auth.principal.account, keyId: auth.principal.key.id },
        mobile,
        context,
      );
      return respond(deps, reply, 'isp', format, body);
    },
  });
}
