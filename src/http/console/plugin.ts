import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StoreError } from '../../store/store.js';
import { LoginRefusedError } from '../../service/operators/logins.js';
import { OverloadedError } from '../../service/queries/query-service.js';
import { type ServiceErrorCode, ServiceError } from '../../service/service-error.js';
import type { AppDeps } from '../app-deps.js';
import { type ConsoleErrorCode, ConsoleError } from './console-error.js';
import { adminAccountRoutes } from './routes/admin-accounts.js';
import { adminDataRoutes } from './routes/admin-data.js';
import { adminSegmentRoutes } from './routes/admin-segments.js';
import { adminSystemRoutes } from './routes/admin-system.js';
import { adminUpstreamRoutes } from './routes/admin-upstreams.js';
import { authRoutes } from './routes/auth.js';
import { customerAccountRoutes } from './routes/customer-account.js';
import { customerBatchRoutes } from './routes/customer-batches.js';
import { customerCallbackRoutes } from './routes/customer-callbacks.js';
import { checkCsrf, loadSession } from './session.js';
import { consoleStatic } from './static.js';

export const CONSOLE_API_PREFIX = '/console/api';
/** The largest upload (a batch file); a route may ask for less, or more, per call. */
export const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

/** The store's refusals of the caller's input: routes let them through to be answered here. */
const STORE_ERRORS = { not_found: 'not_found', duplicate: 'conflict', invalid: 'bad_request' } as const;

/** The application's refusals, each with the console's code for it. */
const SERVICE_ERRORS: Record<ServiceErrorCode, ConsoleErrorCode> = {
  invalid: 'bad_request',
  invalid_cidr: 'invalid_cidr',
  weak_password: 'weak_password',
  invalid_file: 'invalid_file',
  too_large: 'payload_too_large',
  too_many_numbers: 'too_many_numbers',
  not_found: 'not_found',
  conflict: 'conflict',
  account_suspended: 'account_suspended',
  busy: 'busy',
};

function consoleErrorOf(error: FastifyError | Error): ConsoleError | undefined {
  if (error instanceof ConsoleError) return error;
  if (error instanceof ServiceError)
    return new ConsoleError(SERVICE_ERRORS[error.code], error.message, error.details);
  if (error instanceof LoginRefusedError) {
    const extra = error.retryAfterSeconds > 0 ? { retryAfterSeconds: error.retryAfterSeconds } : {};
    return new ConsoleError(error.reason, error.message, extra);
  }
  if (error instanceof OverloadedError)
    return new ConsoleError('overloaded', 'the server is busy; try again in a moment');
  if (error instanceof StoreError) return new ConsoleError(STORE_ERRORS[error.code], error.message);
  const status = (error as FastifyError).statusCode ?? 500;
  // Body too large, upload over its limit, too many files or fields.
  if (status === 413) return new ConsoleError('payload_too_large', error.message.slice(0, 200));
  // Broken JSON, a wrong content type, a failed schema: the request is wrong, not the server.
  if (status >= 400 && status < 500) return new ConsoleError('bad_request', error.message.slice(0, 200));
  return undefined;
}

function answerError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  const known = consoleErrorOf(error);
  if (known) return reply.code(known.statusCode).send(known.body());
  request.log.error({ err: error }, 'console: unexpected error');
  return reply.code(500).send({
    error: { code: 'internal', message: 'unexpected error', requestId: request.id },
  });
}

/**
 * The web console: its JSON API under /console/api (its own cookie, sessions, CSRF check, errors
 * and 404s: nothing of the seed's code-1 answers) and its pages under /console/.
 */
export async function consolePlugin(
  app: FastifyInstance,
  deps: AppDeps,
  options: { staticRoot?: string } = {},
): Promise<void> {
  await app.register(
    async (api) => {
      await api.register(cookie);
      // Registered here, the multipart parser takes precedence over the app's catch-all parser.
      await api.register(multipart, {
        limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 20, parts: 21 },
      });
      api.decorateRequest('consoleUser', null);
      api.setErrorHandler(answerError);
      api.setNotFoundHandler((request, reply) =>
        reply.code(404).send(new ConsoleError('not_found', 'no such API path').body()),
      );
      api.addHook('onRequest', (request, reply) => loadSession(deps.store, request, reply));
      api.addHook('onRequest', async (request) => checkCsrf(request));
      api.addHook('onSend', async (_request, reply) => {
        reply.header('x-content-type-options', 'nosniff');
        if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      });

      authRoutes(api, deps);
      customerAccountRoutes(api, deps);
      customerBatchRoutes(api, deps);
      customerCallbackRoutes(api, deps);
      adminAccountRoutes(api, deps);
      adminDataRoutes(api, deps);
      adminSegmentRoutes(api, deps);
      adminSystemRoutes(api, deps);
      adminUpstreamRoutes(api, deps);
      // Without it, /console/* (the pages) would answer unknown API paths with index.html.
      api.all('/*', async () => {
        throw new ConsoleError('not_found', 'no such API path');
      });
    },
    { prefix: CONSOLE_API_PREFIX },
  );
  await consoleStatic(app, { root: options.staticRoot });
}
