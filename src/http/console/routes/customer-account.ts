import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ResultCode } from '../../../core/result-codes.js';
import { errorBody } from '../../../core/seed-body.js';
import { MAX_PAGE_SIZE, type QueryLogFilter, type QueryLogRow } from '../../../store/store.js';
import { accountOverview } from '../../../service/accounts/overview.js';
import { recordsCsv } from '../../../service/accounts/records-export.js';
import { CHINA_OFFSET_MS, DAY_MS, chinaDay } from '../../../service/accounts/usage-series.js';
import { keyView } from '../../../service/accounts/views.js';
import { maskIp } from '../../../service/queries/ip-rules.js';
import type { QueryRecord } from '../../../wire/console-api.js';
import type { AppDeps } from '../../app-deps.js';
import { ConsoleError } from '../console-error.js';
import { customerActor, requireCustomer, sessionAccount } from '../guards.js';
import { bodyObject, pathId, queryNumber } from '../request-input.js';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T/;

/** A China day (`YYYY-MM-DD`: its start, or with `end` the next day's) or an ISO time. */
function filterDate(text: string, field: string, end: boolean): Date {
  const day = DAY.exec(text);
  let value: Date;
  if (day) {
    const [year, month, date] = [Number(day[1]), Number(day[2]), Number(day[3])];
    value = new Date(Date.UTC(year, month - 1, date) - CHINA_OFFSET_MS + (end ? DAY_MS : 0));
    // Date.UTC rolls 02-30 over into March: a day that does not exist is a mistake.
    if (chinaDay(new Date(value.getTime() - (end ? DAY_MS : 0))) !== text) value = new Date(NaN);
  } else {
    value = ISO_TIME.test(text) ? new Date(text) : new Date(NaN);
  }
  const year = value.getUTCFullYear();
  if (Number.isNaN(value.getTime()) || year < 1970 || year > 9999) {
    throw new ConsoleError('bad_request', `${field} must be a date (YYYY-MM-DD) or an ISO time`);
  }
  return value;
}

/** The records filters of a query string; `to` as a day includes that day. */
export function recordsFilter(query: unknown): QueryLogFilter {
  const params = (query ?? {}) as Record<string, unknown>;
  const filter: QueryLogFilter = {};
  const value = (field: string): string | undefined => {
    const text = params[field];
    if (text === undefined || text === '') return undefined;
    if (typeof text !== 'string') throw new ConsoleError('bad_request', `${field} is given twice`);
    return text;
  };
  const from = value('from');
  const to = value('to');
  const code = value('code');
  const mobile = value('mobile');
  const before = value('before');
  const limit = value('limit');
  if (from !== undefined) filter.from = filterDate(from, 'from', false);
  if (to !== undefined) filter.to = filterDate(to, 'to', true);
  if (code !== undefined) {
    if (!/^-?\d{1,3}$/.test(code)) throw new ConsoleError('bad_request', 'code must be a result code');
    filter.code = Number(code);
  }
  if (mobile !== undefined) {
    if (!/^\d{11}$/.test(mobile)) throw new ConsoleError('bad_request', 'mobile must be 11 digits');
    filter.mobile = mobile;
  }
  if (before !== undefined) filter.before = queryNumber('before', before, Number.MAX_SAFE_INTEGER);
  if (limit !== undefined) filter.limit = queryNumber('limit', limit, MAX_PAGE_SIZE);
  return filter;
}

function recordView(row: QueryLogRow & { id: number }): QueryRecord {
  return {
    id: row.id,
    at: row.at.toISOString(),
    mobile: row.mobile,
    code: row.code,
    res: row.res,
    initIsp: row.initIsp,
    nowIsp: row.nowIsp,
    clientIp: row.clientIp,
    latencyMs: row.latencyMs,
    requestId: row.requestId,
    source: row.source ?? null,
  };
}

/** Text a field may be given as, or undefined for anything else. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The customer's own account: usage overview, single queries (charged as the API charges), query
 * records and their export, keys and the IP whitelist. Everything is looked up within the
 * session's account: another account's id answers 404.
 */
export function customerAccountRoutes(
  app: FastifyInstance,
  deps: Pick<AppDeps, 'store' | 'accounts' | 'query'>,
): void {
  const { store } = deps;

  app.get('/me/overview', async (request) => accountOverview(store, requireCustomer(request).accountId));

  app.post('/me/query', async (request) => {
    const { accountId } = requireCustomer(request);
    const mobile = bodyObject(request).mobile;
    if (typeof mobile !== 'string' && typeof mobile !== 'number') {
      throw new ConsoleError('bad_request', 'mobile must be given');
    }
    const account = await sessionAccount(store, accountId);
    // As the API answers a suspended account's keys.
    if (account.status !== 'active') return errorBody(ResultCode.BadApiKey);
    return deps.query.answer({ account, keyId: null }, String(mobile), {
      ip: request.ip,
      maskedIp: maskIp(request.ip),
      requestId: request.id,
      // A click is a new question each time: no idempotency key, each answer is charged.
      idempotencyKey: null,
      ext: true,
      startedAt: request.startedAt,
    });
  });

  app.get('/me/records', async (request) => {
    const { accountId } = requireCustomer(request);
    const page = await store.queryLog(accountId, recordsFilter(request.query));
    return { rows: page.rows.map(recordView), next: page.next };
  });

  app.get('/me/records.csv', async (request, reply) => {
    const { accountId } = requireCustomer(request);
    // The export has its own limit, not a page's.
    const filter = { ...recordsFilter(request.query), limit: undefined };
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="records-${chinaDay(new Date())}.csv"`)
      .send(Readable.from(recordsCsv(store, accountId, filter)));
  });

  app.get('/me/keys', async (request) => {
    const keys = await store.listKeys(requireCustomer(request).accountId);
    return keys.map(keyView);
  });

  app.post('/me/keys', async (request, reply) => {
    const actor = customerActor(request);
    const body = bodyObject(request);
    const kind = body.kind;
    if (kind !== 'apikey' && kind !== 'appcode') {
      throw new ConsoleError('bad_request', "kind must be 'apikey' or 'appcode'");
    }
    if (body.label !== undefined && body.label !== null && typeof body.label !== 'string') {
      throw new ConsoleError('bad_request', 'label must be text');
    }
    const { key, secret } = await deps.accounts.issueKey(
      actor,
      actor.accountId,
      kind,
      text(body.label) ?? '',
    );
    return reply.code(201).send({ key: keyView(key), secret });
  });

  app.post('/me/keys/:id/revoke', async (request, reply) => {
    const actor = customerActor(request);
    await deps.accounts.revokeKey(actor, actor.accountId, pathId(request.params, 'key in use'));
    return reply.code(204).send();
  });

  app.get('/me/ip-rules', async (request) => {
    const rules = await store.listIpRules(requireCustomer(request).accountId);
    return rules.map((rule) => ({ id: rule.id, cidr: rule.cidr }));
  });

  app.post('/me/ip-rules', async (request, reply) => {
    const actor = customerActor(request);
    const cidr = text(bodyObject(request).cidr);
    if (cidr === undefined) throw new ConsoleError('invalid_cidr', 'not an IPv4/IPv6 address or CIDR');
    const rule = await deps.accounts.allowIp(actor, actor.accountId, cidr);
    return reply.code(201).send({ id: rule.id, cidr: rule.cidr });
  });

  app.delete('/me/ip-rules/:id', async (request, reply) => {
    const actor = customerActor(request);
    await deps.accounts.removeIpRule(actor, actor.accountId, pathId(request.params, 'rule'));
    return reply.code(204).send();
  });
}
