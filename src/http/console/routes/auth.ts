import type { FastifyInstance } from 'fastify';
import { MAX_PASSWORD_LENGTH } from '../../../service/operators/passwords.js';
import type { AppDeps } from '../../app-deps.js';
import { ConsoleError } from '../console-error.js';
import { type Body, badRequest, bodyObject } from '../request-input.js';
import { endSession, startSession } from '../session.js';

const MAX_NAME_LENGTH = 200;

/** A field that must be given: a name or password is never empty. */
function text(body: Body, field: string, max: number): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '' || value.length > max) {
    throw badRequest(`${field} must be a string of 1 to ${max} characters`);
  }
  return value;
}

/** Logging in and out, the session's state, and changing one's own password. */
export function authRoutes(app: FastifyInstance, deps: Pick<AppDeps, 'store' | 'logins'>): void {
  const { store, logins } = deps;

  app.post('/login', async (request, reply) => {
    const body = bodyObject(request);
    const role = body.role;
    if (role !== 'customer' && role !== 'operator') {
      throw badRequest("role must be 'customer' or 'operator'");
    }
    const name = text(body, 'name', MAX_NAME_LENGTH);
    const password = text(body, 'password', MAX_PASSWORD_LENGTH);
    const user = await logins.logIn(role, name, password, request.ip);
    const csrfToken = await startSession(store, request, reply, user.role, user.subjectId);
    return { role: user.role, name: user.name, csrfToken };
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
    if (typeof body.next !== 'string')
      throw new ConsoleError('weak_password', 'next must be the new password');
    await logins.changeOwnPassword(user, current, body.next, request.ip);
    // Every session of the user ended with the old password; this browser gets a new one (a fresh
    // id, the same token).
    await startSession(store, request, reply, user.role, user.subjectId, user.csrfToken);
    return reply.code(204).send();
  });
}
