import type { FastifyRequest } from 'fastify';
import type { NewAuditEntry } from '../../store/store.js';
import { maskIp } from '../../service/queries/ip-rules.js';
import { requireOperator } from './guards.js';

/**
 * Fields that must never reach the audit log, whatever a route passes: the log is read by every
 * operator and kept for good, so a password or a key in it would be a leak that outlives a reset.
 */
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
 * An operator's change as the audit log records it: who (the session's operator), what
 * (`account.topup`), on what (`account:12`), with which parameters, and from where (the masked
 * IP, as in the query log).
 */
export function auditEntry(
  request: FastifyRequest,
  action: string,
  target: string | null,
  details: Record<string, unknown> = {},
): NewAuditEntry {
  const { username } = requireOperator(request);
  return {
    operator: username,
    action,
    target,
    details: JSON.stringify(withoutSecrets(details)),
    ip: maskIp(request.ip),
  };
}
