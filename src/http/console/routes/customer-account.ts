import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance } from 'fastify';
import { ResultCode } from '../../../core/result-codes.js';
import {
  type AnswerStatsHour,
  MAX_PAGE_SIZE,
  type QueryLogFilter,
  type QueryLogRow,
  StoreError,
  type Store,
  type UsageHour,
} from '../../../store/store.js';
import { issueKey, keyView } from '../../../service/accounts/account-keys.js';
import type { AppDeps } from '../../app-deps.js';
import { maskIp, normaliseCidr } from '../../../service/queries/ip-rules.js';
import { errorBody } from '../../../service/queries/query-service.js';
import { ConsoleError } from '../console-error.js';
import { requireCustomer, sessionAccount } from '../guards.js';
import { bodyObject, hasControlCharacter, pathId, queryNumber } from '../request-input.js';
import {
  CHINA_OFFSET_MS,
  DAY_MS,
  chinaDay,
  chinaDayStart,
  dailyByCode,
  lastChinaDays,
} from '../../../service/accounts/usage-series.js';

/** Days of the overview's chart and of its rates. */
export const OVERVIEW_DAYS = 30;
/** Rows of one CSV export; a longer history is exported in date ranges. */
export const MAX_EXPORT_ROWS = 100_000;
/** Keys an account may have in use at once; a revoked key no longer counts. */
export const MAX_ACTIVE_KEYS = 20;
export const MAX_IP_RULES = 100;
const MAX_LABEL_LENGTH = 64;

/** The instant the China month holding `at` began. */
function chinaMonthStart(at: Date): Date {
  const [year, month] = chinaDay(at).split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, 1) - CHINA_OFFSET_MS);
}

interface Totals {
  answers: number;
  charged: number;
  ported: number;
}

function totalsSince(since: Date, stats: AnswerStatsHour[], usage: UsageHour[]): Totals {
  const after = (hour: Date) => hour.getTime() >= since.getTime();
  const sum = <T extends { hour: Date }>(rows: T[], value: (row: T) => number) =>
    rows.filter((row) => after(row.hour)).reduce((total, row) => total + value(row), 0);
  return {
    answers: sum(stats, (row) => row.answers),
    charged: sum(usage, (row) => row.queries),
    ported: sum(stats, (row) => row.ported),
  };
}

export async function overview(store: Store, accountId: number, now = new Date()) {
  const account = await sessionAccount(store, accountId);
  const days = lastChinaDays(now, OVERVIEW_DAYS);
  const monthStart = chinaMonthStart(now);
  const from = new Date(Math.min(days.from.getTime(), monthStart.getTime()));
  const [stats, usage] = await Promise.all([
    store.answerStats(accountId, from, days.to),
    store.usage(accountId, from, days.to),
  ]);
  const recent = stats.filter((row) => row.hour.getTime() >= days.from.getTime());
  const answers = recent.reduce((total, row) => total + row.answers, 0);
  const succeeded = recent.filter((row) => row.code === 0).reduce((total, row) => total + row.answers, 0);
  const ported = recent.reduce((total, row) => total + row.ported, 0);
  const threshold = account.lowBalanceThreshold;
  return {
    account: {
      name: account.name,
      feeType: account.feeType,
      balance: account.balance,
      creditLimit: account.creditLimit,
      lowBalanceThreshold: threshold,
      status: account.status,
    },
    lowBalance: threshold !== null && account.balance < threshold,
    today: totalsSince(chinaDayStart(now), stats, usage),
    month: totalsSince(monthStart, stats, usage),
    successRate: answers === 0 ? null : succeeded / answers,
    portedShare: succeeded === 0 ? null : ported / succeeded,
    daily: dailyByCode(recent, days.from, OVERVIEW_DAYS),
  };
}

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

function recordView(row: QueryLogRow & { id: number }) {
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
  };
}

const CSV_HEADER = [
  'id',
  'at',
  'mobile',
  'code',
  'res',
  'init_isp',
  'now_isp',
  'client_ip',
  'latency_ms',
  'request_id',
];

