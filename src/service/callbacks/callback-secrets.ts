/**
 * Rotating an account's callback secret, from the console or `mnpd account callback-secret`: a
 * new one replaces the old at once (callbacks signed from then on use it) and is returned to be
 * shown once. The audit log records that it changed, never the secret.
 */
import type { AccountStore, CallbackStore } from '../../store/store.js';
import { type Actor, auditEntry } from '../operators/audit.js';
import { ServiceError } from '../service-error.js';
import { newCallbackSecret } from './callback-secret.js';

export async function rotateCallbackSecret(
  store: Pick<AccountStore, 'getAccount'> & Pick<CallbackStore, 'setCallbackSecret'>,
  actor: Actor,
  accountId: number,
): Promise<string> {
  const account = await store.getAccount(accountId);
  if (!account) throw new ServiceError('not_found', 'no such account');
  if (actor.kind === 'customer' && account.status !== 'active') {
    throw new ServiceError('account_suspended', 'the account is suspended');
  }
  const secret = newCallbackSecret();
  await store.setCallbackSecret(
    accountId,
    secret,
    auditEntry(actor, 'account.callback_secret', `account:${accountId}`, { name: account.name }),
  );
  return secret;
}
