/**
 * Who changes something, whichever door it came through, and the audit entry of an operator's
 * change. The audit log is read by every operator and kept for good: what it records is who, what,
 * on what and with which parameters, never a password or a key.
 */
import { userInfo } from 'node:os';
import type { AuditOf, NewAuditEntry } from '../../store/store.js';
import { maskIp } from '../queries/ip-rules.js';

export type Actor =
  /** An operator logged in to the console, from this client address. */
  | { kind: 'operator'; name: string; ip: string }
  /** The `mnpd` CLI, run by this OS user. */
  | { kind: 'cli'; name: string }
  /** A customer changing its own account from the console: not an operator action, not audited. */
  | { kind: 'customer'; name: string; ip: string }
  /** mnpd itself, on an operator's behalf: the drop folder, a cluster follower. */
  | { kind: 'system'; name: string };

/** The CLI's actor: the OS user who ran the command. */
export function cliActor(): Actor {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    // A user id without a passwd entry (some containers).
    name = `uid ${process.getuid?.() ?? 'unknown'}`;
  }
  return { kind: 'cli', name };
}

/** How the audit log names an actor: operators by name, the rest by door. */
export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'operator':
      return actor.name;
    case 'cli':
      return `cli:${actor.name}`;
    case 'customer':
      return `customer:${actor.name}`;
    case 'system':
      return actor.name;
  }
}

const SECRET_FIELD = /^(password|passwordHash|secret|apikey|appcode|token|csrfToken|hash)$/i;

function withoutSecrets(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(details).map(([name, value]) => [
      name,
      SECRET_FIELD.test(name)
        ? '[withheld]'
        : value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)
          ? withoutSecrets(value as Record<string, unknown>)
          : value,
    ]),
  );
}

/**
 * The audit entry of `actor`'s change, or undefined for a customer's own change (the audit log is
 * the operators'). Secret-looking fields are withheld whatever a caller passes.
 */
export function auditEntry(
  actor: Actor,
  action: string,
  target: string | null,
  details: Record<string, unknown> = {},
): NewAuditEntry | undefined {
  if (actor.kind === 'customer') return undefined;
  return {
    operator: actorLabel(actor),
    action,
    target,
    details: JSON.stringify(withoutSecrets(details)),
    ip: actor.kind === 'operator' ? maskIp(actor.ip) : '',
  };
}

/**
 * `auditEntry` of a change's result, as the store's callback that writes it in the change's
 * transaction; undefined when the actor's changes are not audited.
 */
export function auditOf<T>(
  actor: Actor,
  action: string,
  target: string | null | ((result: T) => string),
  details: (result: T) => Record<string, unknown>,
): AuditOf<T> | undefined {
  if (actor.kind === 'customer') return undefined;
  return (result) =>
    auditEntry(actor, action, typeof target === 'function' ? target(result) : target, details(result))!;
}
