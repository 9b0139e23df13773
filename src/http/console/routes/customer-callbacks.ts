/**
 * The customer's job callbacks in the console: rotate the callback secret (shown once), and see a
 * job's callback with every attempt. A job is looked up within the session's account only.
 */
import type { FastifyInstance } from 'fastify';
import { rotateCallbackSecret } from '../../../service/callbacks/callback-secrets.js';
import type { BatchCallbackView } from '../../../wire/console-api.js';
import type { AppDeps } from '../../app-deps.js';
import { customerActor, requireCustomer } from '../guards.js';
import { pathId } from '../request-input.js';

export function customerCallbackRoutes(app: FastifyInstance, deps: Pick<AppDeps, 'batches' | 'store'>): void {
  app.get('/me/callback-secret', async (request) => {
    const { accountId } = requireCustomer(request);
    return { configured: (await deps.store.callbackSecret(accountId)) !== null };
  });

  app.post('/me/callback-secret', async (request) => {
    const actor = customerActor(request);
    return { secret: await rotateCallbackSecret(deps.store, actor, actor.accountId) };
  });

  app.get('/me/batches/:id/callback', async (request): Promise<{ callback: BatchCallbackView | null }> => {
    const { accountId } = requireCustomer(request);
    const job = await deps.batches.job(accountId, pathId(request.params, 'batch job'));
    const history = await deps.batches.callbacks(accountId, job.id);
    if (!history) return { callback: null };
    const { delivery, attempts } = history;
    return {
      callback: {
        eventId: delivery.eventId,
        url: delivery.url,
        status: delivery.status,
        nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
        attempts: attempts.map((attempt) => ({
          ...attempt,
          startedAt: attempt.startedAt.toISOString(),
          nextAttemptAt: attempt.nextAttemptAt?.toISOString() ?? null,
        })),
      },
    };
  });
}
