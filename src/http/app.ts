import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { REASONS, ResultCode } from '../core/result-codes.js';
import { errorBody } from '../core/seed-body.js';
import { OverloadedError } from '../service/queries/query-service.js';
import type { AppDeps } from './app-deps.js';
import { consolePlugin } from './console/plugin.js';
import { maskUrl } from './log-masking.js';
import { readApiBodies, readJsonBodies } from './request-bodies.js';
import { balanceRoute } from './routes/balance.js';
import { batchRoute } from './routes/batch.js';
import { carrierRoute } from './routes/carrier.js';
import { ispRoute } from './routes/isp.js';
import { jobsRoutes } from './routes/jobs.js';
import { operationsRoutes } from './routes/operations.js';
import { trialRoute } from './routes/qxt-test.js';
import { recordsRoute } from './routes/records.js';

export type { AppDeps } from './app-deps.js';

export interface AppOptions {
  /** pino logger options, or false for none (tests). */
  logger?: boolean | object;
  https?: { cert: Buffer; key: Buffer };
}

/** Seconds an overloaded server asks a client to wait before trying again. */
export const OVERLOAD_RETRY_SECONDS = 1;
/** An overload is logged at most this often: under a flood one line a second says it all. */
const OVERLOAD_LOG_INTERVAL_MS = 1000;

/** True when the logger writes info lines (pino's does unless set higher; `logger: false` never). */
function writesInfo(log: FastifyBaseLogger): boolean {
  const pinoLog = log as { isLevelEnabled?: (level: string) => boolean };
  return pinoLog.isLevelEnabled?.('info') ?? false;
}

/** The console's bodies are JSON or uploads: anything else is read past and ignored. */
function ignoreOtherBodies(app: FastifyInstance): void {
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));
}

/** Fastify's settings: masked request logs, our request ids, limits, and codes below the contract. */
function serverOptions(deps: Pick<AppDeps, 'config'>, options: AppOptions): FastifyServerOptions {
  return {
    logger:
      options.logger === undefined || options.logger === true
        ? {
            serializers: {
              req: (request) => ({ method: request.method, url: maskUrl(request.url), ip: request.ip }),
            },
          }
        : options.logger,
    // Fastify's own request lines would carry whole query strings; onResponse logs a masked one.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    trustProxy: deps.config.trustedProxies.length > 0 ? deps.config.trustedProxies : false,
    bodyLimit: deps.config.bodyLimit,
    // A HEAD request would run the handler, and charge, for an answer nobody receives.
    exposeHeadRoutes: false,
    // The router refuses some URLs (a broken percent escape) before any handler runs.
    frameworkErrors: (error, _request, reply) => {
      const answer: FastifyReply = reply as unknown as FastifyReply;
      void answer
        .code(400)
        .send({ ...errorBody(ResultCode.MissingParameter), message: error.message.slice(0, 200) });
    },
    // Requests Node's HTTP parser cannot read never reach Fastify; they still get a code.
    clientErrorHandler: (_error, socket) => {
      if (!socket.writable) return;
      const body = JSON.stringify({
        ...errorBody(ResultCode.MissingParameter),
        message: 'malformed HTTP request',
      });
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
    ...(options.https ? { https: options.https } : {}),
  };
}

/** Every answer's latency in the metrics, and one masked log line per answer. */
function observeAnswers(app: FastifyInstance, deps: Pick<AppDeps, 'metrics'>): void {
  app.decorateRequest('startedAt', 0);
  app.addHook('onRequest', async (request) => {
    request.startedAt = performance.now();
  });
  app.addHook('onResponse', async (request, reply) => {
    const seconds = (performance.now() - request.startedAt) / 1000;
    deps.metrics.latency.observe({ endpoint: request.routeOptions.url ?? 'unknown' }, seconds);
    // Masking a URL costs a few regular expressions: only for a line that will be written.
    if (!writesInfo(request.log)) return;
    request.log.info(
      {
        method: request.method,
        url: maskUrl(request.url),
        status: reply.statusCode,
        ms: Math.round(seconds * 1000),
      },
      'answered',
    );
  });
}

/**
 * Errors as the contract answers them: a client's mistake is code 1 (413 for a body too large),
 * an overload is -8 with HTTP 503 and Retry-After (nothing was charged), anything else -8 with
 * the request id, logged with its stack; never a stack trace to the client.
 */
function answerErrors(app: FastifyInstance, deps: Pick<AppDeps, 'metrics'>): void {
  let overloadLoggedAt = 0;
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof OverloadedError) {
      deps.metrics.overloaded.inc();
      if (Date.now() - overloadLoggedAt >= OVERLOAD_LOG_INTERVAL_MS) {
        overloadLoggedAt = Date.now();
        request.log.warn('overloaded: charges are refused until the store catches up');
      }
      return reply
        .code(503)
        .header('Retry-After', String(OVERLOAD_RETRY_SECONDS))
        .send({ ...errorBody(ResultCode.SystemError), requestId: request.id });
    }
    const status = error.statusCode ?? 500;
    if (status === 413) {
      return reply
        .code(413)
        .send({ ...errorBody(ResultCode.MissingParameter), message: 'request body too large' });
    }
    if (status >= 400 && status < 500) {
      // Broken JSON, a bad encoding, a wrong content length: the parameters are missing.
      return reply
        .code(200)
        .send({ ...errorBody(ResultCode.MissingParameter), message: error.message.slice(0, 200) });
    }
    request.log.error({ err: error }, 'unexpected error');
    return reply.code(200).send({ ...errorBody(ResultCode.SystemError), requestId: request.id });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      ...errorBody(ResultCode.MissingParameter),
      message: `no such endpoint: ${request.method} ${request.url.split('?')[0].slice(0, 100)}`,
    }),
  );
}

/** The OpenAPI document at /openapi.json and its browsable form at /docs. */
async function documentApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'mnpd',
        version: '1',
        description:
          'Mobile number portability (携号转网) and carrier/area lookup, compatible with the qxt800 API. ' +
          'Answer codes: ' +
          Object.entries(REASONS)
            .map(([code, reason]) => `${code} ${reason}`)
            .join('; ') +
          '. Code -6 (HTTP 429) is our extension for rate limiting; -8 with HTTP 503 and Retry-After ' +
          'means the server is overloaded (nothing was charged).',
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

/**
 * The Fastify app: the seed's endpoints, ours, operations and the console. Every answer that
 * carries a code is HTTP 200 (429 when rate limited, 503 when overloaded); problems below the
 * contract (unknown path, oversized body) keep their HTTP status but still answer with a code, and
 * nothing a client sends gets a 5xx.
 */
export async function buildApp(deps: AppDeps, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify(serverOptions(deps, options)) as unknown as FastifyInstance;
  // Route schemas document the API (OpenAPI); they must not validate: `format=XML`, a repeated
  // parameter or an unlisted value gets the contract's answer, not a framework 400 turned code 1.
  app.setValidatorCompiler(() => () => true);
  observeAnswers(app, deps);
  answerErrors(app, deps);
  await app.register(formbody);
  ignoreOtherBodies(app);
  readJsonBodies(app);
  await documentApi(app);
  await app.register(async (api) => {
    readApiBodies(api);
    carrierRoute(api, deps);
    ispRoute(api, deps);
    balanceRoute(api, deps);
    batchRoute(api, deps);
    recordsRoute(api, deps);
    trialRoute(api, deps);
    operationsRoutes(api, deps);
    jobsRoutes(api, deps);
  });
  await consolePlugin(app, deps);
  return app;
}
