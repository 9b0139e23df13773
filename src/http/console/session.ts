import '@fastify/cookie';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionRole, Store } from '../../store/store.js';
import { ConsoleError } from './console-error.js';
import type { ConsoleUser } from './guards.js';

/**
 * Console sessions: the cookie holds 32 random bytes, the store only their SHA-256, so a leaked
 * database holds no usable session. Every change request carries the session's CSRF token in a
 * header, which a page of another site cannot read.
 */

export const SESSION_COOKIE = 'mnpd_session';
/** Sliding: a session used at least once every 12 hours lasts. */
export const SESSION_TTL_MS = 12 * 3_600_000;
/** The cookie is sent to the console's pages and its API, nowhere else. */
const COOKIE_PATH = '/console';
const LOGIN_URL = '/console/api/login';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Compares secrets in constant time; the hashes make the lengths equal. */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(sha256(a), 'hex'), Buffer.from(sha256(b), 'hex'));
}

function setSessionCookie(request: FastifyRequest, reply: FastifyReply, id: string): void {
  reply.setCookie(SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: 'strict',
    path: COOKIE_PATH,
    secure: request.protocol === 'https',
    maxAge: SESSION_TTL_MS / 1000,
  });
}

/** Logs `subjectId` in: a new session in the store, its cookie on the reply; returns the CSRF token. */
export async function startSession(
  store: Store,
  request: FastifyRequest,
  reply: FastifyReply,
  role: SessionRole,
  subjectId: number,
  csrfToken = randomBytes(32).toString('base64url'),
): Promise<string> {
  const id = randomBytes(32).toString('base64url');
  const now = Date.now();
  await store.createSession({
    idHash: sha256(id),
    role,
    subjectId,
    csrfToken,
    createdAt: new Date(now),
    expiresAt: new Date(now + SESSION_TTL_MS),
  });
  setSessionCookie(request, reply, id);
  return csrfToken;
}

/** Logs the request's session out (when it has one) and clears the cookie. */
export async function endSession(store: Store, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.consoleUser) await store.deleteSession(request.consoleUser.sessionHash);
  reply.clearCookie(SESSION_COOKIE, { path: COOKIE_PATH });
}

/**
 * The name a session shows: the account's or the operator's; undefined when it is gone, or when
 * the account is suspended (its sessions end with it: no more keys or rules from them).
 */
async function nameOf(store: Store, role: SessionRole, subjectId: number): Promise<string | undefined> {
  if (role === 'customer') {
    const account = await store.getAccount(subjectId);
    return account?.status === 'active' ? account.name : undefined;
  }
  return (await store.getOperatorById(subjectId))?.username;
}

/**
 * onRequest: sets request.consoleUser from the cookie (null without a live session) and extends a
 * session when less than half its lifetime is left.
 */
export async function loadSession(store: Store, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  request.consoleUser = null;
  const id = request.cookies[SESSION_COOKIE];
  if (!id) return;
  const idHash = sha256(id);
  const session = await store.getSession(idHash);
  if (!session) return;
  const name = await nameOf(store, session.role, session.subjectId);
  if (name === undefined) return;
  const now = Date.now();
  if (session.expiresAt.getTime() - now < SESSION_TTL_MS / 2) {
    await store.extendSession(idHash, new Date(now + SESSION_TTL_MS));
    setSessionCookie(request, reply, id);
  }
  const user: ConsoleUser = {
    role: session.role,
    subjectId: session.subjectId,
    name,
    csrfToken: session.csrfToken,
    sessionHash: idHash,
  };
  request.consoleUser = user;
}

/**
 * Whether an Origin header names the host the request was sent to. The scheme is not compared: a
 * proxy that ends TLS in front of mnpd turns https into http, and a foreign site differs in host.
 */
function sameOrigin(origin: string, request: FastifyRequest): boolean {
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}

/**
 * onRequest, after loadSession: a change needs the session's token in X-CSRF-Token. The login has
 * no session yet; a browser sends Origin on a cross-site POST, so a foreign one is refused. A
 * change without a session is left to the route's guard (401).
 */
export function checkCsrf(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  if (request.method === 'POST' && request.routeOptions.url === LOGIN_URL) {
    const origin = request.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, request)) {
      throw new ConsoleError('csrf_failed', 'the login came from another site');
    }
    return;
  }
  const user = request.consoleUser;
  if (!user) return;
  const token = request.headers['x-csrf-token'];
  if (typeof token !== 'string' || !sameSecret(token, user.csrfToken)) {
    throw new ConsoleError('csrf_failed', 'missing or wrong X-CSRF-Token');
  }
}
