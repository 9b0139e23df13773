/** The operators' audit log: append and read back, newest first. */
import { newestFirst } from './paging.js';
import { toAuditEntry } from './rows.js';
import type { EngineTraits } from './schema.js';
import type { Db, StoreContext } from './store-context.js';
import type { AuditEntry, NewAuditEntry, Page, PageOptions } from './store.js';

/** The audit entry, written in the caller's transaction: with the change it records, or neither. */
export async function insertAudit(trx: Db, traits: EngineTraits, entry: NewAuditEntry): Promise<AuditEntry> {
  const row = await trx
    .insertInto('audit_log')
    .values({
      at: traits.toDb(new Date()),
      operator: entry.operator,
      action: entry.action,
      target: entry.target,
      details: entry.details,
      ip: entry.ip,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAuditEntry(row);
}

export function auditLog({ db }: StoreContext, options: PageOptions): Promise<Page<AuditEntry>> {
  return newestFirst(db.selectFrom('audit_log').selectAll(), options, toAuditEntry);
}
