import type { FastifyInstance } from 'fastify';
import { REASONS } from '../../core/result-codes.js';
import type { AppDeps } from '../app-deps.js';
import { verifyPassword } from '../passwords.js';

/** Health, readiness, metrics and the operator's reload of the portability data. */
export function operationsRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/healthz', { schema: { summary: 'The process is up' } }, async () => ({ status: 'ok' }));
  // Load balancers often probe with HEAD; the app has no automatic HEAD routes (they would charge).
  app.head('/healthz', { schema: { hide: true } }, async (_request, reply) => reply.code(200).send());

  app.get('/readyz', { schema: { summary: 'Store reachable and data loaded' } }, async (_request, reply) => {
    try {
      await deps.store.ping();
    } catch (error) {
      reply.log.warn({ err: error }, 'store unreachable');
      return reply.code(503).send({ status: 'store unreachable' });
    }
    const { meta, index } = deps.ported.state;
    return {
      status: 'ready',
      segments: { version: deps.sources.segments.version, count: deps.sources.segments.size },
      ported: { version: meta.dataVersion, count: index.size, lastSeq: meta.lastSeq },
    };
  });

  app.get('/metrics', { schema: { summary: 'Prometheus metrics' } }, async (_request, reply) => {
    const { metrics } = deps;
    metrics.dataVersion.reset();
    metrics.dataVersion.set({ data: 'segments', version: deps.sources.segments.version }, 1);
    metrics.dataVersion.set({ data: 'ported', version: deps.ported.state.meta.dataVersion }, 1);
    metrics.portedNumbers.set(deps.ported.state.index.size);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.post(
    '/admin/ported/reload',
    { schema: { summary: 'Operator (HTTP Basic): reload the portability snapshot' } },
    async (request, reply) => {
      if (!(await operatorAuthorised(deps, request.headers.authorization))) {
        return reply
          .code(401)
          .header('WWW-Authenticate', 'Basic realm="mnpd"')
          .send({ code: -1, reason: REASONS[-1] });
      }
      const { state } = await deps.ported.reload();
      return {
        code: 0,
        reason: REASONS[0],
        result: { version: state.meta.dataVersion, count: state.index.size, lastSeq: state.meta.lastSeq },
      };
    },
  );
}

async function operatorAuthorised(deps: AppDeps, header: string | undefined): Promise<boolean> {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const operator = await deps.store.getOperator(decoded.slice(0, colon));
  return operator !== undefined && (await verifyPassword(decoded.slice(colon + 1), operator.passwordHash));
}
