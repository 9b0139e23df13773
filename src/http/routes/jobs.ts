/**
 * Bulk jobs over the API: `POST /jobs` submits up to 1,000,000 numbers (a JSON list or a file),
 * `GET /jobs` lists, `GET /jobs/{id}` follows one, `GET /jobs/{id}/results` streams its answers,
 * `DELETE /jobs/{id}` cancels. The same job service, runner, billing and limits as the console's
 * batch pages; the key is checked as /carrier checks it (key, account, IP rules, rate). A job is
 * found within the key's account only: another account's id is not found, and says nothing more.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { REASONS, ResultCode } from '../../core/result-codes.js';
import { errorBody } from '../../core/seed-body.js';
import { resultsCsv, resultsXlsx } from '../../service/batches/batch-export.js';
import { resultsJsonl } from '../../service/batches/results-jsonl.js';
import { ServiceError } from '../../service/service-error.js';
import type { BatchJob } from '../../store/store.js';
import type { AppDeps } from '../app-deps.js';
import { jobFileOf, readJobBodies } from '../job-bodies.js';
import { type RequestParams, requestParams } from '../params.js';
import { respond } from '../respond.js';
import { jobSchemas } from '../schemas-jobs.js';

type Deps = Pick<AppDeps, 'query' | 'batches' | 'metrics' | 'traffic' | 'config'>;

const JSON_FORMAT = { kind: 'json' } as const;
const RESULT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  jsonl: 'application/x-ndjson; charset=utf-8',
} as const;
/** Jobs per page of `GET /jobs`. */
const MAX_LIST_LIMIT = 100;

/** A refusal with code 1 and what was wrong. */
function missing(message: string) {
  return { ...errorBody(ResultCode.MissingParameter), message };
}

/** The service's refusals in the contract's codes: the client's mistakes are code 1. */
function refusalOf(error: ServiceError) {
  if (error.code === 'busy') return { ...errorBody(ResultCode.SystemError), message: error.message };
  if (error.code === 'account_suspended') return errorBody(ResultCode.BadApiKey);
  return missing(error.message);
}

/** The job id of the path; anything else names no job. */
function pathJobId(request: FastifyRequest): number | undefined {
  const text = (request.params as { id?: string }).id ?? '';
  const id = /^\d{1,15}$/.test(text) ? Number(text) : 0;
  return id >= 1 ? id : undefined;
}

/** `scheme://host` the client reached, for the results URL of its callback. */
function requestBase(request: FastifyRequest, deps: Deps): string {
  return deps.config.publicUrl ?? `${request.protocol}://${request.host}`;
}

/** A list as JSON `mobiles`, or as text separated by commas or newlines (a form). */
function mobilesOf(params: RequestParams): unknown[] | undefined {
  const raw = params.raw('mobiles') ?? params.raw('mobile');
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) return raw;
  if (typeof raw !== 'string') return [];
  return raw
    .split(/[,，\r\n]+/)
    .map((entry) => entry.trim())
    .filter(Boolean);
}

function optional(params: RequestParams, name: string): string | undefined {
  const value = params.get(name)?.trim();
  return value === '' ? undefined : value;
}

