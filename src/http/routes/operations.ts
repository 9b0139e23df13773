import type { FastifyInstance } from 'fastify';
import { REASONS } from '../../core/result-codes.js';
import { LoginRefusedError } from '../../service/operators/logins.js';
import type { AppDeps } from '../app-deps.js';

/** Health, readiness, metrics and the operator's reload of the portability data. */
export function operationsRoutes(
  app: FastifyInstance,
  deps: Pick<AppDeps, 'storeHealth' | 'sources' | 'portability' | 'metrics' | 'logins' | 'segments'>,
): void {
  app.get('/healthz', { schema: { summary: 'The process is up' } }, async () => ({ status: 'ok' }));
  // Load balancers often probe with HEAD; the app has no automatic HEAD routes (they would charge).
  app.head('/healthz', { schema: { hide: true } }, async (_request, reply) => reply.code(200).send());

  app.get('/readyz', { schema: { summary: 'Store reachable and data loaded' } }, async (_request, reply) => {
    const store = await deps.storeHealth.readiness();
    if (!store.ready) {
      reply.log.warn({ err: store.error }, `store ${store.reason}`);
      return reply.code(503).send({ status: `store ${store.reason}` });
    }
    const { meta, index } = deps.portability.state;
    const inUse = deps.segments.inUse;
    return {
      status: 'ready',
      segments: {
        version: deps.sources.segments.version,
        count: deps.sources.segments.size,
        // The store's version in use (null: the server's own file or the embedded default).
        versionId: inUse.versionId,
        overrides: inUse.overrides,
      },
      ported: { version: meta.dataVersion, count: index.size, lastSeq: meta.lastSeq },
    };
  });

  app.get('/metrics', { schema: { summary: 'Prometheus metrics' } }, async (_request, reply) => {
    const { metrics } = deps;
    metrics.dataVersion.reset();
    metrics.dataVersion.set({ data: 'segments', version: deps.sources.segments.version }, 1);
    metrics.dataVersion.set({ data: 'ported', version: deps.portability.state.meta.dataVersion }, 1);
    metrics.portedNumbers.set(deps.portability.state.index.size);
    const inUse = deps.segments.inUse;
    metrics.segmentsVersion.reset();
    metrics.segmentsVersion.set(
      {
        version: inUse.versionId === null ? 'default' : String(inUse.versionId),
        data_version: inUse.dataVersion,
      },
      1,
    );
    metrics.segmentOverrides.set(inUse.overrides);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.post(
    '/admin/ported/reload',
    { schema: { summary: 'Operator (HTTP Basic): reload the portability snapshot' } },
    async (request, reply) => {
      const credentials = basicCredentials(request.headers.authorization);
      try {
        if (!credentials) throw new LoginRefusedError('bad_credentials');
        const user = await deps.logins.logIn(
          'operator',
          credentials.username,
          credentials.password,
          request.ip,
        );
        // A customer's own credentials log in as the customer: not an operator here.
        if (user.role !== 'operator') throw new LoginRefusedError('bad_credentials');
      } catch (error) {
        if (!(error instanceof LoginRefusedError)) throw error;
        if (error.reason === 'too_many_attempts') {
          const wait = error.retryAfterSeconds;
          return reply
            .code(429)
            .header('Retry-After', String(wait))
            .send({ code: -6, reason: REASONS[-6], retryAfterSeconds: wait });
        }
        return reply
          .code(401)
          .header('WWW-Authenticate', 'Basic realm="mnpd"')
          .send({ code: -1, reason: REASONS[-1] });
      }
      const { state } = await deps.portability.reload();
      return {
        code: 0,
        reason: REASONS[0],
        result: { version: state.meta.dataVersion, count: state.index.size, lastSeq: state.meta.lastSeq },
      };
    },
  );
}

function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
