import type { FastifyInstance } from 'fastify';
import { REASONS, ResultCode } from '../../core/result-codes.js';
import { MAX_PAGE_SIZE } from '../../store/store.js';
import { answerFormat } from '../answer-format.js';
import type { AppDeps } from '../app-deps.js';
import { requestParams } from '../params.js';
import { errorBody } from '../../core/seed-body.js';
import { respond } from '../respond.js';

function positiveInteger(text: string | undefined, max: number): number | null | undefined {
  if (text === undefined || text === '') return undefined;
  return /^\d{1,15}$/.test(text) && Number(text) >= 1 && Number(text) <= max ? Number(text) : null;
}

/** Query-log times lie within these years; outside them a date is a mistake (and PostgreSQL's range ends). */
const FIRST_YEAR = 1970;
const LAST_YEAR = 9999;

function date(text: string | undefined): Date | null | undefined {
  if (text === undefined || text === '') return undefined;
  const value = new Date(text);
  const year = value.getUTCFullYear();
  return Number.isNaN(value.getTime()) || year < FIRST_YEAR || year > LAST_YEAR ? null : value;
}

/** `/records?apikey=`: the customer's own query log, newest first, `before` pages back. */
export function recordsRoute(
  app: FastifyInstance,
  deps: Pick<AppDeps, 'query' | 'store' | 'metrics' | 'traffic'>,
): void {
  app.route({
    method: ['GET', 'POST'],
    url: '/records',
    schema: {
      summary: 'The key owner’s query log, newest first',
      querystring: {
        type: 'object',
        properties: {
          apikey: { type: 'string' },
          limit: { type: 'string', description: `rows per page, 1–${MAX_PAGE_SIZE} (default 50)` },
          before: { type: 'string', description: 'the `next` of the previous page' },
          from: { type: 'string', description: 'ISO date or time, inclusive' },
          to: { type: 'string', description: 'ISO date or time, exclusive' },
        },
      },
    },
    handler: async (request, reply) => {
      const params = requestParams(request);
      const format = answerFormat(params);
      if (!format)
        return respond(deps, reply, 'records', { kind: 'json' }, errorBody(ResultCode.MissingParameter));
      const limit = positiveInteger(params.get('limit'), MAX_PAGE_SIZE);
      const before = positiveInteger(params.get('before'), Number.MAX_SAFE_INTEGER);
      const from = date(params.get('from'));
      const to = date(params.get('to'));
      if (limit === null || before === null || from === null || to === null) {
        const message =
          limit === null
            ? `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`
            : before === null
              ? 'before must be the next of a page'
              : 'from and to must be ISO dates or times';
        return respond(deps, reply, 'records', format, {
          ...errorBody(ResultCode.MissingParameter),
          message,
        });
      }
      const auth = await deps.query.authorize('apikey', params.get('apikey'), request.ip);
      if (!auth.ok) return respond(deps, reply, 'records', format, errorBody(auth.code));
      const page = await deps.store.queryLog(auth.principal.account.id, { limit, before, from, to });
      const rows = page.rows.map((row) => ({
        id: row.id,
        time: row.at.toISOString(),
        mobile: row.mobile,
        code: row.code,
        res: row.res,
        Init_isp: row.initIsp,
        Now_isp: row.nowIsp,
        clientIp: row.clientIp,
        latencyMs: row.latencyMs,
        requestId: row.requestId,
        source: row.source ?? null,
      }));
      return respond(deps, reply, 'records', format, {
        code: 0,
        reason: REASONS[0],
        result: { rows, next: page.next },
      });
    },
  });
}