export function jobsRoutes(app: FastifyInstance, deps: Deps): void {
  const { batches } = deps;
  const send = <Body extends { code: number }>(reply: FastifyReply, body: Body) =>
    respond(deps, reply, 'jobs', JSON_FORMAT, body);

  /** The key's account, or the refusal already sent. */
  async function authorized(request: FastifyRequest, reply: FastifyReply, params: RequestParams) {
    const auth = await deps.query.authorize('apikey', params.get('apikey'), request.ip);
    if (!auth.ok) {
      send(reply, errorBody(auth.code));
      return undefined;
    }
    return auth.principal.account.id;
  }

  /** The account's job named by the path, or the 404 already sent. */
  async function ownJob(request: FastifyRequest, reply: FastifyReply, accountId: number) {
    const id = pathJobId(request);
    const job = id === undefined ? undefined : await batches.job(accountId, id).catch(notFoundAsUndefined);
    if (!job) {
      deps.metrics.requests.inc({ endpoint: 'jobs', code: String(ResultCode.MissingParameter) });
      void reply.code(404).send(missing('no such job for this apikey'));
    }
    return job;
  }

  app.register(async (scope) => {
    readJobBodies(scope);

    scope.post('/jobs', { schema: jobSchemas.submit }, async (request, reply) => {
      const params = requestParams(request);
      const accountId = await authorized(request, reply, params);
      if (accountId === undefined) return reply;
      const file = jobFileOf(request);
      const mobiles = mobilesOf(params);
      if (!file && (mobiles === undefined || mobiles.length === 0)) {
        return send(reply, missing('no numbers: send a JSON "mobiles" list or a .txt, .csv or .xlsx file'));
      }
      try {
        const { job, created } = await batches.submit(accountId, {
          file,
          mobiles,
          requestId: optional(params, 'requestId'),
          callbackUrl: optional(params, 'callbackUrl'),
          resultsBase: requestBase(request, deps),
        });
        return send(reply, {
          code: 0,
          reason: REASONS[0],
          result: {
            jobId: String(job.id),
            status: job.status,
            total: job.total,
            invalid: job.invalid,
            duplicates: job.duplicates,
            created,
          },
        });
      } catch (error) {
        if (error instanceof ServiceError) return send(reply, refusalOf(error));
        throw error;
      }
    });
  });

  app.get('/jobs', { schema: jobSchemas.list }, async (request, reply) => {
    const params = requestParams(request);
    const accountId = await authorized(request, reply, params);
    if (accountId === undefined) return reply;
    const limit = Number(params.get('limit') ?? 20);
    const before = params.get('before') === undefined ? undefined : Number(params.get('before'));
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      return send(reply, missing(`limit is a whole number from 1 to ${MAX_LIST_LIMIT}`));
    }
    if (before !== undefined && (!Number.isSafeInteger(before) || before < 1)) {
      return send(reply, missing('before is a job id'));
    }
    const { rows, next } = await batches.listJobs(accountId, { before, limit });
    const jobs = await Promise.all(rows.map((job) => batches.apiView(job)));
    return send(reply, {
      code: 0,
      reason: REASONS[0],
      result: { jobs, next: next === null ? null : String(next) },
    });
  });

  app.get('/jobs/:id', { schema: jobSchemas.status }, async (request, reply) => {
    const params = requestParams(request);
    const accountId = await authorized(request, reply, params);
    if (accountId === undefined) return reply;
    const job = await ownJob(request, reply, accountId);
    if (!job) return reply;
    return send(reply, { code: 0, reason: REASONS[0], result: await batches.apiView(job) });
  });

  app.delete('/jobs/:id', { schema: jobSchemas.cancel }, async (request, reply) => {
    const params = requestParams(request);
    const accountId = await authorized(request, reply, params);
    if (accountId === undefined) return reply;
    const job = await ownJob(request, reply, accountId);
    if (!job) return reply;
    try {
      const cancelled = await batches.cancel(accountId, job.id);
      const view = await batches.apiView(await batches.job(accountId, cancelled.id));
      return send(reply, { code: 0, reason: REASONS[0], result: view });
    } catch (error) {
      if (error instanceof ServiceError) return send(reply, refusalOf(error));
      throw error;
    }
  });

  app.get('/jobs/:id/results', { schema: jobSchemas.results }, async (request, reply) => {
    const params = requestParams(request);
    const format = (params.get('format') ?? 'csv').toLowerCase();
    if (!(format in RESULT_TYPES)) return send(reply, missing('format is csv, xlsx or jsonl'));
    const accountId = await authorized(request, reply, params);
    if (accountId === undefined) return reply;
    const job = await ownJob(request, reply, accountId);
    if (!job) return reply;
    deps.metrics.requests.inc({ endpoint: 'jobs', code: '0' });
    return resultsReply(reply, job, format as keyof typeof RESULT_TYPES).send(
      format === 'csv'
        ? resultsCsv(batches.results(accountId, job))
        : format === 'xlsx'
          ? resultsXlsx(batches.results(accountId, job))
          : resultsJsonl(batches.results(accountId, job)),
    );
  });
}

function resultsReply(reply: FastifyReply, job: BatchJob, format: keyof typeof RESULT_TYPES): FastifyReply {
  return reply
    .header('content-type', RESULT_TYPES[format])
    .header('content-disposition', `attachment; filename="job-${job.id}-results.${format}"`)
    .header('cache-control', 'no-store');
}

function notFoundAsUndefined(error: unknown): undefined {
  if (error instanceof ServiceError && error.code === 'not_found') return undefined;
  throw error;
}
