import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { SessionRole, Store } from '../../../store/store.js';
import type { AppDeps } from '../../app-deps.js';
import { hashPassword, verifyPassword } from '../../../service/operators/passwords.js';
import { ConsoleError } from '../console-error.js';
import { type Body, badRequest, bodyObject } from '../request-input.js';
import { endSession, startSession } from '../session.js';

export const MIN_PASSWORD_LENGTH = 8;
/** scrypt reads the whole password: a cap keeps a megabyte "password" from costing CPU. */
export const MAX_PASSWORD_LENGTH = 1024;
const MAX_NAME_LENGTH = 200;

/**
 * Verified when the user does not exist or has no password, so that the time a refusal takes does
 * not tell which names exist. Made once, on first use.
 */
let dummyHash: Promise<string> | undefined;

async function passwordMatches(password: string, hash: string | null | undefined): Promise<boolean> {
  const matches = await verifyPassword(
    password,
    hash ?? (await (dummyHash ??= hashPassword(randomBytes(16).toString('hex')))),
  );
  return matches && hash !== null && hash !== undefined;
}

/** A field that must be given: a name or password is never empty. */
function text(body: Body, field: string, max: number): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '' || value.length > max) {
    throw badRequest(`${field} must be a string of 1 to ${max} characters`);
  }
  return value;
}

/** Whom a name and password identify, whether the password was right, and for a customer its status. */
async function checkCredentials(
  store: Store,
  role: SessionRole,
  name: string,
  password: string,
): Promise<{ subjectId: number; name: string; suspended: boolean } | undefined> {
  if (role === 'operator') {
    const operator = await store.getOperator(name);
    if (!(await passwordMatches(password, operator?.passwordHash)) || !operator) return undefined;
    return { subjectId: operator.id, name: operator.username, suspended: false };
  }
  const account = await store.getAccountByName(name);
  const hash = account ? await store.getAccountPasswordHash(account.id) : null;
  if (!(await passwordMatches(password, hash)) || !account) return undefined;
  return { subjectId: account.id, name: account.name, suspended: account.status !== 'active' };
}

async function storedHash(store: Store, role: SessionRole, subjectId: number): Promise<string | null> {
  if (role === 'customer') return store.getAccountPasswordHash(subjectId);
  return (await store.getOperatorById(subjectId))?.passwordHash ?? null;
}

export function checkNewPassword(password: unknown): string {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) {
    throw new ConsoleError('weak_password', `a password has at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw badRequest(`a password has at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  return password;
}

/** Logging in and out, the session's state, and changing one's own password. */
export function authRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { store } = deps;
  const throttle = deps.loginGuard;

  const refuseWhileLocked = async (role: string, name: string, ip: string): Promise<void> => {
    const retryAfterSeconds = await throttle.retryAfterSeconds(role, name, ip);
    if (retryAfterSeconds > 0) {
      throw new ConsoleError('too_many_attempts', 'too many failed attempts; try again later', {
        retryAfterSeconds,
      });
    }
  };

  app.post('/login', async (request, reply) => {
    const body = bodyObject(request);
    const role = body.role;
    if (role !== 'customer' && role !== 'operator') {
      throw badRequest("role must be 'customer' or 'operator'");
    }
    const name = text(body, 'name', MAX_NAME_LENGTH);
    const password = text(body, 'password', MAX_PASSWORD_LENGTH);
    await refuseWhileLocked(role, name, request.ip);
    const found = await checkCredentials(store, role, name, password);
    if (!found) {
      await throttle.recordFailure(role, name, request.ip);
      throw new ConsoleError('bad_credentials', 'wrong name or password');
    }
    // Said only to whoever knows the password: it tells nothing to someone guessing.
    if (found.suspended) throw new ConsoleError('account_suspended', 'the account is suspended');
    await throttle.recordSuccess(role, name);
    const csrfToken = await startSession(store, request, reply, role, found.subjectId);
    return { role, name: found.name, csrfToken };
  });

  app.post('/logout', async (request, reply) => {
    await endSession(store, request, reply);
    return reply.code(204).send();
  });

  app.get('/session', async (request) => {
    const user = request.consoleUser;
    if (!user) throw new ConsoleError('not_logged_in', 'log in first');
    return { role: user.role, name: user.name, csrfToken: user.csrfToken };
  });

  app.post('/password', async (request, reply) => {
    const user = request.consoleUser;
    if (!user) throw new ConsoleError('not_logged_in', 'log in first');
    const body = bodyObject(request);
    const current = text(body, 'current', MAX_PASSWORD_LENGTH);
    const next = checkNewPassword(body.next);
    // A stolen session must not become a way to guess the password: same limits as the login.
    await refuseWhileLocked(user.role, user.name, request.ip);
    if (!(await passwordMatches(current, await storedHash(store, user.role, user.subjectId)))) {
      await throttle.recordFailure(user.role, user.name, request.ip);
      throw new ConsoleError('bad_credentials', 'the current password is wrong');
    }
    const hash = await hashPassword(next);
    // Every session of the user ends with the old password; this browser gets a new one (a fresh
    // id, the same token).
    if (user.role === 'customer') await store.setAccountPassword(user.subjectId, hash, { endSessions: true });
    else await store.setOperatorPassword(user.subjectId, hash, { endSessions: true });
    await startSession(store, request, reply, user.role, user.subjectId, user.csrfToken);
    return reply.code(204).send();
  });
}
