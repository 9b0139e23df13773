import type { FastifyRequest } from 'fastify';
import type { Account, AccountStore, SessionRole } from '../../store/store.js';
import type { Actor } from '../../service/operators/audit.js';
import { ConsoleError } from './console-error.js';

/** The logged-in user of a console request, set by the session hook (session.ts). */
export interface ConsoleUser {
  role: SessionRole;
  /** Account id for a customer, operator id for an operator. */
  subjectId: number;
  /** Account name or operator username. */
  name: string;
  csrfToken: string;
  /** SHA-256 of the session cookie's value. */
  sessionHash: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    consoleUser: ConsoleUser | null;
  }
}

/** The customer's account, or 401 (no session) / 403 (an operator's session). */
export function requireCustomer(request: FastifyRequest): { accountId: number; name: string } {
  const user = request.consoleUser;
  if (!user) throw new ConsoleError('not_logged_in', 'log in first');
  if (user.role !== 'customer') throw new ConsoleError('forbidden', 'for customers only');
  return { accountId: user.subjectId, name: user.name };
}

/** The logged-in customer's account; 401 when it is gone (deleted since the login). */
export async function sessionAccount(
  store: Pick<AccountStore, 'getAccount'>,
  accountId: number,
): Promise<Account> {
  const account = await store.getAccount(accountId);
  if (!account) throw new ConsoleError('not_logged_in', 'the account no longer exists');
  return account;
}

/** The operator, or 401 (no session) / 403 (a customer's session). */
export function requireOperator(request: FastifyRequest): { operatorId: number; username: string } {
  const user = request.consoleUser;
  if (!user) throw new ConsoleError('not_logged_in', 'log in first');
  if (user.role !== 'operator') throw new ConsoleError('forbidden', 'for operators only');
  return { operatorId: user.subjectId, username: user.name };
}

/** The logged-in operator as the audit log names whoever changes something (401/403 otherwise). */
export function operatorActor(request: FastifyRequest): Actor {
  return { kind: 'operator', name: requireOperator(request).username, ip: request.ip };
}

/** The logged-in customer, changing its own account (401/403 otherwise). */
export function customerActor(request: FastifyRequest): Actor & { accountId: number } {
  const { accountId, name } = requireCustomer(request);
  return { kind: 'customer', name, ip: request.ip, accountId };
}