/** A request id is the client's own text: Excel must not run it as a formula (`=HYPERLINK(…)`). */
function inertCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** The BOM, the header, then the newest rows page by page, at most MAX_EXPORT_ROWS. */
async function* recordsCsv(store: Store, accountId: number, filter: QueryLogFilter): AsyncGenerator<string> {
  yield '\uFEFF' + stringify([CSV_HEADER]);
  let before = filter.before;
  let left = MAX_EXPORT_ROWS;
  while (left > 0) {
    const page = await store.queryLog(accountId, { ...filter, before, limit: Math.min(MAX_PAGE_SIZE, left) });
    if (page.rows.length === 0) return;
    yield stringify(
      page.rows.map((row) => [
        row.id,
        row.at.toISOString(),
        row.mobile,
        row.code,
        row.res ?? '',
        row.initIsp ?? '',
        row.nowIsp ?? '',
        row.clientIp,
        row.latencyMs,
        inertCell(row.requestId),
      ]),
    );
    left -= page.rows.length;
    if (page.next === null) return;
    before = page.next;
  }
}

function keyLabel(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' || value.length > MAX_LABEL_LENGTH || hasControlCharacter(value)) {
    throw new ConsoleError('bad_request', `label must be text of at most ${MAX_LABEL_LENGTH} characters`);
  }
  return value.trim();
}

/**
 * The customer's own account: usage overview, single queries (charged as the API charges), query
 * records and their export, keys and the IP whitelist. Everything is looked up within the
 * session's account: another account's id answers 404.
 */
export function customerAccountRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { store } = deps;

  app.get('/me/overview', async (request) => overview(store, requireCustomer(request).accountId));

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
    const { accountId } = requireCustomer(request);
    const body = bodyObject(request);
    const kind = body.kind;
    if (kind !== 'apikey' && kind !== 'appcode') {
      throw new ConsoleError('bad_request', "kind must be 'apikey' or 'appcode'");
    }
    const label = keyLabel(body.label);
    const active = (await store.listKeys(accountId)).filter((key) => key.revokedAt === null);
    if (active.length >= MAX_ACTIVE_KEYS) {
      throw new ConsoleError('conflict', `at most ${MAX_ACTIVE_KEYS} keys may be in use; revoke one first`);
    }
    const { key, secret } = await issueKey(store, accountId, kind, label);
    deps.keys.invalidate();
    return reply.code(201).send({ key: keyView(key), secret });
  });

  app.post('/me/keys/:id/revoke', async (request, reply) => {
    const { accountId } = requireCustomer(request);
    if (!(await store.revokeKey(accountId, pathId(request.params, 'key in use')))) {
      throw new ConsoleError('not_found', 'no such key in use');
    }
    deps.keys.invalidate();
    return reply.code(204).send();
  });

  app.get('/me/ip-rules', async (request) => {
    const rules = await store.listIpRules(requireCustomer(request).accountId);
    return rules.map((rule) => ({ id: rule.id, cidr: rule.cidr }));
  });

  app.post('/me/ip-rules', async (request, reply) => {
    const { accountId } = requireCustomer(request);
    const text = bodyObject(request).cidr;
    const cidr = typeof text === 'string' && text.length <= 100 ? normaliseCidr(text) : undefined;
    if (!cidr) throw new ConsoleError('invalid_cidr', 'not an IPv4/IPv6 address or CIDR');
    if ((await store.listIpRules(accountId)).length >= MAX_IP_RULES) {
      throw new ConsoleError('conflict', `at most ${MAX_IP_RULES} rules`);
    }
    try {
      const rule = await store.addIpRule(accountId, cidr);
      deps.keys.invalidate();
      return reply.code(201).send({ id: rule.id, cidr: rule.cidr });
    } catch (error) {
      if (error instanceof StoreError && error.code === 'duplicate') {
        throw new ConsoleError('conflict', `${cidr} is allowed already`);
      }
      throw error;
    }
  });

  app.delete('/me/ip-rules/:id', async (request, reply) => {
    const { accountId } = requireCustomer(request);
    const id = pathId(request.params, 'rule');
    const rule = (await store.listIpRules(accountId)).find((candidate) => candidate.id === id);
    if (!rule || !(await store.removeIpRule(accountId, rule.cidr))) {
      throw new ConsoleError('not_found', 'no such rule');
    }
    deps.keys.invalidate();
    return reply.code(204).send();
  });
}
