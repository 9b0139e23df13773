import type { FastifyInstance } from 'fastify';
import { keyView } from '../../../service/accounts/views.js';
import type { ApiKey } from '../../../wire/console-api.js';
import type { AppDeps } from '../../app-deps.js';
import { ConsoleError } from '../console-error.js';
import { customerActor, requireCustomer } from '../guards.js';
import { bodyObject } from '../request-input.js';

/**
 * The customer's signed requests: keys issued as AppKey/AppSecret pairs (the AppSecret shown once)
 * and the account's choice to take signed requests only.
 */
export function customerSignatureRoutes(
  app: FastifyInstance,
  deps: Pick<AppDeps, 'store' | 'signingKeys'>,
): void {
  app.get('/me/signatures', async (request) => {
    const { accountId } = requireCustomer(request);
    const [account, keys, appKeys] = await Promise.all([
      deps.store.getAccount(accountId),
      deps.store.listKeys(accountId),
      deps.store.appKeysOf(accountId),
    ]);
    const signed: ApiKey[] = keys
      .filter((key) => appKeys.has(key.id))
      .map((key) => ({ ...keyView(key), appKey: appKeys.get(key.id)! }));
    return { requireSignatures: account?.requireSignatures ?? false, keys: signed };
  });

  app.post('/me/signed-keys', async (request, reply) => {
    const actor = customerActor(request);
    const label = bodyObject(request).label;
    if (label !== undefined && label !== null && typeof label !== 'string') {
      throw new ConsoleError('bad_request', 'label must be text');
    }
    const issued = await deps.signingKeys.issue(actor, actor.accountId, label ?? '');
    return reply.code(201).send({
      key: { ...keyView(issued.key), appKey: issued.appKey },
      appKey: issued.appKey,
      appSecret: issued.appSecret,
    });
  });

  app.patch('/me/signatures', async (request) => {
    const actor = customerActor(request);
    const on = bodyObject(request).requireSignatures;
    if (typeof on !== 'boolean')
      throw new ConsoleError('bad_request', 'requireSignatures must be true or false');
    const account = await deps.signingKeys.requireSignatures(actor, actor.accountId, on);
    return { requireSignatures: account.requireSignatures };
  });
}
